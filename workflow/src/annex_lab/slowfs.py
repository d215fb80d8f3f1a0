#!/usr/bin/env python3
"""slowfs: a FUSE passthrough filesystem whose reads are bandwidth-limited.

It stands in for a slow network filesystem (the "lab" filesystem of an HPC
cluster) on a single machine.  Every read through the mount, from any thread,
any file and any process, draws from ONE shared token bucket, so the total
read throughput of the mount is the configured bandwidth (two concurrent
readers each get about half).  Writes and metadata operations are not
throttled.

It is meant to be a correct passthrough for git, git-annex (sqlite databases,
POSIX fcntl locks, hard links, symlinks, fifos) and DataLad working inside it:

* POSIX (fcntl) and BSD (flock) locks are left to the kernel: slowfs does not
  implement the FUSE ``lock``/``flock`` operations, so libfuse clears
  FUSE_CAP_POSIX_LOCKS/FUSE_CAP_FLOCK_LOCKS and the kernel keeps the locks
  itself.  They are seen across all processes using the mount (same machine),
  which is what git-annex probes for (it then does not fall back to
  annex.pidlock).
* Files are always opened read-write when the caller asked for write-only
  (falling back to write-only if read-write is refused): the kernel uses a
  file's handle to fill pages of a shared mmap, and sqlite (git-annex's
  databases) dies of SIGBUS when that handle cannot read.
* Timestamps keep nanoseconds (``use_ns``); UTIME_NOW / UTIME_OMIT work.
* rename honours RENAME_NOREPLACE / RENAME_EXCHANGE (renameat2).
* Extended attributes are not supported (ENOTSUP to callers), nor reflinks
  (FICLONE gives ENOTTY, so ``cp --reflink=always`` fails, as on NFS/Lustre).

Usage::

    python -m annex_lab.slowfs BACKING MOUNTPOINT --read-bw 8MiB [--foreground]

or, from Python, ``mount(backing, mountpoint, read_bw_bytes, foreground=True)``
(blocks until the filesystem is unmounted, e.g. with ``fusermount3 -u``, or
the process gets SIGTERM/SIGINT).

Needs libfuse 3 (Debian: ``apt-get install fuse3``) and ``pip install mfusepy``.
On import, slowfs sets FUSE_LIBRARY_NAME=fuse3 when libfuse3 is installed and
neither FUSE_LIBRARY_NAME nor FUSE_LIBRARY_PATH is set, because mfusepy would
otherwise prefer a libfuse 2 that happens to be installed too.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import logging
import os
import re
import stat
import sys
import threading
import time
from typing import Any

# mfusepy tries libfuse 2 first (find_library("fuse")); prefer libfuse 3 when it is
# there, unless the caller chose one with FUSE_LIBRARY_PATH / FUSE_LIBRARY_NAME.
if not (os.environ.get("FUSE_LIBRARY_PATH") or os.environ.get("FUSE_LIBRARY_NAME")):
    import ctypes.util

    if ctypes.util.find_library("fuse3"):
        os.environ["FUSE_LIBRARY_NAME"] = "fuse3"

try:
    import mfusepy
    from mfusepy import FUSE, FuseOSError, Operations, fuse_get_context
except (ImportError, OSError) as _exc:  # pragma: no cover - mfusepy raises OSError without libfuse
    raise ImportError(
        f"slowfs needs mfusepy and libfuse3 (pip install mfusepy; apt-get install fuse3): {_exc}"
    ) from _exc

__all__ = ["SlowFS", "TokenBucket", "mount", "parse_size", "main"]

log = logging.getLogger("slowfs")

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)

_AT_FDCWD = -100
_AT_SYMLINK_NOFOLLOW = 0x100
_UTIME_NOW = (1 << 30) - 1
_UTIME_OMIT = (1 << 30) - 2
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2

_libc = ctypes.CDLL(None, use_errno=True)


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def parse_size(text: str | int) -> int:
    """'8MiB', '8M', '512K', '1.5G', '4096' -> bytes (K/M/G/T are powers of 1024)."""
    if isinstance(text, int):
        return text
    m = _SIZE_RE.match(str(text))
    if not m:
        raise ValueError(f"not a size: {text!r} (expected e.g. 8MiB, 512K, 1G, 4096)")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


class TokenBucket:
    """One bucket shared by all threads: ``consume(n)`` blocks until n bytes may pass.

    Tokens refill at ``rate`` bytes/s up to ``burst``.  A caller takes its
    tokens at once (the balance may go negative, under a lock) and then sleeps
    off its own debt outside the lock, so concurrent callers are paced one
    after another and the aggregate never exceeds ``rate`` (+ burst).
    """

    def __init__(self, rate: float, burst: float = 0.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.rate = float(rate)
        self.burst = max(0.0, float(burst))
        self._tokens = self.burst
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self.total = 0  # bytes that went through, for statistics

    def consume(self, n: int) -> float:
        """Take n tokens; sleep as long as needed. Returns the time slept."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= n
            self.total += n
            debt = -self._tokens
        if debt > 0:
            delay = debt / self.rate
            time.sleep(delay)
            return delay
        return 0.0


