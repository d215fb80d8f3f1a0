"""Nothing lost: after the clones ran, the sources they fetched from are unharmed.

Every concurrent get reads from container_source (or source_ds's `containers`, or a
RIA store's storage sibling). After a run, `git annex fsck` verifies the image's
content in container_source and source_ds against its key, and the store's copy
through a throwaway clone; the source datasets must have no uncommitted changes.
A later lane's datasets hold lane 0's image as hardlinks: where an object is the
very file lane 0's verification reads, a fast fsck (is it there, is it known)
suffices.
"""

import json
import os
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.image import IMAGE, SUBDATASET, object_path
from ..core.roots import safe_remove


@dataclass
class Verification:
    what: str  # e.g. "fsck container_source"
    path: str
    ok: bool
    detail: str  # the last line of what it printed, when it failed


def _run(what, path, cmd, cwd, expect_empty=False):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    text = (out.stdout + out.stderr).strip()
    ok = out.returncode == 0 and (not expect_empty or not out.stdout.strip())
    return Verification(what, str(path), ok, "" if ok else (text.splitlines() or ["failed"])[-1][:300])


def fsck(what, repo, *args):
    """`git annex fsck` of the image in `repo` (its checksum against the key)."""
    return _run(f"fsck {what}", repo, ["git", "annex", "fsck", "--quiet", *args, IMAGE], repo)


def _inode(path):
    st = os.stat(path)
    return st.st_dev, st.st_ino


def store_object(store, key):
    """The file a RIA store's storage sibling keeps `key` in, or None."""
    return next(Path(store).glob(f"*/*/annex/objects/*/*/{key}/{key}"), None)


def verified_files(container_sources):
    """The files lane 0's verification reads in full, by device and inode: its
    container_source objects, which every later lane's datasets and stores link to
    where hardlinks work (datasets/make.py)."""
    files = [object_path(m["path"], m["key"]) for m in container_sources]
    return {_inode(f) for f in files if f.exists()}


def fsck_unless_verified(what, repo, key, verified):
    """A full fsck, or a fast one where the object is a file lane 0 verifies in full."""
    obj = object_path(repo, key)
    if obj.exists() and _inode(obj) in verified:
        fast = fsck(what, repo, "--fast")
        return Verification(fast.what, fast.path, fast.ok,
                            fast.detail or "checksum: the same file as lane 0's, verified there")
    return fsck(what, repo)


def unchanged(what, repo):
    """No uncommitted change in `repo` or its subdatasets."""
    return _run(f"no uncommitted changes in {what}", repo,
                ["git", "status", "--porcelain", "--ignore-submodules=none"], repo, expect_empty=True)


def store_copy(ria, scratch, roots, verified=()):
    """fsck of the image as the RIA store's storage sibling holds it, from a throwaway
    clone; nothing to do where that is the very file lane 0's store holds."""
    import datalad.api as dl

    obj = store_object(ria["store"], ria["key"])
    if obj and _inode(obj) in verified:
        return Verification("fsck the RIA store's copy", ria["store"], True,
                            "checksum: the same file as lane 0's, verified there")
    Path(scratch).mkdir(parents=True, exist_ok=True)
    clone = Path(tempfile.mkdtemp(prefix="verify-", dir=scratch))
    try:
        ds = dl.clone(source=ria["url"], path=str(clone / "ds"), result_renderer="disabled")
        ds.get(SUBDATASET, get_data=False, result_renderer="disabled")
        copy = fsck("the RIA store's copy", clone / "ds" / SUBDATASET, "--from", "input-storage")
        return Verification(copy.what, ria["store"], copy.ok, copy.detail)
    finally:
        safe_remove(clone, roots)


def verify_sources(container_sources, source_dss, rias, scratch, roots, verified=()):
    """Every verification of a lane's source datasets (their manifests), as dicts.
    `verified`: the files lane 0's verification reads in full (verified_files), for a
    later lane."""
    done = []
    for m in container_sources:
        done += [fsck_unless_verified("container_source", m["path"], m["key"], verified),
                 unchanged("container_source", m["path"])]
    for m in source_dss:
        containers = Path(m["path"]) / SUBDATASET
        done += [fsck_unless_verified("source_ds's containers", containers, m["key"], verified),
                 unchanged("source_ds", m["path"])]
    done += [store_copy(m, scratch, roots, verified) for m in rias if m["storage_sibling"] == "on"]
    return [asdict(v) for v in done]


def read_verifications(paths):
    """Every verification in the files of rule verify_sources that exist."""
    return [v for p in paths if Path(p).exists() for v in json.loads(Path(p).read_text())["verifications"]]
