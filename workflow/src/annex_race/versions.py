"""git-annex versions: PyPI's static builds, each installed once into a shared cache.

An install lives in `<cache>/<version>/`: `site/` (what pip installs), `bin/` with
the names git and DataLad look up on PATH, all pointing at the one multicall
binary, and `manifest.json` once it is complete. Installs are reused across runs
and working directories; the list of versions PyPI offers is cached beside them,
so that parsing the workflow asks the network only when a version is neither
installed nor known. `system` means whatever git-annex is on PATH already.
"""

import fcntl
import json
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from .paths import safe_remove

SYSTEM = "system"
PACKAGE = "git-annex"
# names git-annex answers to; it dispatches on argv[0]
PROGRAMS = ("git-annex", "git-annex-shell", "git-remote-annex")
INDEX_CACHE = "pypi-versions.json"


class VersionError(ValueError):
    """A requested git-annex version is not there, or another one runs instead."""


def reported_version(env=os.environ):
    """What `git annex version --raw` says in environment `env`."""
    out = subprocess.run(["git", "annex", "version", "--raw"], env=env,
                         capture_output=True, text=True)
    return out.stdout.strip() or None


def matches(requested, reported):
    """True if git-annex reporting `reported` is the requested PyPI version.

    PyPI post-releases (10.20260901.post1) are rebuilds of the same git-annex
    version, which reports itself as 10.20260901-g<commit>.
    """
    if requested == SYSTEM:
        return reported is not None
    base = re.sub(r"\.post\d+$", "", requested)
    return reported is not None and re.match(rf"{re.escape(base)}(\D|$)", reported) is not None


def check(requested, reported):
    if not matches(requested, reported):
        raise VersionError(
            f"git_annex {requested}: git-annex reports {reported or 'nothing'} instead"
        )


def query_index():
    """Versions of git-annex on the package index (a network request), or None."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "--retries", "1", "--timeout", "10", PACKAGE],
        capture_output=True, text=True,
    )
    match = re.search(r"Available versions: (.*)", out.stdout)
    return [v.strip() for v in match.group(1).split(",")] if match else None


def known_versions(cache, refresh=False):
    """PyPI's versions of git-annex: from `<cache>/pypi-versions.json`, asking the
    index (and updating the cache) only if `refresh` or nothing is cached. None if
    the index cannot be reached and nothing is cached."""
    path = Path(cache) / INDEX_CACHE
    if not refresh and path.exists():
        return json.loads(path.read_text())["versions"]
    versions = query_index()
    if versions is None:
        return json.loads(path.read_text())["versions"] if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps({"asked": time.time(), "versions": versions}) + "\n")
    tmp.rename(path)
    return versions


def installed(cache, version):
    """The manifest of a complete install of `version` in `cache`, else None."""
    manifest = Path(cache) / version / "manifest.json"
    return json.loads(manifest.read_text()) if manifest.exists() else None


def unknown_versions(wanted, cache):
    """The versions in `wanted` that PyPI does not offer, asking the index only for
    versions neither installed nor in the cached list (so a parse of a workflow whose
    versions are installed never touches the network). None if the index cannot be
    reached to tell: the install then says what is wrong."""
    pending = [v for v in wanted if v != SYSTEM and not installed(cache, v)]
    if not pending:
        return []
    known = known_versions(cache)
    if known is not None and set(pending) <= set(known):
        return []
    known = known_versions(cache, refresh=True)
    return None if known is None else [v for v in pending if v not in known]


@contextmanager
def _locked(path):
    """An exclusive lock on `path`: two runs installing one version take turns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.lockf(f, fcntl.LOCK_EX)
        yield


def install(version, cache, roots):
    """Install git-annex `version` from PyPI into `<cache>/<version>` unless it is
    there already; return its manifest. `system` only describes the one on PATH."""
    if version == SYSTEM:
        reported = reported_version()
        check(version, reported)
        return {"version": version, "bin": None, "reported": reported}
    prefix = Path(cache) / version
    with _locked(Path(cache) / f".{version}.lock"):
        if manifest := installed(cache, version):
            return manifest
        safe_remove(prefix, roots)  # an install that did not finish
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
             "--target", str(prefix / "site"), f"{PACKAGE}=={version}"],
            capture_output=True, text=True,
        )
        if result.returncode:
            last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise VersionError(f"git_annex {version}: cannot install from PyPI: {last}")
        binary = prefix / "site" / "git_annex" / "git-annex"
        (prefix / "bin").mkdir()
        for name in PROGRAMS:
            (prefix / "bin" / name).symlink_to(binary)
        manifest = {"version": version, "bin": str(prefix / "bin")}
        manifest["reported"] = reported_version(use(manifest, dict(os.environ)))
        check(version, manifest["reported"])
        (prefix / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return manifest


def use(manifest, environ=os.environ):
    """Put the manifest's git-annex first on PATH in `environ` (in place)."""
    if manifest["bin"]:
        environ["PATH"] = f"{manifest['bin']}{os.pathsep}{environ['PATH']}"
    return environ
