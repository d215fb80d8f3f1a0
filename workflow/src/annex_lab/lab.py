"""The filesystem lab: loop-mounted filesystems on one machine.

Stands in for a laptop (btrfs, reflink) and an HPC cluster (a slow network
"lab" filesystem, copied to local scratch) when reproducing the git-annex
concurrent-get race.  Under one lab directory DIR, ``up`` makes:

    DIR/btrfs/   loop-mounted btrfs              (reflink)
    DIR/xfs/     loop-mounted XFS -m reflink=1   (reflink)
    DIR/ext4/    loop-mounted ext4               (no reflink)
    DIR/tmpfs/   tmpfs                           (no reflink)
    DIR/slow/    slowfs FUSE passthrough of DIR/ext4/.slow-backing, reads
                 throttled to --slow-bw for the whole mount (no reflink)
    DIR/images/  the loop image files
    DIR/lab-state.json   exactly what was mounted (mount points, loop devices,
                         FUSE pid); ``down`` undoes only what it lists
    DIR/locations.yaml   source_root/clone_root pairs for the workflow
    DIR/slowfs.log       output of the FUSE process

Usage (as root, from the working directory of the runs)::

    python -m annex_lab up     [--dir results/lab] [--size 1G] [--slow-bw 8MiB]
    python -m annex_lab status [--dir results/lab]
    python -m annex_lab down   [--dir results/lab]

Needs: Debian btrfs-progs, xfsprogs, e2fsprogs, fuse3, util-linux (installed by
`up` with apt-get when missing); Python packages mfusepy and PyYAML.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "LabError",
    "lab_up",
    "lab_down",
    "lab_status",
    "format_status",
    "load_state",
    "locations",
    "parse_size",
    "main",
]

DEFAULT_DIR = os.environ.get("ANNEX_RACE_LAB_DIR", "results/lab")
STATE_NAME = "lab-state.json"
LOCATIONS_NAME = "locations.yaml"
LOOP_FS = {
    # name: mkfs command (image path appended)
    "ext4": ["mkfs.ext4", "-q", "-F"],
    "btrfs": ["mkfs.btrfs", "-q", "-f"],
    "xfs": ["mkfs.xfs", "-q", "-f", "-m", "reflink=1"],
}
XFS_MIN = 320 * 1024**2  # mkfs.xfs refuses filesystems under 300 MB
ORDER = ["ext4", "btrfs", "xfs", "tmpfs", "slow"]  # slow's backing lives on ext4
# command -> the Debian package that has it
TOOLS = {
    "mkfs.ext4": "e2fsprogs",
    "mkfs.btrfs": "btrfs-progs",
    "mkfs.xfs": "xfsprogs",
    "losetup": "util-linux",
    "mount": "mount",
    "umount": "mount",
    "findmnt": "util-linux",
    "fusermount3": "fuse3",
    "cp": "coreutils",
}
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


class LabError(Exception):
    """A one-line, user-facing error."""


# -- small helpers --------------------------------------------------------


def parse_size(text: str | int) -> int:
    """'1G', '8MiB', '512K', '4096' -> bytes (powers of 1024)."""
    if isinstance(text, int):
        return text
    m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", str(text), re.IGNORECASE)
    if not m:
        raise LabError(f"not a size: {text!r} (expected e.g. 1G, 8MiB, 512K)")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def run(cmd: list[str], timeout: float = 120) -> str:
    """Run a command; on failure raise LabError with one line naming it."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise LabError(f"{cmd[0]}: command not found (install {TOOLS.get(cmd[0], cmd[0])})") from None
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(cmd)}: timed out after {timeout:.0f} s") from None
    if proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()[-1]
        raise LabError(f"{' '.join(cmd)} failed (exit {proc.returncode}): {msg}")
    return proc.stdout


