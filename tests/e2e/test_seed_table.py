"""The seed's table, observed row by row in the filesystem lab (config/seed-table.yaml):
the same concurrent get passes on the laptop (btrfs: reflink copies) and fails on the
cluster (slow lab filesystem -> ext4: full copies), with no annex.bwlimit anywhere."""

import os
import statistics

import pytest

from annex_lab import lab
from annex_race.driver.cli import ROOT
from helpers import assert_sources_unharmed, load_run, observed_verdict, scenario_rows, snakemake
from test_lab import assert_nothing_left, why_no_lab

pytestmark = pytest.mark.skipif(why_no_lab() is not None, reason=why_no_lab() or "")

SEED_TABLE = ROOT / "config" / "seed-table.yaml"
FIXED = "10.20261026"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The seed table with the affected git-annex, then with the fixed one, in one lab."""
    workdir = tmp_path_factory.mktemp("seed")
    lab_dir = workdir / "results" / "lab"
    try:
        lab.lab_up(lab_dir, "1G", "8MiB")
        configfiles = [SEED_TABLE, lab_dir / "locations.yaml"]
        out = {}
        for name, config in (("affected", []), ("fixed", [f"git_annex={FIXED}"])):
            result = snakemake(workdir, "--cores", "2", configfiles=configfiles, config=config)
            assert result.returncode == 0, result.stderr[-3000:]
            records, summary, _ = load_run(workdir)
            assert_sources_unharmed(summary)
            wanted = [s for s in records if (FIXED in s) == (name == "fixed")]
            out[name] = ({s: records[s] for s in wanted}, summary, scenario_rows(workdir))
        yield out
    finally:
        lab.lab_down(lab_dir)
    assert_nothing_left(lab_dir)


def test_every_observed_verdict_equals_the_seeds(runs):
    records, summary, rows = runs["affected"]
    assert len(records) == 7
    assert len(rows) == 7 and (rows["seed_says"] != "").all()
    for row in rows.itertuples():
        assert row.verdict == row.seed_says == observed_verdict(records[row.scenario]), row
    assert "Every observed verdict agrees with the seed notes." in summary
    # the table's verdicts are the records' own
    assert sorted(observed_verdict(rs) for rs in records.values()) == ["FAIL"] * 2 + ["PASS"] * 5


def test_content_arrives_by_reflink_on_the_laptop_and_by_full_copy_on_the_cluster(runs):
    records, _, _ = runs["affected"]
    for rs in records.values():
        first = rs[0]
        ok = [r for r in rs if r.outcome == "ok"]
        assert ok, first.scenario
        if first.location == "laptop":
            assert (first.fs_source, first.fs_clone, first.reflink) == ("btrfs", "btrfs", True)
            expected = "ora" if first.storage_sibling == "on" else "reflink"
        else:
            assert (first.fs_source, first.fs_clone, first.reflink) == ("fuse.slowfs", "ext4", False)
            expected = "ora" if first.storage_sibling == "on" else "copy"
        assert {r.arrival for r in ok} == {expected}, first.scenario


def test_on_the_slow_filesystem_the_storage_sibling_passes_at_the_same_copy_speed(runs):
    """The ORA storage sibling reads through the same slow filesystem: its gets take at
    least half as long as the no-sibling winner's, so speed does not explain the PASS."""
    records, summary, _ = runs["affected"]

    def scenario(ss, method):
        (rs,) = [rs for rs in records.values() if rs[0].location == "cluster-cross-fs"
                 and rs[0].storage_sibling == ss and rs[0].method == method]
        return rs

    for method in ("datalad-get", "containers-run"):
        failing, fixed = scenario("off", method), scenario("on", method)
        winner = max(r.t_get_end - r.t_get_start for r in failing if r.outcome == "ok")
        with_sibling = statistics.median(r.t_get_end - r.t_get_start for r in fixed)
        assert observed_verdict(fixed) == "PASS" and observed_verdict(failing) == "FAIL"
        assert with_sibling >= winner / 2, (method, with_sibling, winner)
    line = next(li for li in summary.splitlines() if li.startswith("- storage_sibling=on turned FAIL into PASS"))
    ratio = float(line.split("× the failing run's winner")[0].rsplit(", ", 1)[1])
    assert ratio >= 0.5, line


def test_the_fixed_git_annex_passes_in_every_location(runs):
    records, _, _ = runs["fixed"]
    assert len(records) == 7
    assert {rs[0].location for rs in records.values()} == {"laptop", "cluster-cross-fs"}
    assert {observed_verdict(rs) for rs in records.values()} == {"PASS"}


def test_a_location_whose_filesystem_is_not_mounted_is_refused(tmp_path):
    """With the lab down, its locations point at plain directories: the run refuses."""
    lab_dir = tmp_path / "results" / "lab"
    (lab_dir / "btrfs" / "laptop" / "source").mkdir(parents=True)
    (lab_dir / "locations.yaml").write_text(
        "locations:\n  laptop:\n"
        f"    source_root: {lab_dir}/btrfs/laptop/source\n"
        f"    clone_root: {lab_dir}/btrfs/laptop/clones\n"
        "    filesystems: {source: btrfs, clone: btrfs}\n"
    )
    out = snakemake(tmp_path, "--cores", "2", configfiles=[lab_dir / "locations.yaml"],
                    config=["location=laptop"])
    assert out.returncode != 0
    fs = os.popen(f"findmnt -n -o FSTYPE --target {lab_dir}").read().split()[-1]
    assert (f"config key 'locations.laptop.source_root': {lab_dir}/btrfs/laptop/source is on {fs}, "
            "not btrfs (is the filesystem lab up?") in out.stdout + out.stderr
