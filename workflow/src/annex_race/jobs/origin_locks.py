"""Which locks an origin holds on a key right now: asked, never taken (F_GETLK).

git-annex prints no lock path, and under DataLad not even the lock message, so at
the moment an attempt fails a job looks at the origin's transfer locks (and its pid
lock file) itself and logs what it saw (core/log_lines.PROBE_PREFIX).
"""

import fcntl
import os
import socket
import struct
import urllib.parse
from pathlib import Path

from ..core.log_lines import PROBE_PREFIX

# struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (+ padding)
_FLOCK = "hhqqi4x"


def lock_holder(path):
    """pid holding a POSIX lock on `path` (F_GETLK: asks, takes nothing), else None."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        l_type, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, query))
        return pid if l_type != fcntl.F_UNLCK else None
    finally:
        os.close(fd)


def whose(pid):
    """Where the lock holder `pid` runs, seen from here: its command on this node, in
    another mount namespace (another node of the cluster in a box), or not here at
    all (a lock taken through a network filesystem from another node)."""
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        theirs = os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return "no such process on this node"
    return comm if theirs == os.readlink("/proc/self/ns/mnt") else f"{comm}, of another node's mount namespace"


def local_path(origin):
    """The origin's path on this machine: itself, or the path of an ssh:// URL to
    this machine (else None: another host's locks cannot be probed from here)."""
    if not origin.startswith("ssh://"):
        return origin
    url = urllib.parse.urlsplit(origin)
    return url.path if url.hostname in ("localhost", "127.0.0.1", socket.gethostname()) else None


def probe_origin_locks(origin, key):
    """Lines saying which locks on `key` are held in a local origin right now."""
    annex = Path(origin) / ".git" / "annex"
    held = [
        f"{PROBE_PREFIX} {path} held by pid {pid} ({whose(pid)})"
        for path in sorted(annex.glob(f"transfer/**/lck.{key}"))
        if (pid := lock_holder(path)) is not None
    ]
    pidlock = annex / "pidlock"
    if pidlock.exists():
        pid = (pidlock.read_text().split() or ["?"])[0]
        held.append(f"{PROBE_PREFIX} {pidlock} held by pid {pid} (pid lock file)")
    return held or [f"{PROBE_PREFIX}: none held on {key} in {origin}"]