def findmnt(path: Path) -> dict[str, str] | None:
    """{'fstype','source','options'} if a filesystem is mounted exactly at path."""
    proc = subprocess.run(
        ["findmnt", "-J", "-o", "TARGET,SOURCE,FSTYPE,OPTIONS", "--mountpoint", str(path)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    fs = json.loads(proc.stdout)["filesystems"][-1]  # the top one if stacked
    return {"fstype": fs["fstype"], "source": fs["source"], "options": fs.get("options", "")}


def mounts_under(path: Path) -> list[str]:
    """Mount points at or below path (from findmnt)."""
    out = subprocess.run(["findmnt", "-J", "-l", "-o", "TARGET"], capture_output=True, text=True).stdout
    root = str(path.resolve())
    targets = [fs["target"] for fs in json.loads(out or '{"filesystems": []}')["filesystems"]]
    return [t for t in targets if t == root or t.startswith(root + "/")]


def loops_for(image: Path) -> list[str]:
    """Loop devices backed by image (losetup -j)."""
    out = subprocess.run(["losetup", "-n", "-O", "NAME", "-j", str(image)], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def loop_backing(dev: str) -> str | None:
    proc = subprocess.run(["losetup", "-n", "-O", "BACK-FILE", dev], capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return proc.stdout.strip().removesuffix(" (deleted)") or None


def _inside(base: Path, path: str | Path) -> Path:
    """path resolved, refusing anything outside base (we never touch outside DIR)."""
    p = Path(os.path.realpath(path))
    b = Path(os.path.realpath(base))
    if p != b and b not in p.parents:
        raise LabError(f"refusing to touch {p}: outside the lab directory {b}")
    return p


def _pid_alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child, now reaped
            return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [a.decode(errors="surrogateescape") for a in raw.split(b"\0") if a]


def _need_root(action: str) -> None:
    if os.geteuid() != 0:
        raise LabError(
            f"the filesystem lab ({action}) needs root: it runs losetup, mkfs, mount/umount "
            "(loop btrfs/xfs/ext4, tmpfs) and a FUSE mount with allow_other"
        )


def _check_tools(names: list[str]) -> None:
    """Install the Debian packages of missing commands (as root, with apt-get), or
    say which are missing."""
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    pkgs = sorted({TOOLS[n] for n in missing})
    if shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *pkgs]):
            if subprocess.run(cmd, env=env, capture_output=True).returncode:
                break
        missing = [n for n in names if shutil.which(n) is None]
    if missing:
        raise LabError(f"missing commands {', '.join(missing)}: apt-get install {' '.join(pkgs)}")


@contextlib.contextmanager
def _locked(lab: Path) -> Iterator[None]:
    """Serialize up/down on one lab directory."""
    lab.mkdir(parents=True, exist_ok=True)
    with open(lab / ".lab.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


# -- state ----------------------------------------------------------------


def load_state(lab: str | Path) -> dict[str, Any]:
    path = Path(lab) / STATE_NAME
    if not path.exists():
        return {"version": 1, "dir": str(Path(lab).resolve()), "mounts": {}}
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise LabError(f"cannot read {path}: {exc}") from None
    state.setdefault("mounts", {})
    return state


def write_state(path: Path, state: dict[str, Any], empty: bool) -> None:
    """Write a state file whole (a crash leaves the old one), or remove it when `empty`."""
    if empty:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(tmp, path)


def _save_state(lab: Path, state: dict[str, Any]) -> None:
    write_state(lab / STATE_NAME, state, not state["mounts"])


# -- up ---------------------------------------------------------------------


def _is_live(lab: Path, name: str, entry: dict[str, Any]) -> bool:
    """Is the recorded filesystem still mounted as recorded?"""
    mnt = findmnt(Path(entry["mountpoint"]))
    if mnt is None or mnt["fstype"] != entry["fstype"]:
        return False
    if "loop" in entry:
        return mnt["source"] == entry["loop"] and loop_backing(entry["loop"]) == entry["image"]
    if name == "slow":
        return _pid_alive(entry["pid"]) and _cmdline(entry["pid"]) == entry["cmdline"]
    return True


def _refuse_foreign(mountpoint: Path) -> None:
    if findmnt(mountpoint) is not None:
        raise LabError(f"{mountpoint} is already mounted, but not by this lab (not in {STATE_NAME}); refusing")


def _up_loop(lab: Path, name: str, size: int, state: dict[str, Any]) -> dict[str, Any]:
    mnt = lab / name
    image = lab / "images" / f"{name}.img"
    _refuse_foreign(mnt)
    if loops_for(image):
        raise LabError(f"{image} is attached to {', '.join(loops_for(image))} but not recorded; detach it first")
    mnt.mkdir(parents=True, exist_ok=True)
    image.parent.mkdir(parents=True, exist_ok=True)
    if name == "xfs":
        size = max(size, XFS_MIN)
    image.unlink(missing_ok=True)
    with open(image, "wb") as fh:
        fh.truncate(size)  # sparse
    run(LOOP_FS[name] + [str(image)])
    loop = run(["losetup", "--find", "--show", str(image)]).strip()
    entry = {"fstype": name, "mountpoint": str(mnt), "image": str(image), "loop": loop, "size": size}
    state["mounts"][name] = entry  # recorded before mounting: down detaches it even if mount fails
    _save_state(lab, state)
    run(["mount", "-t", name, loop, str(mnt)])
    return entry


def _up_tmpfs(lab: Path, size: int, state: dict[str, Any]) -> dict[str, Any]:
    mnt = lab / "tmpfs"
    _refuse_foreign(mnt)
    mnt.mkdir(parents=True, exist_ok=True)
    run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "annex-race-lab", str(mnt)])
    entry = {"fstype": "tmpfs", "mountpoint": str(mnt), "size": size}
    state["mounts"]["tmpfs"] = entry
    _save_state(lab, state)
    return entry


def _up_slow(lab: Path, slow_bw: int, state: dict[str, Any]) -> dict[str, Any]:
    mnt = lab / "slow"
    backing = lab / "ext4" / ".slow-backing"
    _refuse_foreign(mnt)
    mnt.mkdir(parents=True, exist_ok=True)
    backing.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "annex_lab.slowfs", str(backing), str(mnt), "--read-bw", str(slow_bw),
           "--foreground", "-v"]
    logf = open(lab / "slowfs.log", "ab")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, start_new_session=True)
    logf.close()
    entry = {
        "fstype": "fuse.slowfs",
        "mountpoint": str(mnt),
        "backing": str(backing),
        "pid": proc.pid,
        "cmdline": cmd,
        "read_bw": slow_bw,
    }
    state["mounts"]["slow"] = entry
    _save_state(lab, state)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mounted = findmnt(mnt)
        if mounted and mounted["fstype"] == "fuse.slowfs":
            entry["cmdline"] = _cmdline(proc.pid) or cmd
            _save_state(lab, state)
            return entry
        if proc.poll() is not None:
            tail = (lab / "slowfs.log").read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise LabError(f"slowfs exited with {proc.returncode} before mounting: {tail[0]} (see {lab}/slowfs.log)")
        time.sleep(0.1)
    raise LabError(f"slowfs did not mount {mnt} within 20 s (see {lab}/slowfs.log)")


