"""Version matching, git config passthrough, logged runs, sizes and keys, the job's Snakemake."""

import json
import os
import subprocess
import sys
import time

import pytest

from annex_race.core.image import parse_key, parse_size
from annex_race.jobs.process import snakemake_process, still_running
from annex_race.core.versions import VersionError, confirm, matches
from annex_race.core.commands import git_config_env, run_logged
from annex_race.driver.cli import temporary_workdir


@pytest.mark.parametrize(
    "requested, reported, ok",
    [
        ("10.20260115", "10.20260115-g8356f2851c237ab197cd8dd12811c7566d1d4e0c", True),
        ("10.20260901.post1", "10.20260901-gabc", True),
        ("10.20250605.post2", "10.20250606-gfb155b1e3e59", True),  # as PyPI ships it
        ("10.20250605.post2", "10.20250604-gabc", False),
        ("10.20250605", "10.20250606-gabc", False),
        ("10.20260115", "10.20261026-g351f69f", False),
        ("10.2026011", "10.20260115-gabc", False),
        ("system", "10.20261026-gabc", True),
        ("system", None, False),
    ],
)
def test_version_matching(requested, reported, ok):
    assert matches(requested, reported) is ok


def test_once_installed_only_the_version_the_install_reported_is_accepted():
    confirm("10.20250605.post2", "10.20250606-gfb1", installed="10.20250606-gfb1")
    with pytest.raises(VersionError, match="reports 10.20261026-gabc instead of 10.20250606-gfb1"):
        confirm("10.20250605.post2", "10.20261026-gabc", installed="10.20250606-gfb1")


def test_a_mismatch_is_an_error_naming_both():
    with pytest.raises(VersionError, match="git_annex 10.20260115: git-annex reports 10.20261026"):
        confirm("10.20260115", "10.20261026-gabc")


def test_git_config_env_reaches_git_and_skips_empty_values():
    env = git_config_env({"annex.retry": 3, "annex.bwlimit": "", "annex.debug": "true"})
    assert env["GIT_CONFIG_COUNT"] == "2"
    out = subprocess.run(["git", "config", "annex.retry"], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "3"


def test_run_logged_timestamps_lines_and_adds_annotations(tmp_path):
    code = "import sys,time; print('a'); sys.stdout.flush(); time.sleep(0.2); print('b\\rc', file=sys.stderr)"
    with open(tmp_path / "log", "w") as log:
        run = run_logged([sys.executable, "-c", code], log,
                         annotate=lambda text: ["note"] if text == "a" else [])
    assert run.exit_code == 0
    assert run.text == ["a", "note", "b", "c"]
    assert run.lines[2][0] - run.lines[0][0] >= 0.15
    assert (tmp_path / "log").read_text().splitlines()[1].endswith(" note")


def test_sizes_and_keys():
    assert parse_size("8M") == 8 * 1024**2 and parse_size(512) == 512
    with pytest.raises(ValueError):
        parse_size("lots")
    assert parse_key("MD5E-s8388608--496e57e38453d35ac37f46f3fc5ae21a") == (
        "md5", 8388608, "496e57e38453d35ac37f46f3fc5ae21a")
    assert parse_key("SHA256E-s3--" + "a" * 64 + ".sif")[:2] == ("sha256", 3)


def test_versions_all_and_ranges_are_spelled_out_in_release_order(tmp_path):
    import json

    from annex_race.core.versions import INDEX_CACHE, VersionError, expand_versions, release_date

    releases = ["10.20261026", "10.20260213", "10.20260115", "10.20251215", "10.20250605.post2",
                "10.20250605.post1", "10.20250605"]
    (tmp_path / INDEX_CACHE).write_text(json.dumps({"versions": releases}))
    assert expand_versions(["10.20251215..10.20260213", "system"], tmp_path) == [
        "10.20251215", "10.20260115", "10.20260213", "system"]
    assert expand_versions(["all"], tmp_path)[:3] == ["10.20250605", "10.20250605.post1", "10.20250605.post2"]
    assert expand_versions(["10.20260115", "10.20251215..10.20260115"], tmp_path) == [
        "10.20260115", "10.20251215"]  # each once
    with pytest.raises(VersionError, match="config key 'git_annex': 10.20251215..10.20990101: "
                                           "10.20990101 is not a version"):
        expand_versions(["10.20251215..10.20990101"], tmp_path)
    assert str(release_date("10.20230126-g1234abc")) == "2023-01-26"


def _fake_git_annex(directory, version):
    directory.mkdir()
    (directory / "git-annex").write_text(f"#!/bin/sh\necho {version}\n")
    (directory / "git-annex").chmod(0o755)
    return directory


def test_system_is_the_sites_git_annex_never_the_environments_own(tmp_path):
    from annex_race.core.versions import VersionError, resolve_system

    ours = _fake_git_annex(tmp_path / "venv-bin", "10.20261026-gours")
    site = _fake_git_annex(tmp_path / "site-bin", "10.20230126")
    env = {"PATH": f"{ours}:{site}"}
    found = resolve_system("", [ours], env)
    assert found == {"path": str(site / "git-annex"), "reported": "10.20230126",
                     "provenance": f"PATH: {site / 'git-annex'}"}
    assert resolve_system(str(ours), [ours], env)["reported"] == "10.20261026-gours"  # asked for by path
    with pytest.raises(VersionError, match="config key 'git_annex': system: no git-annex on PATH outside"):
        resolve_system("", [ours], {"PATH": str(ours)})


def test_a_temporary_workdir_is_removed_read_only_trees_and_all_unless_kept():
    with temporary_workdir("annex-race-test-") as workdir:
        (workdir / "objects").mkdir()
        (workdir / "objects" / "key").write_text("content")
        (workdir / "objects").chmod(0o500)  # as git-annex leaves its objects
    assert not workdir.exists()
    with temporary_workdir("annex-race-test-", keep=True) as kept:
        pass
    assert kept.is_dir()
    kept.rmdir()


def test_a_job_knows_whether_the_snakemake_that_runs_it_is_still_there(tmp_path):
    """A local clone job runs in a shell Snakemake started; when Snakemake is killed,
    the job lives on (orphaned) and must not write a record Snakemake counts incomplete."""
    probe = tmp_path / "probe.py"
    probe.write_text("import json, time\nfrom annex_race.jobs.process import snakemake_process\n"
                     "print(json.dumps(snakemake_process()), flush=True)\ntime.sleep(3)\n")
    fake = tmp_path / "snakemake"  # stands in for Snakemake: a shell runs the job
    fake.write_text(f"#!/bin/sh\nset -e; {sys.executable} {probe}; true\n")
    fake.chmod(0o755)
    runner = subprocess.Popen([str(fake)], stdout=subprocess.PIPE, text=True)
    found = json.loads(runner.stdout.readline())
    assert found[0] == runner.pid and still_running(tuple(found))
    runner.kill()
    runner.wait()
    time.sleep(0.1)
    assert not still_running(tuple(found))
    assert snakemake_process() is None or snakemake_process()[0] != runner.pid


def test_a_lock_holder_is_named_by_where_it_runs():
    from annex_race.jobs.origin_locks import whose

    with open("/proc/self/comm") as fh:
        assert whose(os.getpid()) == fh.read().strip()
    assert whose(2**22 + 1) == "no such process on this node"  # beyond any pid_max
