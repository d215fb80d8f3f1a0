"""Free space: what the selected scenarios will write, against what each filesystem has.

Checked before the first job, so that a 5 GB matrix does not fill a scratch disk
half-way through. The estimate is deliberately on the safe side: it counts every
copy that may be a full one (a reflink or a hardlink would cost less).
"""

import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .paths import filesystem_type

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


def _existing(path):
    path = Path(path)
    while not path.exists():
        path = path.parent
    return path


# filesystems that cannot give a file a second name
NO_HARDLINKS = {"vfat", "exfat", "msdos", "fuseblk"}


def hardlinks_likely(root):
    """Whether a later lane's copy of the image will be a hardlink, before the
    location is probed (nothing may be created yet): yes on POSIX filesystems."""
    return filesystem_type(_existing(root)) not in NO_HARDLINKS


def ensure_free_space(needs, free=lambda path: shutil.disk_usage(path).free):
    """Raise ValueError (one line, with the numbers) if the needs of the roots that
    share a filesystem exceed what it has free."""
    by_fs = defaultdict(list)
    for need in needs:
        if need.nbytes:
            by_fs[os.stat(_existing(need.root)).st_dev].append(need)
    for group in by_fs.values():
        total = sum(n.nbytes for n in group) + MARGIN
        available = free(_existing(group[0].root))
        if total > available:
            biggest = max(group, key=lambda n: n.nbytes)
            raise ValueError(
                f"config key '{biggest.key}': the selected scenarios need about {human(total)} "
                f"on the filesystem of {biggest.root} ({'; '.join(f'{n.what}: {human(n.nbytes)}' for n in group)}), "
                f"but only {human(available)} are free"
            )
