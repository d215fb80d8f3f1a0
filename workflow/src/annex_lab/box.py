"""The cluster in a box: a storage server, a network link and node-local scratch.

The lab's slowfs shows the mechanism of the race (a slow full copy outlasts the
loser's retries); the box adds what a cluster's network filesystem does by itself.
Under DIR/box, ``up`` makes:

    a storage host    a network namespace of its own with a veth link to this machine,
                      its rate (and, where the kernel has netem, its latency) set with tc;
                      glusterd and the volume's brick process run there, listening only on
                      the namespace's address, the brick on a loop-mounted ext4 (its disk)
    DIR/box/shared/   the GlusterFS volume, mounted over FUSE on this machine (the login
                      node) and, with a client process of its own, inside every node
    DIR/box/scratch/  node-local scratch: a loop-mounted ext4 of its own on this machine
                      and on each SLURM node of the test cluster, mounted inside the node's
                      mount namespace (tests/slurm/slurm-up.sh starts each slurmd in one),
                      so that a node's jobs see its scratch alone
    DIR/box/box-state.json   everything started or mounted, with pids; ``down`` undoes
                             exactly that, by pid, even after a failure in ``up``
    DIR/box/locations.yaml   cluster-box, box-shared and box-scratch for the workflow

Usage (as root)::

    python -m annex_lab box up     [--dir results/lab] [--link-rate 1gbit] [--latency 0.2ms]
    python -m annex_lab box status [--dir results/lab]
    python -m annex_lab box down   [--dir results/lab]

Needs Debian's glusterfs-server, glusterfs-client, iproute2, util-linux and e2fsprogs
(installed by ``up`` with apt-get when missing).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .lab import (DEFAULT_DIR, TOOLS, LabError, _check_tools, _cmdline, _inside, _locked, _need_root,
                  _pid_alive, findmnt, human, loop_backing, loops_for, parse_size, run, write_state)

TOOLS.update({"glusterd": "glusterfs-server", "gluster": "glusterfs-server", "glusterfs": "glusterfs-client",
              "ip": "iproute2", "tc": "iproute2", "nsenter": "util-linux"})
STATE_NAME = "box-state.json"
LOCATIONS_NAME = "locations.yaml"
VOLUME = "box"
SHARED_FSTYPE = "fuse.glusterfs"
# location -> (where source_root is, where clone_root is, description)
LOCATIONS = {
    "cluster-box": ("shared", "scratch", "the seed's cluster: datasets and RIA stores on the shared GlusterFS "
                                         "volume, clones on each node's own scratch"),
    "box-shared": ("shared", "shared", "sources and clones on the shared GlusterFS volume"),
    "box-scratch": ("scratch", "scratch", "sources and clones on one node's scratch (ext4; a local run's: "
                                          "another node cannot see them)"),
}
FSTYPES = {"shared": SHARED_FSTYPE, "scratch": "ext4"}


def box_dir(lab_dir: str | Path) -> Path:
    return Path(lab_dir).resolve() / "box"


def names(box: Path) -> dict[str, str]:
    """The namespace, links and addresses of one box (from a hash of its directory, so
    that two boxes on one machine do not meet)."""
    h = hashlib.sha1(str(box).encode()).hexdigest()[:6]
    octet = int(h[:2], 16)
    return {"netns": f"annex-race-box-{h}", "host_link": f"arb{h}h", "storage_link": f"arb{h}s",
            "host_ip": f"10.213.{octet}.1", "storage_ip": f"10.213.{octet}.2",
            "run_dir": f"/run/annex-race-box-{h}"}  # short: glusterd's unix socket lives here


def load_state(box: Path) -> dict[str, Any]:
    path = box / STATE_NAME
    if not path.exists():
        return {"steps": []}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise LabError(f"cannot read {path}: {exc}") from None


def _save(box: Path, state: dict[str, Any]) -> None:
    write_state(box / STATE_NAME, state, not state["steps"])


def _record(box: Path, state: dict[str, Any], step: dict[str, Any]) -> dict[str, Any]:
    """Record a step before it takes effect, so that `down` undoes it even if it fails."""
    state["steps"].append(step)
    _save(box, state)
    return step


def _mnt_ns(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return None


def _in_ns(pid: int | None, cmd: list[str]) -> list[str]:
    """cmd, run inside the mount namespace of `pid` (a node's slurmd), or here."""
    return ["nsenter", "-t", str(pid), "-m", "--", *cmd] if pid else cmd


def slurm_nodes() -> dict[str, int]:
    """{node name: slurmd pid} of the slurmd daemons running on this machine."""
    nodes = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if (proc / "comm").read_text().strip() != "slurmd":
                continue
            args = _cmdline(int(proc.name))
            node = args[args.index("-N") + 1] if "-N" in args else os.uname().nodename.split(".")[0]
            nodes[node] = int(proc.name)
    return nodes


def separate_nodes() -> dict[str, int]:
    """The slurmd daemons running here in a mount namespace of their own (the nodes a
    box can give a scratch of their own): {node name: slurmd pid}."""
    here = _mnt_ns(os.getpid())
    return {node: pid for node, pid in slurm_nodes().items() if _mnt_ns(pid) not in (None, here)}


def _wait(what: str, check, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise LabError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.2)


def _fuse_pid(mountpoint: Path, ns: str | None) -> int | None:
    """The glusterfs client process serving mountpoint in mount namespace ns."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            args = _cmdline(int(proc.name))
            if args and args[0].endswith("glusterfs") and args[-1] == str(mountpoint) \
                    and _mnt_ns(int(proc.name)) == ns:
                return int(proc.name)
    return None


def _stop(pid: int, cmdline: list[str], timeout: float = 10) -> None:
    """Stop a recorded process by pid (only if it is still the one recorded)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not _pid_alive(pid) or _cmdline(pid) != cmdline:
            return
        os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)