# location -> (filesystem of source_root, filesystem of clone_root, description)
LOCATIONS = {
    "laptop": ("btrfs", "btrfs", "laptop: source and clones on one btrfs (reflink copies are instant)"),
    "cluster-cross-fs": ("slow", "ext4", "cluster: source on a slow read-throttled FUSE lab fs, clones on local ext4"),
    "btrfs": ("btrfs", "btrfs", "btrfs only, reflink"),
    "xfs": ("xfs", "xfs", "XFS with reflink=1 only"),
    "ext4": ("ext4", "ext4", "ext4 only, no reflink: full copies at disk speed"),
    "tmpfs": ("tmpfs", "tmpfs", "tmpfs only, no reflink: full copies at memory speed"),
    "slow": ("slow", "slow", "slow FUSE fs only: every read of the copy is throttled"),
}
FSTYPES = {"ext4": "ext4", "btrfs": "btrfs", "xfs": "xfs", "tmpfs": "tmpfs", "slow": "fuse.slowfs"}


def locations(lab: Path) -> dict[str, Any]:
    """The locations.yaml mapping for a lab directory: each location has its own
    directories (two locations on one filesystem never share a dataset), and says
    which filesystems its roots must be on, so that a run refuses to start when the
    lab is down."""
    d = lab.resolve()
    return {
        "locations": {
            name: {
                "description": desc,
                "source_root": str(d / src / name / "source"),
                "clone_root": str(d / clones / name / "clones"),
                "filesystems": {"source": FSTYPES[src], "clone": FSTYPES[clones]},
            }
            for name, (src, clones, desc) in LOCATIONS.items()
        }
    }


def _write_locations(lab: Path) -> Path:
    import yaml

    data = locations(lab)
    for spec in data["locations"].values():
        for key in ("source_root", "clone_root"):
            Path(spec[key]).mkdir(parents=True, exist_ok=True)
    path = lab / LOCATIONS_NAME
    path.write_text(
        "# Written by `python -m annex_lab up`: locations on the lab's filesystems.\n"
        + yaml.safe_dump(data, sort_keys=False, width=200)
    )
    return path


