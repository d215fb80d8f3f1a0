"""The Discovery profile dry-runs with its placeholders filled from the environment."""

import os
import subprocess

from helpers import ROOT, SNAKEMAKE

SITE = {"ANNEX_RACE_ACCOUNT": "myaccount", "ANNEX_RACE_PARTITION": "standard", "USER": "someone"}


def dry_run(tmp_path, env):
    # run from the repository root, as profiles/discovery/README.md says
    return subprocess.run(
        [str(SNAKEMAKE), "--profile", "profiles/discovery", "-n", "--directory", str(tmp_path)],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
    )


def test_discovery_dry_run_plans_slurm_jobs_on_the_site_paths(tmp_path):
    lab = tmp_path / "dartfs-lab"
    out = dry_run(tmp_path, {**SITE, "ANNEX_RACE_LAB_DIR": str(lab)})
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout + out.stderr
    assert "slurm_account=myaccount" in text and "slurm_partition=standard" in text
    assert f"{lab}/annex-race/container_source/size-5G.json" in text
    assert "clone_get" in text and "bw-none" in text  # the real, unthrottled 5 GB run
    assert not lab.exists()  # a dry run creates nothing


def test_discovery_without_the_lab_directory_names_the_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ANNEX_RACE_LAB_DIR"}
    out = subprocess.run(
        [str(SNAKEMAKE), "--profile", "profiles/discovery", "-n", "--directory", str(tmp_path)],
        cwd=ROOT, env={**env, **SITE}, capture_output=True, text=True,
    )
    assert out.returncode != 0
    assert "environment variable ANNEX_RACE_LAB_DIR is not set" in out.stdout + out.stderr