def _mounted_in(pid: int | None, mountpoint: str) -> dict[str, str] | None:
    if not pid:
        return findmnt(Path(mountpoint))
    out = subprocess.run(_in_ns(pid, ["findmnt", "-J", "-o", "SOURCE,FSTYPE", "--mountpoint", mountpoint]),
                         capture_output=True, text=True)
    if out.returncode or not out.stdout.strip():
        return None
    return json.loads(out.stdout)["filesystems"][-1]


def _umount_in(pid: int | None, mountpoint: str) -> None:
    for _ in range(10):
        if _mounted_in(pid, mountpoint) is None:
            return
        if subprocess.run(_in_ns(pid, ["umount", mountpoint]), capture_output=True).returncode == 0:
            continue
        time.sleep(0.5)
    print(f"annex_lab box: warning: {mountpoint} busy; unmounting lazily", file=sys.stderr)
    subprocess.run(_in_ns(pid, ["umount", "-l", mountpoint]), capture_output=True)


# -- up -------------------------------------------------------------------------


def _loop_disk(box: Path, state: dict[str, Any], name: str, size: int, mountpoint: Path,
               node: str | None = None, pid: int | None = None) -> None:
    """A sparse ext4 image, attached to a loop device and mounted at mountpoint (inside
    the node's mount namespace when `pid` is a node's slurmd)."""
    image = box / "images" / f"{name}.img"
    image.parent.mkdir(parents=True, exist_ok=True)
    if loops_for(image):
        raise LabError(f"{image} is attached to {', '.join(loops_for(image))} but not recorded; detach it first")
    if _mounted_in(pid, str(mountpoint)) and node is None:
        raise LabError(f"{mountpoint} is already mounted, but not by this box; refusing")
    image.unlink(missing_ok=True)
    with open(image, "wb") as fh:
        fh.truncate(size)
    run(["mkfs.ext4", "-q", "-F", str(image)])
    loop = run(["losetup", "--find", "--show", str(image)]).strip()
    _record(box, state, {"kind": "disk", "name": name, "image": str(image), "loop": loop,
                         "mountpoint": str(mountpoint), "node": node, "pid": pid, "ns": _mnt_ns(pid) if pid else None})
    mountpoint.mkdir(parents=True, exist_ok=True)
    run(_in_ns(pid, ["mount", "-t", "ext4", loop, str(mountpoint)]))