def lab_up(lab_dir: str | Path = DEFAULT_DIR, size: str | int = "1G", slow_bw: str | int = "8MiB") -> dict[str, Any]:
    """Bring the lab up (idempotent). Returns the state dict (also in DIR/lab-state.json)."""
    _need_root("up")
    _check_tools(["mkfs.ext4", "mkfs.btrfs", "mkfs.xfs", "losetup", "mount", "findmnt", "fusermount3"])
    for module, pip in (("mfusepy", "mfusepy"), ("yaml", "PyYAML")):
        if importlib.util.find_spec(module) is None:
            raise LabError(f"{sys.executable} lacks the Python module {module}: pip install {pip}")
    size_b, bw_b = parse_size(size), parse_size(slow_bw)
    if bw_b <= 0:
        raise LabError("--slow-bw must be > 0")
    lab = Path(lab_dir).resolve()
    with _locked(lab):
        state = load_state(lab)
        state.update({"version": 1, "dir": str(lab)})
        recreated: set[str] = set()
        for name in ORDER:
            entry = state["mounts"].get(name)
            if entry is not None:
                live = _is_live(lab, name, entry)
                if live and name == "slow" and ("ext4" in recreated or entry.get("read_bw") != bw_b):
                    _down_one(lab, name, entry)  # restart with the new backing / bandwidth
                    live = False
                if live:
                    continue
                _down_one(lab, name, entry)  # half-dead leftovers: clean what is recorded
                del state["mounts"][name]
                _save_state(lab, state)
            if name in LOOP_FS:
                _up_loop(lab, name, size_b, state)
            elif name == "tmpfs":
                _up_tmpfs(lab, size_b, state)
            else:
                _up_slow(lab, bw_b, state)
            recreated.add(name)
        state["locations"] = str(_write_locations(lab))
        _save_state(lab, state)
        return state


# -- down -------------------------------------------------------------------


def _umount(mountpoint: str, fuse: bool = False) -> None:
    cmd = ["fusermount3", "-u", mountpoint] if fuse else ["umount", mountpoint]
    error = ""
    for _ in range(6):
        try:
            run(cmd)
            return
        except LabError as exc:
            if findmnt(Path(mountpoint)) is None:
                return
            error = str(exc)
            time.sleep(0.5)
    # still busy: detach lazily so nothing stays in the namespace
    print(f"annex_lab: warning: {error}; unmounting lazily", file=sys.stderr)
    run(["fusermount3", "-u", "-z", mountpoint] if fuse else ["umount", "-l", mountpoint])


def _down_one(lab: Path, name: str, entry: dict[str, Any]) -> None:
    """Undo one recorded filesystem: unmount, stop/detach, remove its image."""
    mnt = _inside(lab, entry["mountpoint"])
    mounted = findmnt(mnt)
    if name == "slow":
        if mounted and mounted["fstype"] == entry["fstype"]:
            _umount(str(mnt), fuse=True)
        pid = int(entry["pid"])
        deadline = time.monotonic() + 5
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _pid_alive(pid) and _cmdline(pid) == entry["cmdline"]:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _pid_alive(pid) and _cmdline(pid) == entry["cmdline"]:
                os.kill(pid, signal.SIGKILL)
        return
    if "loop" in entry:
        image = _inside(lab, entry["image"])
        if mounted and mounted["source"] == entry["loop"]:
            _umount(str(mnt))
        if loop_backing(entry["loop"]) == str(image):
            run(["losetup", "-d", entry["loop"]])
        image.unlink(missing_ok=True)
        return
    if mounted and mounted["fstype"] == entry["fstype"]:
        _umount(str(mnt))


def lab_down(lab_dir: str | Path = DEFAULT_DIR) -> list[str]:
    """Tear down exactly what DIR/lab-state.json lists. Returns the names undone."""
    _need_root("down")
    lab = Path(lab_dir).resolve()
    if not (lab / STATE_NAME).exists():
        return []
    with _locked(lab):
        state = load_state(lab)
        done = []
        for name in reversed(ORDER + sorted(set(state["mounts"]) - set(ORDER))):
            entry = state["mounts"].get(name)
            if entry is None:
                continue
            _down_one(lab, name, entry)
            del state["mounts"][name]
            _save_state(lab, state)
            done.append(name)
        for leftover in [lab / LOCATIONS_NAME]:
            leftover.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            (lab / "images").rmdir()
        for name in ORDER:  # empty mount point directories
            with contextlib.suppress(OSError):
                (lab / name).rmdir()
        return done


# -- status -------------------------------------------------------------------


