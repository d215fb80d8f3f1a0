"""git-annex versions: PyPI's static builds, each installed into its own prefix.

A prefix holds `site/` (what pip installs) and `bin/` with the names git and
DataLad look up on PATH, all pointing at the one multicall binary. `system` means
whatever git-annex is on PATH already.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from .paths import safe_remove

SYSTEM = "system"
PACKAGE = "git-annex"
# names git-annex answers to; it dispatches on argv[0]
PROGRAMS = ("git-annex", "git-annex-shell", "git-remote-annex")


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


def available_versions():
    """Versions of git-annex on the package index, or None if it cannot be asked."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", PACKAGE],
        capture_output=True, text=True,
    )
    match = re.search(r"Available versions: (.*)", out.stdout)
    return [v.strip() for v in match.group(1).split(",")] if match else None


def install(version, prefix, roots):
    """Install git-annex `version` from PyPI into `prefix`; return its manifest."""
    if version == SYSTEM:
        reported = reported_version()
        check(version, reported)
        return {"version": version, "bin": None, "reported": reported}
    prefix = Path(prefix)
    safe_remove(prefix, roots)
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
    return manifest


def use(manifest, environ=os.environ):
    """Put the manifest's git-annex first on PATH in `environ` (in place)."""
    if manifest["bin"]:
        environ["PATH"] = f"{manifest['bin']}{os.pathsep}{environ['PATH']}"
    return environ
