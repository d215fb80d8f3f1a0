"""Bad configuration stops the run with one line naming the key, creating nothing."""

import os
import shutil
import subprocess

import pytest

from helpers import ROOT, snakemake


def refused(workdir, *args, config=(), yaml=None):
    """Run the workflow expecting a refusal; return its one-line message(s)."""
    configfiles = []
    if yaml is not None:
        (workdir / "bad.yaml").write_text(yaml + "\n")
        configfiles = [workdir / "bad.yaml"]
    out = snakemake(workdir, "--cores", "2", *args, config=config, configfiles=configfiles)
    assert out.returncode != 0
    made = sorted(p.name for p in workdir.iterdir())
    assert made == sorted([".snakemake", *(["bad.yaml"] if yaml is not None else [])]), made
    return out.stdout + out.stderr


def assert_one_line(text, message):
    lines = [line.strip() for line in text.splitlines() if message in line]
    assert len(lines) == 1, text[-2000:]
    assert lines[0].startswith(message), lines[0]


@pytest.mark.parametrize(
    "setting, message",
    [
        ("storage_sibling=maybe", "config key 'storage_sibling': 'maybe' is not one of"),
        ("n_clones=0", "config key 'n_clones': 0 is less than the minimum of 1"),
        ("image_size=lots", "config key 'image_size': 'lots' does not match"),
        ("colour=red", "config: Additional properties are not allowed ('colour' was unexpected)"),
        ("location=moon", "config key 'location': 'moon' is not an entry of 'locations'"),
        ("git_annex=10.20990101", "config key 'git_annex': 10.20990101 is not a version of PyPI's git-annex package"),
        ("git_annex=10.20260213..10.20250605",
         "config key 'git_annex': 10.20260213..10.20250605 holds no release: 10.20260213 came out after 10.20250605"),
    ],
)
def test_bad_value_gives_one_clear_line_and_creates_nothing(tmp_path, setting, message):
    assert_one_line(refused(tmp_path, config=[setting]), message)


def test_a_babs_scenario_without_its_environment_is_refused_before_anything_is_made(tmp_path):
    """Without SLURM the line names sbatch (annex_race.planning.progress.babs_ready); here, with or
    without SLURM, a BABS environment that is not there."""
    text = refused(tmp_path, config=["method=babs", f"babs_env={tmp_path / 'no-babs'}"])
    message = (f"babs_env: no BABS in {tmp_path / 'no-babs'}" if all(shutil.which(t) for t in ("sbatch", "sacct", "squeue"))
               else "method babs: BABS submits its own SLURM job array, and")
    assert_one_line(text, message)


@pytest.mark.parametrize(
    "yaml, message",
    [
        ("backoff: {annex_retry: 0, annex_retry_delay: 1}",
         "config key 'backoff.annex_retry': 0 is less than the minimum of 1"),
        ("skip: [{method: annex-get}, 3]", "config key 'skip[1]': 3 is not of type 'object'"),
        ("locations: {local: {source_root: /etc/hostname/work, clone_root: c}}",
         "config key 'locations.local.source_root': /etc/hostname/work: /etc/hostname is not a directory"),
        ("locations: {mine: {source_root: s}}\nlocation: [mine]",
         "config key 'locations.mine': 'clone_root' is a required property"),
        ("scenarios: [{method: annex-get, colour: red}]",
         "config key 'scenarios[0]': Additional properties are not allowed ('colour' was unexpected)"),
        ("locations: {local: {clone_root: /}}",
         "config key 'locations.local.clone_root': / is the filesystem root"),
        ("locations: {local: {source_root: ~}}", "config key 'locations.local.source_root': "),
        (f"locations: {{local: {{source_root: {ROOT}/workflow/work}}}}",
         f"config key 'locations.local.source_root': {ROOT}/workflow/work is inside this repository's source tree"),
        ("image_size: [900G]", "config key 'locations.local.clone_root': the selected scenarios need about"),
    ],
)
def test_a_nested_key_is_named_by_its_full_path(tmp_path, yaml, message):
    assert_one_line(refused(tmp_path, yaml=yaml), message)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a read-only filesystem")
def test_unwritable_root_is_named(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)]).returncode:
        pytest.skip("cannot mount a read-only tmpfs here")
    try:
        work = tmp_path / "work"
        work.mkdir()
        text = refused(work, yaml=f"locations: {{local: {{clone_root: {ro}/clones}}}}")
        assert_one_line(text, f"config key 'locations.local.clone_root': {ro}/clones: {ro} is not writable")
    finally:
        subprocess.run(["umount", str(ro)])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--jobs", "1"], "config key 'n_clones': 2 clone jobs of a scenario must run at once, but --jobs allows 1"),
        (["--config", "lanes=3", "--jobs", "4"], "config key 'lanes': 3 lanes of 2 clone jobs run at once, "
                                                 "but --jobs allows 4"),
    ],
)
def test_more_clones_than_can_run_at_once_is_refused_before_anything_runs(tmp_path, args, message):
    assert_one_line(refused(tmp_path, *args), message)
