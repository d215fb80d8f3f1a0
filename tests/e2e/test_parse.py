"""Parsing the workflow (every run, dry run and lint) is quiet: once the git-annex
versions are installed, it makes no network request."""

import os
import shutil
import subprocess

import pytest

from helpers import snakemake
from annex_race.driver.cli import snakemake_command

VERSIONS = ["10.20260115", "10.20261026"]  # those of the default matrix


def offline(cmd):
    """`cmd` in a new network namespace: no interface but a loopback that is down."""
    prefix = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--map-root-user", "--net"]
    return subprocess.run(prefix + cmd, capture_output=True, text=True, timeout=300)


def test_offline_namespace_really_has_no_network():
    if not shutil.which("unshare"):
        pytest.skip("unshare (util-linux) is not installed")
    out = offline(["python3", "-c", "import socket; socket.create_connection(('pypi.org', 443), timeout=5)"])
    if "Operation not permitted" in out.stderr:
        pytest.skip("no permission to make a network namespace here")
    assert out.returncode != 0


def test_dry_run_of_the_default_matrix_needs_no_network_once_versions_are_installed(tmp_path):
    if not shutil.which("unshare"):
        pytest.skip("unshare (util-linux) is not installed")
    installed = snakemake(tmp_path, "--cores", "2", *(f"results/git-annex/{v}.json" for v in VERSIONS))
    assert installed.returncode == 0, installed.stderr[-2000:]
    out = offline(snakemake_command(tmp_path, "--cores", "2", "-n"))
    if "Operation not permitted" in out.stderr:
        pytest.skip("no permission to make a network namespace here")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "run_clone_job" in out.stdout
    assert "package index cannot be reached" not in out.stdout + out.stderr
    # the same offline dry run with nothing installed has to ask, and says it could not
    fresh = offline(snakemake_command(tmp_path, "--cores", "2", "-n",
                                      config=[f"git_annex_cache={tmp_path}/empty-cache"]))
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    assert "package index cannot be reached" in fresh.stdout + fresh.stderr
