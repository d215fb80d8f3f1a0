"""The filesystem lab (annex_race.lab + annex_race.slowfs). Needs root, loop devices and /dev/fuse."""

from __future__ import annotations

import errno
import fcntl
import importlib.util
import mmap
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annex_lab import lab as labmod


def why_no_lab() -> str | None:
    """Why the filesystem lab cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (losetup, mkfs, mount, FUSE allow_other)"
    missing = [t for t in labmod.TOOLS if shutil.which(t) is None]
    if missing:
        return f"missing commands: {', '.join(missing)} (apt-get install btrfs-progs xfsprogs e2fsprogs fuse3)"
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse"
    for mod in ("mfusepy", "yaml"):
        if importlib.util.find_spec(mod) is None:
            return f"python module {mod} not installed"
    return None


pytestmark = pytest.mark.skipif(why_no_lab() is not None, reason=why_no_lab() or "")

SLOW_BW = 8 * 1024**2
SIZE = "512M"
TOLERANCE = 0.30
EXPECTED_FSTYPE = {"ext4": "ext4", "btrfs": "btrfs", "xfs": "xfs", "tmpfs": "tmpfs", "slow": "fuse.slowfs"}


def assert_nothing_left(lab_dir: Path) -> None:
    assert labmod.mounts_under(lab_dir) == [], "lab mounts left behind"
    out = subprocess.run(["losetup", "-a"], capture_output=True, text=True).stdout
    assert str(lab_dir.resolve()) not in out, f"loop devices still refer to lab images:\n{out}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab_dir = tmp_path_factory.mktemp("lab")
    try:
        state = labmod.lab_up(lab_dir, SIZE, SLOW_BW)
        yield lab_dir, state
    finally:
        labmod.lab_down(lab_dir)
    assert_nothing_left(lab_dir)


def test_fstypes(lab):
    lab_dir, state = lab
    for name, fstype in EXPECTED_FSTYPE.items():
        found = labmod.findmnt(lab_dir / name)
        assert found is not None, f"{name} not mounted"
        assert found["fstype"] == fstype
        assert state["mounts"][name]["mountpoint"] == str(lab_dir / name)
    for name in ("ext4", "btrfs", "xfs"):
        entry = state["mounts"][name]
        assert labmod.findmnt(lab_dir / name)["source"] == entry["loop"]
        assert labmod.loop_backing(entry["loop"]) == str(lab_dir / "images" / f"{name}.img")


def test_reflink_only_on_btrfs_and_xfs(lab):
    lab_dir, _ = lab
    rows = {r["name"]: r for r in labmod.lab_status(lab_dir, measure=False)}
    assert {n: rows[n]["reflink"] for n in EXPECTED_FSTYPE} == {
        "ext4": False,
        "btrfs": True,
        "xfs": True,
        "tmpfs": False,
        "slow": False,
    }
    assert all(rows[n]["free"] > 0 for n in EXPECTED_FSTYPE)
    text = labmod.format_status(list(rows.values()))
    assert len(text.splitlines()) == len(EXPECTED_FSTYPE)


def test_slow_read_is_throttled(lab):
    lab_dir, _ = lab
    (bps,) = labmod.measure_read(lab_dir / "slow", 16 * 1024**2, readers=1)
    assert abs(bps - SLOW_BW) <= TOLERANCE * SLOW_BW, f"{bps / 2**20:.2f} MiB/s, limit 8 MiB/s"


def test_slow_read_budget_is_shared(lab):
    """Two concurrent readers share one budget: each gets about half."""
    lab_dir, _ = lab
    rates = labmod.measure_read(lab_dir / "slow", 16 * 1024**2, readers=2)
    for bps in rates:
        assert abs(bps - SLOW_BW / 2) <= TOLERANCE * SLOW_BW / 2, [f"{r / 2**20:.2f} MiB/s" for r in rates]


def test_ext4_reads_are_not_throttled(lab):
    lab_dir, _ = lab
    (bps,) = labmod.measure_read(lab_dir / "ext4", 16 * 1024**2)
    assert bps > 3 * SLOW_BW


LOCK_HOLDER = r"""
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


def _getlk(fd: int) -> tuple[int, int]:
    req = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
    l_type, _whence, _start, _len, pid = struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, req))
    return l_type, pid


def test_fcntl_locks_across_processes(lab):
    lab_dir, _ = lab
    path = lab_dir / "slow" / "lockfile"
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        fd = os.open(path, os.O_RDWR)
        try:
            l_type, pid = _getlk(fd)
            assert (l_type, pid) == (fcntl.F_WRLCK, holder.pid)
            with pytest.raises(OSError) as exc:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            assert exc.value.errno in (errno.EAGAIN, errno.EACCES)
            holder.stdin.close()
            holder.wait(10)
            assert _getlk(fd)[0] == fcntl.F_UNLCK
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # now free
        finally:
            os.close(fd)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_flock_across_processes(lab):
    lab_dir, _ = lab
    path = lab_dir / "slow" / "flockfile"
    path.write_text("")
    with open(path) as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        code = (
            "import fcntl,sys\nf=open(sys.argv[1])\n"
            "try:\n fcntl.flock(f, fcntl.LOCK_EX|fcntl.LOCK_NB); print('got')\n"
            "except OSError: print('busy')"
        )
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True).stdout
        assert out.strip() == "busy"


