"""Nothing lost: after the clones ran, the sources they fetched from are unharmed.

Every concurrent get reads from container_source (or source_ds's `containers`, or a
RIA store's storage sibling). After a run, `git annex fsck` verifies the image's
content in container_source and source_ds against its key, and the store's copy
through a throwaway clone; the source datasets must have no uncommitted changes.
"""

import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from .datasets import IMAGE, SUBDATASET
from .paths import safe_remove


@dataclass
class Check:
    what: str  # e.g. "fsck container_source"
    path: str
    ok: bool
    detail: str  # the last line of what the check printed, when it failed


def _run(what, path, cmd, cwd, expect_empty=False):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    text = (out.stdout + out.stderr).strip()
    ok = out.returncode == 0 and (not expect_empty or not out.stdout.strip())
    return Check(what, str(path), ok, "" if ok else (text.splitlines() or ["failed"])[-1][:300])


def fsck(what, repo, *args):
    """`git annex fsck` of the image in `repo` (its checksum against the key)."""
    return _run(f"fsck {what}", repo, ["git", "annex", "fsck", "--quiet", *args, IMAGE], repo)


def unchanged(what, repo):
    """No uncommitted change in `repo` or its subdatasets."""
    return _run(f"no uncommitted changes in {what}", repo,
                ["git", "status", "--porcelain", "--ignore-submodules=none"], repo, expect_empty=True)


def store_copy(ria, scratch, roots):
    """fsck of the image as the RIA store's storage sibling holds it, from a throwaway clone."""
    import datalad.api as dl

    Path(scratch).mkdir(parents=True, exist_ok=True)
    clone = Path(tempfile.mkdtemp(prefix="check-", dir=scratch))
    try:
        ds = dl.clone(source=ria["url"], path=str(clone / "ds"), result_renderer="disabled")
        ds.get(SUBDATASET, get_data=False, result_renderer="disabled")
        check = fsck("the RIA store's copy", clone / "ds" / SUBDATASET, "--from", "input-storage")
        return Check(check.what, ria["store"], check.ok, check.detail)
    finally:
        safe_remove(clone, roots)


def check_sources(container_sources, source_dss, rias, scratch, roots):
    """Every check on a location's source datasets (their manifests), as dicts."""
    checks = []
    for m in container_sources:
        checks += [fsck("container_source", m["path"]), unchanged("container_source", m["path"])]
    for m in source_dss:
        checks += [fsck("source_ds's containers", Path(m["path"]) / SUBDATASET),
                   unchanged("source_ds", m["path"])]
    checks += [store_copy(m, scratch, roots) for m in rias if m["storage_sibling"] == "on"]
    return [asdict(c) for c in checks]