class SlowFS(Operations):
    """Passthrough of ``backing`` with throttled reads."""

    use_ns = True  # timestamps as integer nanoseconds

    def __init__(self, backing: str, read_bw: int = 0, burst: int = 128 * 1024) -> None:
        self.root = os.path.realpath(backing)
        if not os.path.isdir(self.root):
            raise NotADirectoryError(f"backing directory does not exist: {backing}")
        self.bucket = TokenBucket(read_bw, burst) if read_bw and read_bw > 0 else None
        self._as_root = os.geteuid() == 0

    # -- helpers ---------------------------------------------------------
    def _full(self, path: str) -> str:
        return os.path.join(self.root, path.lstrip("/"))

    def _give_to_caller(self, full: str) -> int:
        """As root (allow_other), make new entries belong to the calling user; 0 (the
        FUSE result of the operation that made them)."""
        if not self._as_root:
            return 0
        uid, gid, _pid = fuse_get_context()
        if uid == 0 and gid == 0:
            return 0
        try:
            parent = os.stat(os.path.dirname(full))
            if parent.st_mode & stat.S_ISGID:
                gid = -1  # the backing fs already inherited the directory's group
            os.lchown(full, uid, gid)
        except OSError as exc:
            log.warning("cannot chown %s to %s:%s: %s", full, uid, gid, exc)
        return 0

    @staticmethod
    def _stat_dict(st: os.stat_result) -> dict[str, Any]:
        return {
            "st_mode": st.st_mode,
            "st_ino": st.st_ino,
            "st_nlink": st.st_nlink,
            "st_uid": st.st_uid,
            "st_gid": st.st_gid,
            "st_rdev": st.st_rdev,
            "st_size": st.st_size,
            "st_blksize": st.st_blksize,
            "st_blocks": st.st_blocks,
            "st_atime": st.st_atime_ns,
            "st_mtime": st.st_mtime_ns,
            "st_ctime": st.st_ctime_ns,
        }

    @staticmethod
    def _open_flags(flags: int) -> int:
        flags &= ~(os.O_CREAT | os.O_EXCL | os.O_NOCTTY | getattr(os, "O_DIRECT", 0))
        return flags | os.O_CLOEXEC

    def _open_rw(self, full: str, flags: int, mode: int = 0o777) -> int:
        """Open; upgrade write-only to read-write (mmap page reads need it)."""
        if flags & os.O_ACCMODE == os.O_WRONLY:
            try:
                return os.open(full, (flags & ~os.O_ACCMODE) | os.O_RDWR, mode)
            except PermissionError:
                pass
        return os.open(full, flags, mode)

    # -- metadata --------------------------------------------------------
    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        st = os.fstat(fh) if fh else os.lstat(self._full(path))
        return self._stat_dict(st)

    def readlink(self, path: str) -> str:
        return os.readlink(self._full(path))

    def readdir(self, path: str, fh: int):
        yield "."
        yield ".."
        with os.scandir(self._full(path)) as it:
            for entry in it:
                try:
                    yield (entry.name, {"st_mode": _dtype_mode(entry), "st_ino": entry.inode()}, 0)
                except OSError:
                    yield entry.name

    def statfs(self, path: str) -> dict[str, int]:
        sv = os.statvfs(self._full(path))
        return {
            key: getattr(sv, key)
            for key in (
                "f_bsize",
                "f_frsize",
                "f_blocks",
                "f_bfree",
                "f_bavail",
                "f_files",
                "f_ffree",
                "f_favail",
                "f_flag",
                "f_namemax",
            )
        }

    def chmod(self, path: str, mode: int) -> int:
        os.chmod(self._full(path), mode)
        return 0

    def chown(self, path: str, uid: int, gid: int) -> int:
        os.chown(self._full(path), uid, gid, follow_symlinks=False)
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        full = os.fsencode(self._full(path))
        if times is None:
            ptr = None
        else:
            ts = (_Timespec * 2)()
            for i, ns in enumerate(times):
                ns = int(ns)
                if ns in (_UTIME_NOW, _UTIME_OMIT):  # libfuse passes these as tv_sec=0
                    ts[i].tv_sec, ts[i].tv_nsec = 0, ns
                else:
                    ts[i].tv_sec, ts[i].tv_nsec = divmod(ns, 10**9)
            ptr = ts
        if _libc.utimensat(_AT_FDCWD, full, ptr, _AT_SYMLINK_NOFOLLOW) != 0:
            err = ctypes.get_errno()
            raise FuseOSError(err)
        return 0

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        if fh:
            os.ftruncate(fh, length)
        else:
            os.truncate(self._full(path), length)
        return 0

    # -- namespace -------------------------------------------------------
    def mknod(self, path: str, mode: int, dev: int) -> int:
        os.mknod(full := self._full(path), mode, dev)
        return self._give_to_caller(full)

    def mkdir(self, path: str, mode: int) -> int:
        os.mkdir(full := self._full(path), mode)
        return self._give_to_caller(full)

    def unlink(self, path: str) -> int:
        os.unlink(self._full(path))
        return 0

    def rmdir(self, path: str) -> int:
        os.rmdir(self._full(path))
        return 0

    def symlink(self, target: str, source: str) -> int:
        # mfusepy's naming: create symlink at `target` whose content is `source`
        os.symlink(source, full := self._full(target))
        return self._give_to_caller(full)

    def link(self, target: str, source: str) -> int:
        # mfusepy's naming: new hard link `target` to existing `source`
        os.link(self._full(source), self._full(target), follow_symlinks=False)
        return 0

    def rename(self, old: str, new: str, flags: int = 0) -> int:
        if not flags:
            os.rename(self._full(old), self._full(new))
            return 0
        if flags & ~(_RENAME_NOREPLACE | _RENAME_EXCHANGE):
            raise FuseOSError(errno.EINVAL)
        res = _libc.renameat2(_AT_FDCWD, os.fsencode(self._full(old)), _AT_FDCWD, os.fsencode(self._full(new)), flags)
        if res != 0:
            raise FuseOSError(ctypes.get_errno())
        return 0

    # -- file I/O --------------------------------------------------------
    def open(self, path: str, flags: int) -> int:
        return self._open_rw(self._full(path), self._open_flags(flags))

    def create(self, path: str, mode: int, flags: int) -> int:
        # Never open write-only: see the module docstring (sqlite SIGBUS).
        full = self._full(path)
        fd = self._open_rw(full, self._open_flags(flags) | os.O_CREAT, mode)
        self._give_to_caller(full)
        return fd

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        data = os.pread(fh, size, offset)
        if self.bucket is not None and data:
            self.bucket.consume(len(data))
        return data

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        return os.pwrite(fh, data, offset)

    def flush(self, path: str, fh: int) -> int:
        return 0

    def release(self, path: str, fh: int) -> int:
        os.close(fh)
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        if datasync:
            os.fdatasync(fh)
        else:
            os.fsync(fh)
        return 0

    def fallocate(self, path: str, mode: int, offset: int, size: int, fh: int) -> int:
        if mode:
            raise FuseOSError(errno.EOPNOTSUPP)
        os.posix_fallocate(fh, offset, size)
        return 0