def _reflink_works(mnt: Path) -> bool:
    with tempfile.TemporaryDirectory(prefix=".lab-probe-", dir=mnt) as tmp:
        src = Path(tmp) / "a"
        src.write_bytes(os.urandom(65536))
        proc = subprocess.run(["cp", "--reflink=always", str(src), str(Path(tmp) / "b")], capture_output=True)
        return proc.returncode == 0


def measure_read(mnt: Path, size: int = 16 * 1024**2, readers: int = 1) -> list[float]:
    """Write `readers` files of `size` bytes in mnt, read them concurrently; bytes/s each."""
    import threading

    with tempfile.TemporaryDirectory(prefix=".lab-probe-", dir=mnt) as tmp:
        files = []
        for i in range(readers):
            f = Path(tmp) / f"r{i}"
            with open(f, "wb") as fh:
                fh.write(os.urandom(size))
            files.append(f)
        results = [0.0] * readers

        def reader(i: int) -> None:
            t0 = time.monotonic()
            n = 0
            with open(files[i], "rb", buffering=0) as fh:
                while chunk := fh.read(1024 * 1024):
                    n += len(chunk)
            results[i] = n / (time.monotonic() - t0)

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results


def lab_status(lab_dir: str | Path = DEFAULT_DIR, measure: bool = True) -> list[dict[str, Any]]:
    """One dict per filesystem: name, mountpoint, fstype, mounted, reflink, free, read_bps."""
    _need_root("status")
    lab = Path(lab_dir).resolve()
    state = load_state(lab)
    rows = []
    for name in ORDER:
        mnt = lab / name
        entry = state["mounts"].get(name)
        found = findmnt(mnt)
        row: dict[str, Any] = {
            "name": name,
            "mountpoint": str(mnt),
            "recorded": entry is not None,
            "mounted": found is not None,
            "fstype": found["fstype"] if found else None,
            "source": found["source"] if found else None,
            "reflink": None,
            "free": None,
            "read_bps": None,
        }
        if found and entry is not None:
            row["free"] = shutil.disk_usage(mnt).free
            row["reflink"] = _reflink_works(mnt)
            if name == "slow":
                row["read_limit"] = entry.get("read_bw")
                if measure:
                    row["read_bps"] = measure_read(mnt)[0]
        rows.append(row)
    return rows


def format_status(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        if not r["mounted"]:
            lines.append(f"{r['name']:<6} {r['mountpoint']}  not mounted" + (" (recorded!)" if r["recorded"] else ""))
            continue
        extra = ""
        if r.get("read_bps") is not None:
            extra = f"  read {human(r['read_bps'])}/s (limit {human(r['read_limit'])}/s)"
        owner = "" if r["recorded"] else "  NOT ours"
        lines.append(
            f"{r['name']:<6} {r['mountpoint']}  {r['fstype']}  reflink={'yes' if r['reflink'] else 'no'}"
            f"  free {human(r['free']) if r['free'] is not None else '?'}{extra}{owner}"
        )
    return "\n".join(lines)


# -- CLI ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m annex_lab",
                                     description="Loop-mounted filesystem lab for annex-race.")
    parser.add_argument("action", choices=["up", "status", "down"])
    parser.add_argument(
        "--dir", default=DEFAULT_DIR, help=f"lab directory (default {DEFAULT_DIR}, env ANNEX_RACE_LAB_DIR)"
    )
    parser.add_argument("--size", default="1G", help="size of each loop image and of the tmpfs (default 1G)")
    parser.add_argument("--slow-bw", default="8MiB", help="read bandwidth of slow/ (default 8MiB)")
    parser.add_argument("--no-measure", action="store_true", help="status: skip the slow read measurement")
    args = parser.parse_args(argv)
    try:
        if args.action == "up":
            state = lab_up(args.dir, args.size, args.slow_bw)
            for name in ORDER:
                e = state["mounts"][name]
                how = e.get("loop") or (f"pid {e['pid']}" if "pid" in e else e["fstype"])
                print(f"{name:<6} {e['mountpoint']}  {e['fstype']}  ({how})")
            print(f"locations: {state['locations']}")
        elif args.action == "down":
            done = lab_down(args.dir)
            print(f"down: {', '.join(done)}" if done else f"down: nothing recorded in {Path(args.dir) / STATE_NAME}")
        else:
            print(format_status(lab_status(args.dir, measure=not args.no_measure)))
    except LabError as exc:
        print(f"annex_lab: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
