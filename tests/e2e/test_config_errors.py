"""Bad configuration stops the run with one line naming the key, creating nothing."""

import os
import subprocess

import pytest

from helpers import snakemake


@pytest.mark.parametrize(
    "setting, message",
    [
        ("storage_sibling=maybe", "config key 'storage_sibling': 'maybe' is not one of"),
        ("n_clones=0", "config key 'n_clones': 0 is less than the minimum of 1"),
        ("image_size=lots", "config key 'image_size': 'lots' does not match"),
        ("colour=red", "config: Additional properties are not allowed ('colour' was unexpected)"),
        ("source_root=/etc/hostname/work", "config key 'source_root': /etc/hostname/work: /etc/hostname is not a directory"),
        ("git_annex=10.20990101", "config key 'git_annex': 10.20990101 is not a version of PyPI's git-annex package"),
    ],
)
def test_bad_value_gives_one_clear_line_and_creates_nothing(tmp_path, setting, message):
    out = snakemake(tmp_path, "--cores", "2", config=[setting, f"clone_root={tmp_path}/clones"])
    assert out.returncode != 0
    lines = [line for line in (out.stdout + out.stderr).splitlines() if message in line]
    assert len(lines) == 1, out.stderr[-2000:]
    assert lines[0].strip() == message or lines[0].strip().startswith(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".snakemake"]


@pytest.mark.parametrize(
    "yaml, message",
    [
        ("backoff: {annex_retry: 0, annex_retry_delay: 1}",
         "config key 'backoff.annex_retry': 0 is less than the minimum of 1"),
        ("skip: [{method: annex-get}, 3]", "config key 'skip': 3 is not of type 'object'"),
    ],
)
def test_a_nested_key_is_named_by_its_full_path(tmp_path, yaml, message):
    (tmp_path / "bad.yaml").write_text(yaml + "\n")
    out = snakemake(tmp_path, "--cores", "2", configfiles=[tmp_path / "bad.yaml"])
    assert out.returncode != 0
    assert message in out.stdout + out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".snakemake", "bad.yaml"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a read-only filesystem")
def test_unwritable_root_is_named(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)]).returncode:
        pytest.skip("cannot mount a read-only tmpfs here")
    try:
        work = tmp_path / "work"
        work.mkdir()
        out = snakemake(work, "--cores", "2", config=[f"clone_root={ro}/clones"])
        assert out.returncode != 0
        assert f"config key 'clone_root': {ro}/clones: {ro} is not writable" in out.stdout + out.stderr
        assert sorted(p.name for p in work.iterdir()) == [".snakemake"]
    finally:
        subprocess.run(["umount", str(ro)])