def _link(box: Path, state: dict[str, Any], n: dict[str, str], rate: str, latency: str) -> str:
    """The storage host's namespace and its veth link, shaped with tc. Returns what the
    link's latency is (netem is not in every kernel: then it says so)."""
    if subprocess.run(["ip", "netns", "pid", n["netns"]], capture_output=True).returncode == 0 or \
            Path(f"/run/netns/{n['netns']}").exists():
        raise LabError(f"network namespace {n['netns']} exists but is not recorded in {box / STATE_NAME}; "
                       f"remove it (ip netns del {n['netns']})")
    _record(box, state, {"kind": "netns", "netns": n["netns"]})
    run(["ip", "netns", "add", n["netns"]])
    run(["ip", "link", "add", n["host_link"], "type", "veth", "peer", "name", n["storage_link"]])
    run(["ip", "link", "set", n["storage_link"], "netns", n["netns"]])
    run(["ip", "addr", "add", f"{n['host_ip']}/30", "dev", n["host_link"]])
    run(["ip", "link", "set", n["host_link"], "up"])
    run(["ip", "-n", n["netns"], "addr", "add", f"{n['storage_ip']}/30", "dev", n["storage_link"]])
    run(["ip", "-n", n["netns"], "link", "set", n["storage_link"], "up"])
    run(["ip", "-n", n["netns"], "link", "set", "lo", "up"])
    rate_bps = parse_rate(rate)
    burst = max(32 * 1024, rate_bps // 8 // 100)
    said = "none set"
    for dev, netns in ((n["host_link"], None), (n["storage_link"], n["netns"])):
        tc = ["ip", "netns", "exec", netns, "tc"] if netns else ["tc"]
        shaped = False
        if parse_latency(latency) > 0:
            netem = subprocess.run(tc + ["qdisc", "add", "dev", dev, "root", "netem", "delay", latency,
                                         "rate", rate], capture_output=True, text=True)
            shaped = netem.returncode == 0
            said = latency if shaped else f"{latency} asked, not set: this kernel has no netem ({netem.stderr.strip()})"
        if not shaped:
            run(tc + ["qdisc", "add", "dev", dev, "root", "tbf", "rate", rate, "burst", str(burst), "latency", "50ms"])
    return said


def _server(box: Path, state: dict[str, Any], n: dict[str, str]) -> None:
    """glusterd and the volume's brick, inside the storage host's namespace."""
    work, run_dir, logs = box / "glusterd", Path(n["run_dir"]), box / "logs"
    for d in (work, logs):
        d.mkdir(parents=True, exist_ok=True)
    _record(box, state, {"kind": "dir", "path": str(run_dir)})
    run_dir.mkdir(parents=True, exist_ok=True)
    vol = box / "glusterd.vol"
    vol.write_text(f"""volume management
    type mgmt/glusterd
    option working-directory {work}
    option run-directory {run_dir}
    option glusterd-sockfile {run_dir}/glusterd.socket
    option transport-type socket
    option transport.socket.bind-address {n['storage_ip']}
    option transport.socket.listen-port 24007
    option ping-timeout 0
    option event-threads 1
end-volume
""")
    cmd = ["ip", "netns", "exec", n["netns"], "glusterd", "-N", "-f", str(vol), "-p", str(run_dir / "glusterd.pid"),
           f"--log-file={logs / 'glusterd.log'}"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # ip netns exec execs: proc.pid is glusterd's
    _wait("glusterd's start", lambda: _cmdline(proc.pid)[:1] == ["glusterd"] or not _pid_alive(proc.pid), 10)
    _record(box, state, {"kind": "process", "what": "glusterd", "pid": proc.pid, "cmdline": _cmdline(proc.pid)})
    cli = ["gluster", f"--glusterd-sock={run_dir}/glusterd.socket", "--mode=script",
           f"--log-file={logs / 'cli.log'}"]
    _wait("glusterd answering", lambda: not _pid_alive(proc.pid) or subprocess.run(
        cli + ["pool", "list"], capture_output=True).returncode == 0)
    if not _pid_alive(proc.pid):
        raise LabError(f"glusterd exited at start; see {logs / 'glusterd.log'}")
    brick = box / "brick-disk" / "brick"
    brick.mkdir(exist_ok=True)
    run(cli + ["volume", "create", VOLUME, f"{n['storage_ip']}:{brick}", "force"], timeout=60)
    _record(box, state, {"kind": "volume", "cli": cli})
    run(cli + ["volume", "start", VOLUME], timeout=60)
    vols = run_dir / "vols" / VOLUME

    def brick_pid() -> int | None:
        for pidfile in vols.glob("*.pid"):
            text = pidfile.read_text().strip()
            if text.isdigit():
                return int(text)
        return None

    _wait("the brick's pid file", lambda: brick_pid() is not None)
    pid = brick_pid()
    _record(box, state, {"kind": "process", "what": "glusterfsd", "pid": pid, "cmdline": _cmdline(pid)})


def _client(box: Path, state: dict[str, Any], n: dict[str, str], node: str | None, pid: int | None,
            keep_cache: bool) -> None:
    """A GlusterFS client of its own (a FUSE process) mounting the volume at DIR/box/shared,
    here or inside a node's mount namespace. Unless `keep_cache`, every open reads from the
    server, as a node's first read of an image made elsewhere does: GlusterFS 10's client
    keeps the page cache across opens, so the node that wrote a dataset re-read its image
    from memory (96 MiB in 0.02 s instead of 4.2 s over 200 Mbit/s)."""
    mnt = box / "shared"
    mnt.mkdir(exist_ok=True)
    ns = _mnt_ns(pid) if pid else _mnt_ns(os.getpid())
    step = _record(box, state, {"kind": "client", "mountpoint": str(mnt), "node": node, "pid": pid, "ns": ns})
    log = box / "logs" / f"client-{node or 'login'}.log"
    # glusterfs itself, not mount.glusterfs: that refuses a node its own client over the
    # login node's mount it sees through propagation
    run(_in_ns(pid, ["glusterfs", "--process-name", "fuse", f"--volfile-server={n['storage_ip']}",
                     f"--volfile-id=/{VOLUME}", f"--log-file={log}", f"--fopen-keep-cache={str(keep_cache).lower()}",
                     str(mnt)]), timeout=60)
    _wait(f"the volume mounted at {mnt}", lambda: (_mounted_in(pid, str(mnt)) or {}).get("fstype") == SHARED_FSTYPE)
    fuse = _fuse_pid(mnt, ns)
    if fuse is None:
        raise LabError(f"no glusterfs client process serves {mnt} ({node or 'this machine'})")
    step.update(fuse_pid=fuse, fuse_cmdline=_cmdline(fuse))
    _save(box, state)


def write_locations(box: Path) -> Path:
    import yaml

    spec = {name: {"description": desc,
                   "source_root": str(box / src / name / "source"),
                   "clone_root": str(box / clones / name / "clones"),
                   "filesystems": {"source": FSTYPES[src], "clone": FSTYPES[clones]}}
            for name, (src, clones, desc) in LOCATIONS.items()}
    for entry in spec.values():
        for key in ("source_root", "clone_root"):
            Path(entry[key]).mkdir(parents=True, exist_ok=True)
    path = box / LOCATIONS_NAME
    path.write_text("# Written by `python -m annex_lab box up`: locations in the cluster in a box.\n"
                    + yaml.safe_dump({"locations": spec}, sort_keys=False, width=200))
    return path


def box_up(lab_dir: str | Path = DEFAULT_DIR, link_rate: str = "1gbit", latency: str = "0.2ms",
           size: str | int = "4G", scratch_size: str | int = "2G", nodes: list[str] | None = None,
           keep_cache: bool = False) -> dict[str, Any]:
    """Bring the box up; on any failure, undo what was done and raise. `nodes`: the SLURM
    nodes to give a scratch and a client (None: every slurmd running here); `keep_cache`:
    the clients keep what they read or wrote in memory across opens (_client)."""
    _need_root("box up")
    _check_tools(["glusterd", "gluster", "glusterfs", "ip", "tc", "nsenter", "losetup", "mkfs.ext4", "findmnt"])
    parse_rate(link_rate), parse_latency(latency)  # bad input: one line, before anything is touched
    size_b, scratch_b = parse_size(size), parse_size(scratch_size)
    running = slurm_nodes()
    nodes = sorted(running) if nodes is None else nodes
    box = box_dir(lab_dir)
    with _locked(box):
        if load_state(box)["steps"]:
            raise LabError(f"the box in {box} is up already (or half up): run `python -m annex_lab box down` first")
        n = names(box)
        state: dict[str, Any] = {"dir": str(box), "names": n, "link_rate": link_rate, "keep_cache": keep_cache,
                                 "steps": []}
        try:
            _loop_disk(box, state, "brick", size_b, box / "brick-disk")
            state["latency"] = _link(box, state, n, link_rate, latency)
            _server(box, state, n)
            _client(box, state, n, None, None, keep_cache)
            _loop_disk(box, state, "scratch-login", scratch_b, box / "scratch")
            for node in nodes:
                pid = running.get(node)
                if pid is None:
                    raise LabError(f"node {node}: no slurmd of that name runs on this machine")
                if _mnt_ns(pid) == _mnt_ns(os.getpid()):
                    raise LabError(f"node {node}: its slurmd (pid {pid}) shares this machine's mount namespace, "
                                   "so it cannot have a scratch of its own: restart the test cluster "
                                   "(tests/slurm/slurm-down.sh; tests/slurm/slurm-up.sh starts each slurmd in its own)")
                _loop_disk(box, state, f"scratch-{node}", scratch_b, box / "scratch", node, pid)
                _client(box, state, n, node, pid, keep_cache)
            state["nodes"] = nodes
            state["locations"] = str(write_locations(box))
            _save(box, state)
            return state
        except BaseException:
            _undo(box, state)
            raise


# -- down -----------------------------------------------------------------------


def _undo_step(box: Path, step: dict[str, Any]) -> None:
    kind, pid = step["kind"], step.get("pid")
    alive_ns = (not step.get("node")) or (_pid_alive(pid) and _mnt_ns(pid) == step["ns"])
    if kind == "client":
        if alive_ns:
            _umount_in(step["pid"] if step.get("node") else None, step["mountpoint"])
        if step.get("fuse_pid"):
            _stop(step["fuse_pid"], step["fuse_cmdline"])
    elif kind == "disk":
        if alive_ns:
            mounted = _mounted_in(pid if step.get("node") else None, step["mountpoint"])
            if mounted and mounted["source"] == step["loop"]:
                _umount_in(pid if step.get("node") else None, step["mountpoint"])
        image = _inside(box, step["image"])
        if loop_backing(step["loop"]) == str(image):
            run(["losetup", "-d", step["loop"]])
        image.unlink(missing_ok=True)
    elif kind == "volume":
        pass  # its definition lives in glusterd's working directory, removed below
    elif kind == "process":
        _stop(step["pid"], step["cmdline"])
    elif kind == "netns":
        if Path(f"/run/netns/{step['netns']}").exists():
            run(["ip", "netns", "del", step["netns"]])  # its end of the veth goes with it, and so the link
    elif kind == "dir":
        path = Path(step["path"])
        if path.parent == Path("/run") and path.name.startswith("annex-race-box-"):
            shutil.rmtree(path, ignore_errors=True)


def _undo(box: Path, state: dict[str, Any]) -> list[str]:
    done = []
    while state["steps"]:
        step = state["steps"][-1]
        _undo_step(box, step)
        state["steps"].pop()
        _save(box, state)
        done.append(step["kind"] + (f" ({step['node']})" if step.get("node") else ""))
    for leftover in ("glusterd", "logs", "images"):
        path = box / leftover
        if path.exists():
            shutil.rmtree(_inside(box, path))
    for name in (LOCATIONS_NAME, "glusterd.vol"):
        (box / name).unlink(missing_ok=True)
    return done


def box_down(lab_dir: str | Path = DEFAULT_DIR) -> list[str]:
    """Undo exactly what DIR/box/box-state.json lists, newest first."""
    _need_root("box down")
    box = box_dir(lab_dir)
    if not (box / STATE_NAME).exists():
        return []
    with _locked(box):
        return _undo(box, load_state(box))


# -- status ---------------------------------------------------------------------


def parse_rate(text: str) -> int:
    """'1gbit', '100mbit', '500kbit' -> bits per second (tc's units)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)bit\s*", str(text), re.IGNORECASE)
    if not m:
        raise LabError(f"--link-rate: not a rate: {text!r} (expected e.g. 1gbit, 200mbit)")
    return int(float(m.group(1)) * {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[m.group(2).lower()])


def parse_latency(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(us|ms|s)\s*", str(text))
    if not m:
        raise LabError(f"--latency: not a delay: {text!r} (expected e.g. 0.2ms, 0ms)")
    return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(2)]


def box_status(lab_dir: str | Path = DEFAULT_DIR) -> list[str]:
    box = box_dir(lab_dir)
    state = load_state(box)
    if not state["steps"]:
        return [f"the box in {box} is down"]
    cache = "keep file contents across opens" if state.get("keep_cache") else "read from the server at every open"
    lines = [f"link {state['link_rate']}, latency {state.get('latency', '?')}, "
             f"storage host {state['names']['storage_ip']} in netns {state['names']['netns']}, clients {cache}"]
    for step in state["steps"]:
        where = step.get("node") or "login"
        if step["kind"] == "process":
            lines.append(f"{step['what']:<10} pid {step['pid']}  {'running' if _pid_alive(step['pid']) else 'GONE'}")
        elif step["kind"] in ("disk", "client"):
            mounted = _mounted_in(step["pid"] if step.get("node") else None, step["mountpoint"])
            fs = mounted["fstype"] if mounted else "NOT MOUNTED"
            free = ""
            if mounted and not step.get("node"):
                free = f"  free {human(shutil.disk_usage(step['mountpoint']).free)}"
            lines.append(f"{step['kind']:<10} {where:<6} {step['mountpoint']}  {fs}{free}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m annex_lab box", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "status", "down"])
    parser.add_argument("--dir", default=DEFAULT_DIR, help=f"lab directory; the box lives in DIR/box (default {DEFAULT_DIR})")
    parser.add_argument("--link-rate", default="1gbit", help="the storage link's rate, in tc's units (default 1gbit)")
    parser.add_argument("--latency", default="0.2ms", help="the storage link's one-way delay (needs netem; default 0.2ms)")
    parser.add_argument("--size", default="4G", help="the storage server's disk (default 4G, sparse)")
    parser.add_argument("--scratch-size", default="2G", help="each node's scratch (default 2G, sparse)")
    parser.add_argument("--keep-cache", action="store_true",
                        help="the clients keep file contents in memory across opens (GlusterFS's default); "
                             "without it every open reads from the server")
    parser.add_argument("--nodes", default=None, help="comma-separated SLURM nodes (default: every slurmd running here; "
                                                      "'' for none)")
    args = parser.parse_args(argv)
    nodes = None if args.nodes is None else [n for n in args.nodes.split(",") if n]
    try:
        if args.action == "up":
            state = box_up(args.dir, args.link_rate, args.latency, args.size, args.scratch_size, nodes,
                           args.keep_cache)
            print("\n".join(box_status(args.dir)))
            print(f"locations: {state['locations']}")
        elif args.action == "down":
            done = box_down(args.dir)
            print(f"down: {', '.join(done)}" if done else "down: nothing recorded")
        else:
            print("\n".join(box_status(args.dir)))
    except LabError as exc:
        print(f"annex_lab box: {exc}", file=sys.stderr)
        return 1
    return 0
