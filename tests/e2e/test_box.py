"""The cluster in a box (annex_lab.box): a GlusterFS server in a network namespace of
its own behind a shaped link, node-local scratch inside each SLURM node's mount
namespace, and the seed's table on it with nothing throttled but the link."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from annex_lab import box, lab
from annex_race.driver.cli import ROOT
from helpers import assert_sources_unharmed, load_run, observed_verdict, scenario_rows, slurm_ready, snakemake


def why_no_box():
    if os.geteuid() != 0:
        return "needs root (network namespaces, tc, loop mounts, FUSE, nsenter)"
    missing = [t for t in ("glusterd", "gluster", "glusterfs", "ip", "tc", "nsenter") if not shutil.which(t)]
    if missing:
        return f"missing {', '.join(missing)} (apt-get install glusterfs-server glusterfs-client iproute2)"
    return None


pytestmark = pytest.mark.skipif(why_no_box() is not None, reason=why_no_box() or "")

SEED_TABLE = ROOT / "config" / "seed-table.yaml"
# 200 Mbit/s moves ~24 MB/s: a 160 MiB image takes ~7 s, beyond the loser's ~3.5 s of
# retries, as the seed's 5 GB did over DartFS, without any throttle but the link's
LINK, IMAGE = "200mbit", "160M"


def leftovers(box_dir: Path, state_before) -> list[str]:
    """Whatever of the box is still mounted (here or in a node), running or attached."""
    found = [f"mounted here: {m}" for m in lab.mounts_under(box_dir)]
    for node, pid in box.slurm_nodes().items():
        out = subprocess.run(["nsenter", "-t", str(pid), "-m", "findmnt", "-rn", "-o", "TARGET"],
                             capture_output=True, text=True).stdout.split()
        found += [f"mounted in {node}: {m}" for m in out if m.startswith(str(box_dir))]
    found += [f"loop: {line}" for line in subprocess.run(["losetup", "-a"], capture_output=True,
                                                           text=True).stdout.splitlines() if str(box_dir) in line]
    names = box.names(box_dir)
    if Path(f"/run/netns/{names['netns']}").exists():
        found.append(f"netns {names['netns']}")
    for step in state_before["steps"]:
        for pid, cmdline in ((step.get("pid"), step.get("cmdline")), (step.get("fuse_pid"), step.get("fuse_cmdline"))):
            if pid and cmdline and lab._pid_alive(pid) and lab._cmdline(pid) == cmdline:
                found.append(f"process {pid}: {' '.join(cmdline)[:80]}")
    return found


def test_up_brings_a_server_a_shaped_link_and_scratch_per_node_and_down_leaves_nothing(tmp_path):
    nodes = sorted(box.separate_nodes())
    try:
        state = box.box_up(tmp_path, LINK, "0ms", "1G", "256M", nodes)
        box_dir = box.box_dir(tmp_path)
        kinds = [s["kind"] for s in state["steps"]]
        assert kinds.count("process") == 2 and kinds.count("client") == 1 + len(nodes)
        # the server listens on the storage host's address alone, inside its namespace
        listening = subprocess.run(["ip", "netns", "exec", state["names"]["netns"], "ss", "-Hltn"],
                                   capture_output=True, text=True).stdout.split("\n")
        addresses = {line.split()[3].rsplit(":", 1)[0] for line in listening if line.strip()}
        assert addresses == {state["names"]["storage_ip"]}, listening
        assert lab.findmnt(box_dir / "shared")["fstype"] == "fuse.glusterfs"
        # each node writes into its own scratch, and sees neither the others' nor this machine's
        (box_dir / "scratch" / "login").write_text("login")
        for node in nodes:
            pid = box.slurm_nodes()[node]
            subprocess.run(["nsenter", "-t", str(pid), "-m", "touch", str(box_dir / "scratch" / node)], check=True)
            seen = subprocess.run(["nsenter", "-t", str(pid), "-m", "ls", str(box_dir / "scratch")],
                                  capture_output=True, text=True, check=True).stdout.split()
            assert node in seen and "login" not in seen and not (set(nodes) - {node}) & set(seen), (node, seen)
        mine = {p.name for p in (box_dir / "scratch").iterdir()}
        assert "login" in mine and not set(nodes) & mine, mine
        # a file written on the shared volume here is there for every node
        (box_dir / "shared" / "here").write_text("shared")
        for node in nodes:
            pid = box.slurm_nodes()[node]
            assert subprocess.run(["nsenter", "-t", str(pid), "-m", "cat", str(box_dir / "shared" / "here")],
                                  capture_output=True, text=True).stdout == "shared"
        # locks on the shared volume exclude across clients: a node's flock meets this machine's
        if nodes:
            with open(box_dir / "shared" / "lock", "w") as fh:
                import fcntl
                fcntl.flock(fh, fcntl.LOCK_EX)
                pid = box.slurm_nodes()[nodes[0]]
                taken = subprocess.run(["nsenter", "-t", str(pid), "-m", "flock", "-n", str(box_dir / "shared" / "lock"),
                                        "true"])
                assert taken.returncode == 1
    finally:
        before = box.load_state(box.box_dir(tmp_path))
        box.box_down(tmp_path)
    assert leftovers(box.box_dir(tmp_path), before) == []


def test_a_failure_in_the_middle_of_up_undoes_what_up_did(tmp_path):
    """A node that does not exist fails `up` after the server, the link and this
    machine's mounts: all of that is undone before the error is raised."""
    box_dir = box.box_dir(tmp_path)
    seen = {}
    original = box._record

    def watch(b, state, step):
        seen["state"] = {"steps": [*state["steps"], step]}
        return original(b, state, step)

    box._record = watch
    try:
        with pytest.raises(lab.LabError, match="node no-such-node: no slurmd of that name"):
            box.box_up(tmp_path, LINK, "0ms", "1G", "256M", ["no-such-node"])
    finally:
        box._record = original
    assert {s["kind"] for s in seen["state"]["steps"]} >= {"netns", "process", "client", "disk"}
    assert leftovers(box_dir, seen["state"]) == []
    assert not (box_dir / box.STATE_NAME).exists()


