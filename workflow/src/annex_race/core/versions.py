"""git-annex versions: PyPI's static builds, each installed once into a shared cache.

An install lives in `<cache>/<version>/`: `site/` (what pip installs), `bin/` with
the names git and DataLad look up on PATH, all pointing at the one multicall
binary, and `manifest.json` once it is complete. Installs are reused across runs
and working directories; the list of versions PyPI offers is cached beside them,
so that parsing the workflow asks the network only when a version is neither
installed nor known. `system` means the site's git-annex: the one the user's jobs
would run, never the copy this workflow's environment brings (resolve_system).
"""

import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from .roots import safe_remove

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

    PyPI post-releases are rebuilds, of the same git-annex version or of a later
    commit: 10.20260901.post1 reports 10.20260901-g<commit>, but 10.20250605.post2
    ships 10.20250606. A post-release matches a report of its release or later.
    """
    if requested == SYSTEM or reported is None:
        return reported is not None
    base, post = re.subn(r"\.post\d+$", "", requested)
    if re.match(rf"{re.escape(base)}(\D|$)", reported):
        return True
    found = re.match(r"\d+\.\d{8}", reported)
    return bool(post and found and version_key(found.group()) >= version_key(base))


def confirm(requested, reported, installed=None):
    """Refuse a git-annex that is not the one requested: once installed, exactly the
    version its install reported (`installed`, from the manifest), so that no other
    git-annex on PATH can stand in for it."""
    if not (reported == installed if installed else matches(requested, reported)):
        raise VersionError(
            f"git_annex {requested}: git-annex reports {reported or 'nothing'} instead"
            + (f" of {installed}" if installed else "")
        )


def query_index():
    """Versions of git-annex on the package index (a network request), or None."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "--retries", "1", "--timeout", "10", PACKAGE],
        capture_output=True, text=True,
    )
    match = re.search(r"Available versions: (.*)", out.stdout)
    return [v.strip() for v in match.group(1).split(",")] if match else None


def known_versions(cache, refresh=False, max_age=None):
    """PyPI's versions of git-annex: from `<cache>/pypi-versions.json`, asking the
    index (and updating the cache) only if `refresh`, nothing is cached, or the cached
    list is older than `max_age` seconds. None if the index cannot be reached and
    nothing is cached."""
    path = Path(cache) / INDEX_CACHE
    fresh = path.exists() and (max_age is None or time.time() - path.stat().st_mtime < max_age)
    if not refresh and fresh:
        return json.loads(path.read_text())["versions"]
    versions = query_index()
    if versions is None:
        return json.loads(path.read_text())["versions"] if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps({"asked": time.time(), "versions": versions}) + "\n")
    tmp.rename(path)
    return versions


ALL = "all"
RANGE = ".."
DAY = 24 * 3600


def version_key(version):
    """10.20250605.post2 -> (10, 20250605, 2): PyPI's versions in release order."""
    major, date, *post = version.split(".")
    return int(major), int(date), int(post[0].removeprefix("post")) if post else 0


def release_date(reported):
    """The date in a git-annex version as it reports itself (10.20230126-g1234,
    10.20230126): a datetime.date, or None."""
    import datetime

    m = re.match(r"\d+\.(\d{4})(\d\d)(\d\d)", reported or "")
    return datetime.date(*map(int, m.groups())) if m else None


def expand_versions(values, cache, max_age=DAY):
    """The git_annex axis with `all` (every release PyPI has, the list cached for
    `max_age` seconds) and ranges `FIRST..LAST` (the releases between them, both
    included) spelled out, in release order; explicit versions and `system` stay.
    Raises VersionError."""
    if not any(v == ALL or RANGE in v for v in values):
        return list(values)
    known = known_versions(cache, max_age=max_age)
    if known is None:
        raise VersionError(
            f"config key 'git_annex': {values}: cannot list PyPI's git-annex releases "
            "(the package index cannot be reached and no list is cached)")
    known = sorted(known, key=version_key)
    out = []
    for value in values:
        if value == ALL:
            out += known
        elif RANGE in value:
            first, last = value.split(RANGE)
            for end in (first, last):
                if end not in known:
                    raise VersionError(
                        f"config key 'git_annex': {value}: {end} is not a version of PyPI's git-annex package")
            between = [v for v in known if version_key(first) <= version_key(v) <= version_key(last)]
            if not between:  # both ends are releases: the range is reversed
                raise VersionError(
                    f"config key 'git_annex': {value} holds no release: {first} came out after {last}")
            out += between
        else:
            out.append(value)
    return list(dict.fromkeys(out))


