"""A location, probed once before its datasets are made (rule probe_location): the
filesystem type of each root, whether both are one filesystem, whether a reflink
copy from one to the other works (what decides how fast git-annex's copy is) and
whether a hardlink does (what lets the lanes share one image)."""

import os
import subprocess
import uuid
from pathlib import Path

from ..core.roots import filesystem_type, safe_remove


def reflink_works(source_dir, clone_dir, roots):
    """True if `cp --reflink=always` copies a file from `source_dir` into `clone_dir`
    (what git-annex tries first for a local-path remote)."""
    name = f".annex-race-reflink-probe-{uuid.uuid4().hex}"
    src, dst = Path(source_dir) / name, Path(clone_dir) / name
    src.write_bytes(os.urandom(64 * 1024))
    try:
        return subprocess.run(["cp", "--reflink=always", str(src), str(dst)],
                              capture_output=True).returncode == 0
    finally:
        for path in (src, dst):
            safe_remove(path, roots)


def hardlink_works(directory, roots):
    """True if a file in `directory` can have a second name there (what lets the
    lanes share one image)."""
    name = Path(directory) / f".annex-race-link-probe-{uuid.uuid4().hex}"
    name.write_bytes(b"x")
    try:
        os.link(name, name.with_suffix(".link"))
        return True
    except OSError:
        return False
    finally:
        for path in (name, name.with_suffix(".link")):
            if path.exists():
                safe_remove(path, roots)


def probe_location(name, source_root, clone_root, roots):
    """What a location's filesystems are; creates both roots if need be."""
    source_root, clone_root = Path(source_root), Path(clone_root)
    for root in (source_root, clone_root):
        root.mkdir(parents=True, exist_ok=True)
    return {
        "location": name,
        "source_root": str(source_root),
        "clone_root": str(clone_root),
        "fs_source": filesystem_type(source_root),
        "fs_clone": filesystem_type(clone_root),
        "same_filesystem": source_root.stat().st_dev == clone_root.stat().st_dev,
        "reflink": reflink_works(source_root, clone_root, roots),
        "hardlink": hardlink_works(source_root, roots),
    }
