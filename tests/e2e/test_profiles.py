"""The Discovery profile dry-runs with its placeholders filled from the environment."""

import os
import subprocess

import yaml

from helpers import ROOT, SNAKEMAKE

SITE = {"ANNEX_RACE_ACCOUNT": "myaccount", "ANNEX_RACE_PARTITION": "standard", "USER": "someone"}


def dry_run(tmp_path, env, *args, unset=()):
    # run from the repository root, as profiles/discovery/README.md says
    env = {k: v for k, v in {**os.environ, **env}.items() if k not in unset}
    return subprocess.run(
        [str(SNAKEMAKE), "--profile", "profiles/discovery", "-n", "--directory", str(tmp_path), *args],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )


def test_discovery_dry_run_plans_slurm_jobs_on_the_site_paths(tmp_path):
    """The site's matrix, with a 1 GiB image: both of its locations here are on this
    machine's disk, which has no room for the 5 GiB one (the run would refuse)."""
    lab = tmp_path / "dartfs-lab"
    out = dry_run(tmp_path, {**SITE, "ANNEX_RACE_LAB_DIR": str(lab)}, "--config", "image_size=1G")
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout + out.stderr
    assert "slurm_account=myaccount" in text and "slurm_partition=standard" in text
    assert (f"location dartfs-scratch: source_root {lab}/annex-race, "
            "clone_root /scratch/someone/annex-race/clones") in text
    assert "location scratch-scratch: source_root /scratch/someone/annex-race/source" in text
    assert "results/datasets/dartfs-scratch/lane-0/container_source/size-1G.json" in text
    assert "38 scenarios in 5 lanes" in text  # jobs: 10, 2 clones a scenario
    assert "run_clone_job" in text and "bw-none" in text  # the real, unthrottled run
    assert not lab.exists()  # a dry run creates nothing


def test_discovery_without_the_lab_directory_names_the_variable(tmp_path):
    out = dry_run(tmp_path, SITE, unset=["ANNEX_RACE_LAB_DIR"])
    assert out.returncode != 0
    assert "environment variable ANNEX_RACE_LAB_DIR is not set" in out.stdout + out.stderr


def test_profiles_set_resources_only_of_rules_that_exist(tmp_path):
    rules = subprocess.run([str(SNAKEMAKE), "--list-rules"], cwd=ROOT, capture_output=True,
                           text=True).stdout.split()
    assert "run_clone_job" in rules
    for profile in (ROOT / "profiles").glob("*/config.yaml"):
        named = yaml.safe_load(profile.read_text()).get("set-resources", {})
        assert set(named) <= set(rules), (profile, set(named) - set(rules))