def installed(cache, version):
    """The manifest of a complete install of `version` in `cache`, else None."""
    manifest = Path(cache) / version / "manifest.json"
    if not manifest.exists():
        return None
    data = json.loads(manifest.read_text())
    data.setdefault("provenance", data.pop("source", "PyPI"))  # an install of an earlier annex-race
    return data


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


def validate_known(wanted, cache):
    """Refuse a version PyPI does not have, before anything is made (VersionError
    naming the key); a warning to give if the index cannot be reached to tell."""
    unknown = unknown_versions(sorted(wanted), cache)
    if unknown is None:
        return ("the package index cannot be reached to check the git-annex versions; "
                "installing them will tell")
    if unknown:
        raise VersionError(f"config key 'git_annex': {unknown[0]} is not a version of PyPI's git-annex package")
    return None


def site_git_annex(setting, exclude, required):
    """resolve_system for this run: where `required` (the matrix runs `system`), its
    VersionError is raised; else kept, for `snakemake check` to say if it runs."""
    try:
        return resolve_system(setting, exclude)
    except VersionError as e:
        if required:
            raise
        return {"error": str(e)}


@contextmanager
def _locked(path):
    """An exclusive lock on `path`: two runs installing one version take turns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.lockf(f, fcntl.LOCK_EX)
        yield


def _on_path(path_value, exclude):
    for directory in path_value.split(os.pathsep):
        candidate = Path(directory or ".") / "git-annex"
        if Path(directory).resolve() not in exclude and os.access(candidate, os.X_OK):
            return candidate
    return None


def resolve_system(setting, exclude, environ=os.environ):
    """The site's git-annex, as a dict (path, reported version, where it came from):
    `setting` empty: the first on PATH outside this workflow's own environment
    (`exclude`: directories, e.g. the venv's bin, whose git-annex is not the site's);
    `module:NAME`: what `module load NAME` puts on PATH; else a path to git-annex (or
    its directory). Raises VersionError (one line) if there is none."""
    exclude = {Path(d).resolve() for d in exclude}
    if not setting:
        path, source = _on_path(environ.get("PATH", ""), exclude), "PATH"
    elif setting.startswith("module:"):
        name = setting.removeprefix("module:")
        out = subprocess.run(["bash", "-lc", f"module load {name} >/dev/null 2>&1 && command -v git-annex"],
                             capture_output=True, text=True, env=dict(environ))
        path, source = (Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None,
                        f"module {name}")
    else:
        path = Path(os.path.expanduser(setting))
        path, source = (path / "git-annex" if path.is_dir() else path), "git_annex_system"
    if path is None or not os.access(path, os.X_OK):
        where = {"PATH": "on PATH outside this workflow's environment"}.get(source, f"from {source}")
        raise VersionError(f"config key 'git_annex': system: no git-annex {where} "
                           f"(install one, or set git_annex_system to its path or module:NAME)")
    path = path.absolute()
    out = subprocess.run([str(path), "version", "--raw"], capture_output=True, text=True)
    return {"path": str(path), "reported": out.stdout.strip() or None, "provenance": f"{source}: {path}"}


def install(version, cache, roots, system=None):
    """Install git-annex `version` from PyPI into `<cache>/<version>` unless it is
    there already; return its manifest. For `system` (resolved by resolve_system), a
    bin directory naming the site's git-annex, so that jobs put it first on PATH."""
    if version == SYSTEM:
        if "error" in system:  # resolve_system found none when the run started
            raise VersionError(system["error"])
        prefix = Path(cache) / "system" / hashlib.sha1(system["path"].encode()).hexdigest()[:12]
        safe_remove(prefix, roots)
        (prefix / "bin").mkdir(parents=True)
        for name in PROGRAMS:
            (prefix / "bin" / name).symlink_to(system["path"])
        manifest = {"version": version, "bin": str(prefix / "bin"), "provenance": system["provenance"]}
        manifest["reported"] = reported_version(use(manifest, dict(os.environ)))
        confirm(version, manifest["reported"])
        return manifest
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
        manifest = {"version": version, "bin": str(prefix / "bin"), "provenance": "PyPI"}
        manifest["reported"] = reported_version(use(manifest, dict(os.environ)))
        confirm(version, manifest["reported"])
        (prefix / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return manifest


def program_dir(name, program, directory, roots):
    """A fresh `directory` in which `name` is `program`, to put first on PATH."""
    directory = Path(directory)
    safe_remove(directory, roots)
    directory.mkdir(parents=True)
    (directory / name).symlink_to(Path(program).expanduser().absolute())
    return directory


def use(manifest, environ=os.environ):
    """Put the manifest's git-annex first on PATH in `environ` (in place)."""
    if manifest["bin"]:
        environ["PATH"] = f"{manifest['bin']}{os.pathsep}{environ['PATH']}"
    return environ