def test_bad_input_is_one_line_before_anything_is_touched(tmp_path):
    out = subprocess.run([os.sys.executable, "-m", "annex_lab", "box", "up", "--dir", str(tmp_path),
                          "--link-rate", "fast"], capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == ["annex_lab box: --link-rate: not a rate: 'fast' (expected e.g. 1gbit, 200mbit)"]
    assert not (tmp_path / "box").exists()


@pytest.fixture(scope="module")
def seed_on_the_box(tmp_path_factory):
    """The seed's table on the test SLURM: the laptop rows on the lab's btrfs, the
    cluster rows on the box (image on GlusterFS, clones on the nodes' scratch)."""
    if slurm_ready():
        pytest.skip(slurm_ready())
    nodes = sorted(box.separate_nodes())
    if len(nodes) < 2:
        pytest.skip(f"needs two SLURM nodes with mount namespaces of their own, found {nodes}")
    workdir = tmp_path_factory.mktemp("seed-box")
    lab_dir = workdir / "results" / "lab"
    state = None
    try:
        lab.lab_up(lab_dir, "4G", "8MiB")
        state = box.box_up(lab_dir, LINK, "0ms", "4G", "4G", nodes)
        out = snakemake(workdir, "--profile", str(ROOT / "profiles" / "slurm-test"),
                        configfiles=[SEED_TABLE, lab_dir / "locations.yaml", Path(state["locations"])],
                        config=["location=[laptop, cluster-box]", f"image_size={IMAGE}",
                                f"spread_nodes=[{', '.join(nodes)}]"])
        assert out.returncode == 0, out.stderr[-3000:]
        records, summary, _ = load_run(workdir)
        assert_sources_unharmed(summary)
        yield records, summary, scenario_rows(workdir)
    finally:
        before = box.load_state(box.box_dir(lab_dir))
        box.box_down(lab_dir)
        lab.lab_down(lab_dir)
        assert leftovers(box.box_dir(lab_dir), before) == []


@pytest.mark.slurm
def test_the_seeds_table_on_the_box_agrees_row_by_row(seed_on_the_box):
    records, summary, rows = seed_on_the_box
    assert len(records) == len(rows) == 7
    for row in rows.itertuples():
        assert row.verdict == row.seed_says == observed_verdict(records[row.scenario]), row
    assert "Every observed verdict agrees with the seed notes." in summary
    cluster = [r for rs in records.values() for r in rs if r.location == "cluster-box"]
    assert {(r.fs_source, r.fs_clone, r.reflink) for r in cluster} == {("fuse.glusterfs", "ext4", False)}
    assert {r.arrival for r in cluster if r.outcome == "ok" and r.storage_sibling == "off"} == {"copy"}
    # every cluster scenario's clones ran on both nodes
    for rs in records.values():
        if rs[0].location == "cluster-box":
            assert {r.slurm_node for r in rs} == set(sorted(box.separate_nodes())), [(r.clone, r.slurm_node) for r in rs]


@pytest.mark.slurm
def test_the_origins_transfer_lock_taken_from_one_node_is_met_by_the_other(seed_on_the_box):
    records, _, _ = seed_on_the_box
    failing = [rs for rs in records.values() if rs[0].location == "cluster-box" and observed_verdict(rs) == "FAIL"]
    assert failing
    for rs in failing:
        (winner,) = [r for r in rs if r.outcome == "ok"]
        (loser,) = [r for r in rs if r.outcome != "ok"]
        assert loser.cause == "transfer-lock" and loser.slurm_node != winner.slurm_node
        # the loser saw the lock held, in the origin on the shared volume, by a process
        # outside its node (annex_race.jobs.origin_locks.whose)
        held = [e for e in loser.evidence if " held by pid " in e and "/box/shared/" in e]
        assert held and all(e.endswith(", of another node's mount namespace)") or
                            e.endswith("(no such process on this node)") for e in held), loser.evidence
