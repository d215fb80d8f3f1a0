"""Free space: what the planned scenarios will write, against what each filesystem has.

Checked before the first job, so that a 5 GB matrix does not fill a scratch disk
half-way through. `space_needs` is the model (pure: of the plan and the progress);
`ensure_free_space` the one look at the filesystems. The estimate is deliberately on
the safe side: it counts every copy that may be a full one (a reflink or a hardlink
would cost less).
"""

import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..core.image import parse_size
from ..core.methods import PUSH
from ..core.roots import existing_ancestor
from ..core.versions import SYSTEM

GIT_ANNEX_INSTALL = 120 * 1024**2  # one PyPI git-annex version, unpacked (about 92 MiB)
MARGIN = 256 * 1024**2  # git metadata, logs, and a little room to breathe


@dataclass
class Need:
    key: str  # the config key of the root, for the message
    root: Path
    nbytes: int
    what: str  # what the bytes are for, e.g. "2 clones of 5.0 GiB at once"


def human(nbytes):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.1f} {unit}" if unit != "B" else f"{nbytes} B"
        nbytes /= 1024


def dataset_cost(kind, lane, image, linked, storage_sibling):
    """The bytes a dataset of `kind` (planning/files.KINDS) holds of the image: lane
    0's container_source holds the image the other lanes link to (where `linked`:
    hardlinks work); source_ds links its container_source's; an input RIA store with
    a storage sibling holds its copy until linked, one without holds none."""
    if kind == "container_source":
        return image if lane == 0 or not linked else 0
    if kind == "source_ds":
        return 0 if linked else image
    if kind == "ria":
        return (image if lane == 0 or not linked else 0) if storage_sibling == "on" else 0
    return image  # the prefetched copy


def space_needs(plan, progress, keep_clones):
    """What the planned scenarios will write under each root (Need), not counting
    what exists already (progress.made): the datasets each scenario needs, a push
    round's output repository (every job's result), the verification's copy of a
    store with a storage sibling, the clones at once (a scenario's clones are removed
    when it is done, unless `keep_clones`: each lane holds one scenario's clones at
    once) and the git-annex versions not installed yet."""
    needs = []
    for name, roots in plan.locations.items():
        here = [s for s in plan.scenarios.values() if s.axes["location"] == name]
        if not here:
            continue
        linked = progress.hardlinks[name]
        cost = {}  # manifest -> the bytes of what it describes
        for s in here:
            image, files = parse_size(s.axes["image_size"]), plan.files(s.id)
            if s.family == PUSH:
                cost[files.output_repository] = s.axes["n_clones"] * image
            cost |= {manifest: image for manifest in files.lane_0_needs().values()}
            cost |= {manifest: dataset_cost(kind, s.lane, image, linked, s.axes["storage_sibling"])
                     for kind, manifest in files.needs().items()}
        made = sum(n for manifest, n in cost.items() if manifest not in progress.made)
        # verifying a store with a storage sibling copies its image once
        made += max((parse_size(s.axes["image_size"]) for s in here if "ria" in plan.files(s.id).needs()
                     and s.axes["storage_sibling"] == "on"), default=0)
        needs.append(Need(f"locations.{name}.source_root", Path(roots["source_root"]), made,
                          "datasets, RIA stores and their verification"))
        biggest = max(parse_size(s.axes["image_size"]) for s in here)
        lanes = len({s.lane for s in here})
        at_once = (sum(s.axes["n_clones"] for s in here) if keep_clones
                   else lanes * max(s.axes["n_clones"] for s in here))
        needs.append(Need(f"locations.{name}.clone_root", Path(roots["clone_root"]),
                          at_once * biggest, f"{at_once} clones"))
    missing = {s.axes["git_annex"] for s in plan.scenarios.values()} - {SYSTEM} - progress.installed
    needs.append(Need("git_annex_cache", Path(plan.git_annex_cache), len(missing) * GIT_ANNEX_INSTALL,
                      f"{len(missing)} git-annex versions"))
    return needs


def ensure_free_space(needs, free=lambda path: shutil.disk_usage(path).free):
    """Raise ValueError (one line, with the numbers) if the needs of the roots that
    share a filesystem exceed what it has free."""
    by_fs = defaultdict(list)
    for need in needs:
        if need.nbytes:
            by_fs[os.stat(existing_ancestor(need.root)).st_dev].append(need)
    for group in by_fs.values():
        total = sum(n.nbytes for n in group) + MARGIN
        available = free(existing_ancestor(group[0].root))
        if total > available:
            biggest = max(group, key=lambda n: n.nbytes)
            raise ValueError(
                f"config key '{biggest.key}': the selected scenarios need about {human(total)} "
                f"on the filesystem of {biggest.root} ({'; '.join(f'{n.what}: {human(n.nbytes)}' for n in group)}), "
                f"but only {human(available)} are free"
            )
