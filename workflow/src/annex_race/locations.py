"""Locations: where the datasets live (source_root) and where clones go (clone_root).

A location is probed once, not by every job: the filesystem type of each root,
whether both are one filesystem, and whether a reflink copy from one to the other
works (what decides how fast git-annex's copy is).
"""

import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from .paths import validate_root, filesystem_type, safe_remove


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


@dataclass
class Location:
    """A location's two roots, checked (absolute, expanded), and its description."""

    name: str
    source_root: Path
    clone_root: Path
    description: str = ""


def validate_locations(locations, used, repo=None):
    """The `used` entries of the `locations` map as Locations, their roots checked
    (paths.validate_root) and, where an entry says which filesystem a root must be on
    (`filesystems: {source: btrfs, clone: ext4}`), that it is. Raises ValueError
    with one line naming the key, before anything is created."""
    checked = {}
    for name in used:
        if name not in locations:
            raise ValueError(
                f"config key 'location': {name!r} is not an entry of 'locations' "
                f"(there: {', '.join(sorted(locations))}); the filesystem lab's come from "
                "`python -m annex_race.lab up` and --configfile results/lab/locations.yaml"
            )
        entry = locations[name]
        roots = {
            role: validate_root(f"locations.{name}.{role}_root", entry[f"{role}_root"], repo)
            for role in ("source", "clone")
        }
        for role, wanted in (entry.get("filesystems") or {}).items():
            found = filesystem_type(roots[role])
            if found != wanted:
                raise ValueError(
                    f"config key 'locations.{name}.{role}_root': {roots[role]} is on {found}, "
                    f"not {wanted} (is the filesystem lab up? python -m annex_race.lab up)"
                )
        checked[name] = Location(name, roots["source"], roots["clone"], entry.get("description", ""))
    return checked
