"""The workflow's own JSON files (manifests, tickets, records, the plan): written
atomically, so that a reader, on this host or another, never sees half of one."""

import json
import os
from pathlib import Path


def write_atomic(path, text):
    """Write `text` to `path` through a temporary file renamed into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def write_json(path, payload, indent=2):
    write_atomic(path, json.dumps(payload, indent=indent) + "\n")


def write_manifest(path, manifest):
    """A manifest: what a rule made (a dataset, a git-annex install, a probe)."""
    write_json(path, manifest)


def read_manifest(path):
    return json.loads(Path(path).read_text())