def _dtype_mode(entry: os.DirEntry) -> int:
    """File-type bits of a directory entry (from d_type, lstat only if unknown)."""
    if entry.is_symlink():
        return stat.S_IFLNK
    if entry.is_dir(follow_symlinks=False):
        return stat.S_IFDIR
    if entry.is_file(follow_symlinks=False):
        return stat.S_IFREG
    return stat.S_IFMT(entry.stat(follow_symlinks=False).st_mode)


class _FUSE(FUSE):
    """mfusepy's FUSE, but passing rename flags (RENAME_NOREPLACE/EXCHANGE) on."""

    def rename_fuse_3(self, old: bytes, new: bytes, flags: int) -> int:
        return self.operations.rename(
            old.decode(self.encoding, self.errors), new.decode(self.encoding, self.errors), flags
        )


def libfuse_info() -> str:
    """Which libfuse mfusepy loaded, e.g. 'libfuse3.so.3 (3.14)'."""
    return f"{mfusepy._libfuse_path} ({mfusepy.fuse_version_major}.{mfusepy.fuse_version_minor})"


def mount(
    backing: str,
    mountpoint: str,
    read_bw_bytes: int | str,
    foreground: bool = True,
    *,
    burst: int | str = 128 * 1024,
    allow_other: bool | None = None,
    auto_unmount: bool = True,
    attr_timeout: float = 1.0,
    entry_timeout: float = 1.0,
    nothreads: bool = False,
    debug: bool = False,
) -> None:
    """Mount ``backing`` at ``mountpoint``; blocks until unmounted (foreground).

    With ``foreground=False`` libfuse daemonizes: it forks once mounted and
    the *calling process exits* (status 0) while the child serves the mount;
    to keep a pid to stop later, run ``foreground=True`` in a background
    process instead (as annex_lab.lab does).  ``read_bw_bytes`` <= 0: unthrottled.
    """
    read_bw = parse_size(read_bw_bytes)
    burst_b = parse_size(burst)
    if not os.path.isdir(mountpoint):
        raise NotADirectoryError(f"mount point does not exist: {mountpoint}")
    ops = SlowFS(backing, read_bw, burst_b)
    if allow_other is None:
        allow_other = os.geteuid() == 0
    fsname = "slowfs:" + ops.root.replace(",", "_")
    options: dict[str, Any] = {
        "fsname": fsname,
        "subtype": "slowfs",
        # the kernel checks permissions from the mode bits (we run as root)
        "default_permissions": True,
        # st_ino from the backing fs: git's index and hard-link checks see real inodes
        "use_ino": True,
        "readdir_ino": True,
        "attr_timeout": attr_timeout,
        "entry_timeout": entry_timeout,
        "negative_timeout": 0,
    }
    if allow_other:
        options["allow_other"] = True
    if auto_unmount:
        options["auto_unmount"] = True  # unmount even if this process is killed
    log.info(
        "slowfs %s -> %s read_bw=%s B/s burst=%s libfuse=%s",
        ops.root,
        mountpoint,
        read_bw or "unlimited",
        burst_b,
        libfuse_info(),
    )
    os.umask(0)  # the kernel already applied the caller's umask to create/mkdir modes
    _FUSE(ops, mountpoint, foreground=foreground, nothreads=nothreads, debug=debug, **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="slowfs", description="FUSE passthrough with one shared read-bandwidth limit."
    )
    parser.add_argument("backing", help="existing directory to expose")
    parser.add_argument("mountpoint", help="existing empty directory to mount on")
    parser.add_argument(
        "--read-bw", default="8MiB", help="read bandwidth for the whole mount, e.g. 8MiB, 512K; 0 = unlimited"
    )
    parser.add_argument("--burst", default="128KiB", help="token bucket size (default 128KiB)")
    parser.add_argument("--foreground", "-f", action="store_true", help="do not daemonize")
    parser.add_argument("--single-thread", action="store_true", help="nothreads=True")
    parser.add_argument("--no-allow-other", action="store_true", help="only the mounting user may access")
    parser.add_argument("--no-auto-unmount", action="store_true")
    parser.add_argument("--attr-timeout", type=float, default=1.0)
    parser.add_argument("--entry-timeout", type=float, default=1.0)
    parser.add_argument("--debug", action="store_true", help="libfuse debug output")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING,
        format="slowfs: %(message)s",
    )
    try:
        mount(
            args.backing,
            args.mountpoint,
            parse_size(args.read_bw),
            foreground=args.foreground,
            burst=args.burst,
            allow_other=False if args.no_allow_other else None,
            auto_unmount=not args.no_auto_unmount,
            attr_timeout=args.attr_timeout,
            entry_timeout=args.entry_timeout,
            nothreads=args.single_thread,
            debug=args.debug,
        )
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"slowfs: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
