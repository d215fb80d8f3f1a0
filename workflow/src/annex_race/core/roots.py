"""Work roots: checking them before a run, and the one function that deletes."""

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path


class RootError(ValueError):
    """A configured work root cannot be used."""


def existing_ancestor(path):
    """`path` itself if it exists, else its nearest ancestor that does."""
    path = Path(path).absolute()
    while not path.exists():
        path = path.parent
    return path


def validate_root(name, path, repo=None):
    """Return `path` as an absolute Path if the workflow may work (and delete) there.

    `$VARIABLES` and `~` are expanded (site profiles use them). Nothing is created:
    the nearest existing ancestor must be a writable directory. Refused, with one line
    naming the config key: the filesystem root, the home directory or anything that
    contains it, anything that contains the repository `repo`, and anything inside
    the repository's own source tree (its results/ directory is fine).
    """
    expanded = os.path.expandvars(str(path))
    if unset := re.search(r"\$\{?(\w+)", expanded):
        raise RootError(f"config key '{name}': {path}: environment variable {unset.group(1)} is not set")
    root = Path(expanded).expanduser().absolute()
    probe = existing_ancestor(root)
    # symlinks resolved in the part that exists; `..` in the part that does not
    real = Path(os.path.normpath(Path(os.path.realpath(probe)) / root.relative_to(probe)))
    home = Path(os.path.realpath(Path.home()))
    repo = Path(os.path.realpath(repo)) if repo else None
    why = (
        "is the filesystem root" if real == Path("/")
        else "is your home directory" if real == home
        else "contains your home directory" if home.is_relative_to(real)
        else "contains this repository" if repo and repo.is_relative_to(real)
        else "is inside this repository's source tree (results/ there is fine)"
        if repo and real.is_relative_to(repo) and not real.is_relative_to(repo / "results")
        else None
    )
    if why:
        raise RootError(f"config key '{name}': {root} {why}: the workflow deletes inside its roots")
    if not probe.is_dir():
        raise RootError(f"config key '{name}': {root}: {probe} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise RootError(f"config key '{name}': {root}: {probe} is not writable")
    return root


def _real(path):
    """`path` with `..` and every symlink in its parents resolved, its own name kept:
    what deleting it would really touch (a symlink itself is removed, never followed)."""
    path = Path(os.path.abspath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def _inside(path, roots):
    return any(
        path != Path(os.path.realpath(root)) and path.is_relative_to(Path(os.path.realpath(root)))
        for root in roots
    )


def safe_remove(path, roots):
    """Delete `path` (file, symlink or tree) if it really lies strictly inside one of
    `roots`, symlinks and `..` resolved first: a symlink in a root that points out
    of it never makes this delete outside.

    git-annex makes object files and their directories read-only, so write
    permission is restored on the way down. Refuses anything else with ValueError:
    this is the only place in the workflow that deletes data.
    """
    path = _real(path)
    if not _inside(path, roots):
        raise ValueError(f"refusing to delete {path}: outside the work roots {list(roots)}")
    if path.is_symlink() or path.is_file():
        path.unlink()
        return
    if not path.exists():
        return

    # top-down walk: each directory is made writable before it is entered
    os.chmod(path, os.stat(path).st_mode | stat.S_IRWXU)
    for dirpath, dirnames, _ in os.walk(path):
        for d in dirnames:
            full = os.path.join(dirpath, d)
            if not os.path.islink(full):
                os.chmod(full, os.stat(full).st_mode | stat.S_IRWXU)
    shutil.rmtree(path)


def filesystem_type(path):
    """The type of the filesystem holding `path` (e.g. ext4, tmpfs, nfs, btrfs)."""
    probe = existing_ancestor(path)
    out = subprocess.run(
        ["findmnt", "--noheadings", "--output", "FSTYPE", "--target", str(probe)],
        capture_output=True,
        text=True,
    )
    # stacked mounts list several lines; the last one is the mount on top
    lines = out.stdout.split()
    return lines[-1] if lines else "unknown"
