"""Locations: where the sources live (source_root) and where clones go (clone_root),
checked before anything is made. Each is probed once, by its own rule
(datasets/probe.py)."""

from dataclasses import dataclass
from pathlib import Path

from ..core.roots import filesystem_type, validate_root


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
