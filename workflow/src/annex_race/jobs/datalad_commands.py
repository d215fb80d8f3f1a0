"""The DataLad commands a job calls, each imported alone.

`import datalad.api` imports every command DataLad and its extensions have: ~0.4 s
of CPU, about half of what a clone job spends in Python. A job calls two or three;
importing a command's module binds it to `Dataset` as `datalad.api` would. In
DataLad's library mode, which skips assembling each command's help text on import
(another ~0.2 s); the processes the job starts do not inherit it, so the commands
it runs (`datalad push`, git-annex's ORA helper) run as they would in a user's job.
"""

import importlib
import os

import datalad

if not datalad.in_librarymode():
    datalad.enable_librarymode()
    os.environ.pop("DATALAD_RUNTIME_LIBRARYMODE", None)  # it exports itself to children

MODULES = {
    "clone": "datalad.core.distributed.clone",
    "create": "datalad.core.local.create",
    "get": "datalad.distribution.get",
    "run": "datalad.core.local.run",
    "save": "datalad.core.local.save",
    "subdatasets": "datalad.local.subdatasets",
}


def dataset(path, *commands):
    """DataLad's Dataset at `path`, with `commands` (names in MODULES) as its methods."""
    for command in commands:
        importlib.import_module(MODULES[command])
    from datalad.distribution.dataset import Dataset

    return Dataset(str(path))


def clone(source, path):
    """`datalad clone <source> <path>` (datalad.api.clone), quietly."""
    from datalad.core.distributed.clone import Clone

    return Clone.__call__(source=source, path=str(path), result_renderer="disabled")