def test_passthrough_semantics(lab):
    """What git / git-annex / sqlite need: rename, links, chmod, ns times, truncate, mmap, WAL."""
    lab_dir, _ = lab
    d = lab_dir / "slow" / "semantics"
    d.mkdir()
    f = d / "f"
    f.write_bytes(b"hello world")
    os.utime(f, ns=(1_600_000_000_123_456_789, 1_700_000_000_987_654_321))
    assert f.stat().st_mtime_ns == 1_700_000_000_987_654_321
    os.chmod(f, 0o444)
    assert f.stat().st_mode & 0o777 == 0o444
    os.chmod(f, 0o644)
    os.truncate(f, 5)
    assert f.read_bytes() == b"hello"
    os.symlink("f", d / "sl")
    assert os.readlink(d / "sl") == "f" and (d / "sl").read_bytes() == b"hello"
    os.link(f, d / "hl")
    assert (d / "hl").stat().st_ino == f.stat().st_ino
    os.rename(d / "hl", d / "hl2")
    assert sorted(p.name for p in d.iterdir()) == ["f", "hl2", "sl"]
    os.mkfifo(d / "fifo")
    # a file created O_RDWR must be mmap-able (a write-only backing fd SIGBUSes sqlite)
    fd = os.open(d / "m", os.O_RDWR | os.O_CREAT, 0o644)
    os.ftruncate(fd, 8192)
    with mmap.mmap(fd, 8192) as m:
        m[0:4] = b"abcd"
        assert m[0:4] == b"abcd"
    os.fsync(fd)
    os.close(fd)
    assert (d / "m").read_bytes()[:4] == b"abcd"
    db = sqlite3.connect(d / "db.sqlite")
    assert db.execute("pragma journal_mode=wal").fetchone()[0] == "wal"
    db.execute("create table t(x)")
    db.executemany("insert into t values (?)", [(i,) for i in range(1000)])
    db.commit()
    db2 = sqlite3.connect(d / "db.sqlite")
    assert db2.execute("select count(*) from t").fetchone()[0] == 1000
    db2.close()
    db.close()
    assert os.statvfs(d).f_bavail > 0


@pytest.mark.skipif(shutil.which("git-annex") is None, reason="git-annex not on PATH")
def test_git_annex_init_keeps_fcntl_locking(lab):
    lab_dir, _ = lab
    repo = lab_dir / "slow" / "annex-repo"
    repo.mkdir()
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
    )
    for cmd in (["git", "init", "-q"], ["git", "annex", "init", "-q", "lab"]):
        subprocess.run(cmd, cwd=repo, env=env, check=True, capture_output=True)
    pidlock = subprocess.run(["git", "config", "annex.pidlock"], cwd=repo, capture_output=True, text=True)
    assert pidlock.stdout.strip() == "", "git-annex fell back to annex.pidlock: fcntl locks not seen as working"
    crippled = subprocess.run(["git", "config", "annex.crippledfilesystem"], cwd=repo, capture_output=True, text=True)
    assert crippled.stdout.strip() in ("", "false")


def test_up_twice_changes_nothing(lab):
    lab_dir, state = lab
    again = labmod.lab_up(lab_dir, SIZE, SLOW_BW)
    for name in EXPECTED_FSTYPE:
        assert again["mounts"][name] == state["mounts"][name]


def test_locations_yaml(lab):
    import yaml

    lab_dir, _ = lab
    data = yaml.safe_load((lab_dir / "locations.yaml").read_text())["locations"]
    assert set(data) == {"laptop", "cluster-cross-fs", "btrfs", "xfs", "ext4", "tmpfs", "slow"}
    expect = {
        "laptop": ("btrfs", "btrfs"),
        "cluster-cross-fs": ("fuse.slowfs", "ext4"),
        "btrfs": ("btrfs", "btrfs"),
        "xfs": ("xfs", "xfs"),
        "ext4": ("ext4", "ext4"),
        "tmpfs": ("tmpfs", "tmpfs"),
        "slow": ("fuse.slowfs", "fuse.slowfs"),
    }
    for name, spec in data.items():
        assert spec["description"] and "\n" not in spec["description"]
        for key, fstype in zip(("source_root", "clone_root"), expect[name], strict=True):
            path = Path(spec[key])
            assert path.is_absolute() and path.is_dir()
            got = subprocess.run(
                ["findmnt", "-n", "-o", "FSTYPE", "--target", str(path)], capture_output=True, text=True
            ).stdout.strip()
            assert got == fstype, (name, key, got)


def test_up_down_cycles_leave_nothing(tmp_path):
    lab_dir = tmp_path / "cycle"
    try:
        for _ in range(2):
            state = labmod.lab_up(lab_dir, "320M", "16MiB")
            pid = state["mounts"]["slow"]["pid"]
            assert set(state["mounts"]) == set(EXPECTED_FSTYPE)
            assert labmod.lab_down(lab_dir) == ["slow", "tmpfs", "xfs", "btrfs", "ext4"]
            assert labmod.lab_down(lab_dir) == []  # down twice is fine
            assert_nothing_left(lab_dir)
            assert not (lab_dir / "lab-state.json").exists()
            assert not list((lab_dir).glob("images/*.img"))
            deadline = time.monotonic() + 5
            while labmod._pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not labmod._pid_alive(pid), "slowfs process still running"
    finally:
        labmod.lab_down(lab_dir)
    assert_nothing_left(lab_dir)


def test_without_root_one_line_and_untouched(tmp_path):
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv not available")
    lab_dir = tmp_path / "nonroot"
    proc = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         sys.executable, "-m", "annex_lab", "up", "--dir", str(lab_dir)],
        capture_output=True, text=True, cwd="/",
    )
    if "Permission denied" in proc.stderr and "needs root" not in proc.stderr:
        pytest.skip(f"cannot run {sys.executable} as nobody here")
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs root" in lines[0], proc.stderr
    assert not lab_dir.exists()
