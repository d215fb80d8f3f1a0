"""The image under study and its key: where it lives in a dataset (BABS's layout),
how big it is, which annex key names it, where a repository keeps its object."""

import hashlib
import os
import re
import subprocess
from pathlib import Path

CONTAINER = "bids-mriqc"
IMAGE = f".datalad/environments/{CONTAINER}/image"  # inside the containers dataset
SUBDATASET = "containers"
ALIAS = "analysis"  # the analysis dataset's alias in every input RIA store
SIBLING = "input"  # the RIA sibling's name, as BABS calls it
# No Singularity needed, yet containers-run still reads the image: it must be a
# non-empty file (an annex link without content fails the test).
CALL_FORMAT = "test -s {img} && {cmd}"

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(size):
    """'50M' -> 52428800 (K/M/G are binary units); plain integers are bytes."""
    match = re.fullmatch(r"([1-9][0-9]*)([KMG]?)", str(size))
    if not match:
        raise ValueError(f"image_size {size!r}: expected e.g. 500K, 50M or 5G")
    return int(match.group(1)) * _UNITS[match.group(2)]


# git-annex hashing backends (DataLad's default is MD5E) -> hashlib names
_BACKEND_HASHES = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}


def parse_key(key):
    """(hashlib name, size, hex digest) of a hashing-backend key with a size field.

    E.g. MD5E-s20971520--82947fd52656d9e9e41b5287c450708b -> ("md5", 20971520, "8294…").
    """
    match = re.fullmatch(r"([A-Z0-9]+?)E?-s(\d+)--([0-9a-f]+)(\..*)?", key)
    if not match or match.group(1) not in _BACKEND_HASHES:
        raise ValueError(f"not a hashing git-annex key with a size: {key}")
    return _BACKEND_HASHES[match.group(1)], int(match.group(2)), match.group(3)


def file_digest(path, algorithm):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, algorithm).hexdigest()


def object_path(repo, key):
    """Where `repo` keeps the annex object of `key`."""
    relpath = subprocess.run(
        ["git", "annex", "examinekey", "--format=${hashdirmixed}${key}/${key}", key],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout.strip()
    return Path(repo) / ".git" / "annex" / "objects" / relpath


def place_object(repo, key, content, symlink=False):
    """Make `content` the annex object of `key` in `repo`, as a hardlink (a reflink or
    a copy where the filesystem cannot) or a `symlink`, without a transfer: no
    git-annex process touches the repository `content` came from, nor its locks."""
    obj = object_path(repo, key)
    obj.parent.mkdir(parents=True, exist_ok=True)
    if symlink:
        obj.symlink_to(content)
        return obj
    try:
        os.link(content, obj)
    except OSError:
        subprocess.run(["cp", "--reflink=auto", str(content), str(obj)], check=True)
    return obj
