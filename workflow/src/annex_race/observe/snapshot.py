"""What the jobs wrote into the repositories they share: a snapshot of each before a
round and after it, and every difference, classed.

A snapshot of a repository holds its refs (the git-annex branch among them), its
`config` as key/value pairs, the files of its annex directory (`annex/` of a bare
repository, `.git/annex/` otherwise) with their sizes, and the annex objects it
holds. A RIA store is its dataset repositories plus the store's own files (its
layout version, its error logs).

Each difference is one Change, classed by what kind of write it is, never by which
git-annex made it (CLASSES: one table, with the reason for each class). `expected`
is what the operation does by design in a repository it reads (a transfer lock); an
`unexpected` write into a shared input repository is a finding: its scenario's
Sources verdict is `written`; a lost object means the source was harmed.
"""

import json
import os
import re
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.files import write_json
from ..core.log_lines import UUID_LINE
from ..core.roots import safe_remove
from .logparse import symptoms

# the kinds of change, their class and why: docs/design.md shows this table
CLASSES = {
    "transfer lock": ("expected", "a transfer takes a lock on the key in the repository it reads "
                      "(annex/transfer/); the lock file may stay behind"),
    "lock file": ("expected", "git-annex locks a repository it reads (*.lck, the pid lock): an "
                  "empty file, no state"),
    "annex cache": ("expected", "an initialised repository's databases and caches (keys, fsck, "
                    "index of the git-annex branch and refs/annex/last-index, which says what that "
                    "index holds), rebuilt from its git-annex branch when it is read"),
    "annex created": ("unexpected", "the repository had no annex directory: a job initialised it"),
    "annex state": ("unexpected", "a file of the annex state changed (journal, logs, sentinal, "
                    "...): a job wrote repository state"),
    "config": ("unexpected", "the repository's config changed (annex.uuid: a job initialised it; "
               "remote.*: a changed remote configuration)"),
    "ref": ("unexpected", "a ref of an input repository moved, appeared or went (git-annex branch "
            "commits, a pushed branch)"),
    "object added": ("unexpected", "an object appeared in an input repository: a job sent content "
                     "into it"),
    "object lost": ("harmed", "an object the repository held is gone: content was lost"),
    "repository created": ("unexpected", "a repository appeared where the jobs read (a dataset "
                           "created in a RIA store)"),
    "repository removed": ("harmed", "a repository the jobs read from is gone"),
    "store file": ("unexpected", "a file of the RIA store itself changed (its error logs, layout)"),
}
LOCKS = (".lck", "pidlock")
# git-annex's note of the git-annex branch commit its index was last updated to: the
# first get from a repository whose index was never read writes it
CACHE_REFS = ("refs/annex/last-index",)
# files of an initialised annex that git-annex rebuilds from its git-annex branch
CACHES = ("keysdb", "fsckdb", "fsck", "keys", "index", "index.lck", "journal.lck", "restage",
          "mergedrefs", "export", "exportdb", "cidsdb", "contentidentifier", "imports", "smudge.log")


@dataclass(frozen=True)
class Change:
    repository: str  # its name in the scenario (e.g. "input RIA store: analysis")
    path: str  # the file, ref or config key that changed
    what: str  # "created", "removed", "changed"
    kind: str  # a key of CLASSES
    detail: str = ""  # e.g. the old and new value

    @property
    def klass(self):
        return CLASSES[self.kind][0]

    def asdict(self):
        return {**asdict(self), "class": self.klass}


def _git(repo, *args):
    out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else ""


def _git_dir(repo):
    """A repository's git directory: itself if bare, .git, or where a .git file points."""
    repo = Path(repo)
    git = repo / ".git"
    if git.is_file():  # "gitdir: <path>", as a submodule's may be
        return (repo / git.read_text().split(":", 1)[1].strip()).resolve()
    return git if git.is_dir() else repo


def annex_dir(repo):
    """The annex directory of a repository: annex/ if bare, else .git/annex/."""
    return _git_dir(repo) / "annex"


def _config_file(repo):
    return _git_dir(repo) / "config"


def _tree(top):
    """Every file under `top`: relative path -> size (symlinks as their target)."""
    files = {}
    for folder, dirs, names in os.walk(top):
        for name in names:
            path = Path(folder, name)
            try:
                st = path.lstat()
            except FileNotFoundError:  # removed while we looked
                continue
            files[str(path.relative_to(top))] = st.st_size if not path.is_symlink() else os.readlink(path)
    return files


def objects_in(tree):
    """The annex keys a tree holds: a file <key>/<key> under objects/ (the annex layout
    and the ORA storage sibling's alike)."""
    keys = {}
    for rel, size in tree.items():
        parts = rel.split("/")
        if "objects" in parts and len(parts) >= 2 and parts[-1] == parts[-2]:
            keys[parts[-1]] = size
    return keys


def repository(path):
    """The snapshot of one repository (a dict, JSON-ready)."""
    path = Path(path)
    refs = dict(line.split(" ", 1)[::-1] for line in
                _git(path, "for-each-ref", "--format=%(objectname) %(refname)").splitlines())
    config = {}
    text = subprocess.run(["git", "config", "--file", str(_config_file(path)), "--list"],
                          capture_output=True, text=True).stdout
    for line in text.splitlines():
        key, _, value = line.partition("=")
        config.setdefault(key, []).append(value)
    annex = annex_dir(path)
    tree = _tree(annex) if annex.is_dir() else None
    objects = objects_in(tree or {})
    # objects are listed once, as objects
    tree = None if tree is None else {k: v for k, v in tree.items() if not k.startswith("objects/")}
    config_file = _config_file(path)
    return {"path": str(path), "refs": refs, "config": config, "annex": tree, "objects": objects,
            # verbatim, to put back what a job wrote (restore)
            "config_text": config_file.read_text() if config_file.exists() else None}


def store_repositories(store):
    """The dataset repositories of a RIA store (<store>/<3 chars>/<rest>/; not its
    alias/ links to them)."""
    return sorted(p.parent for p in Path(store).glob("*/*/config")
                  if (p.parent / "HEAD").exists() and not p.parent.is_symlink())


def store_files(store):
    """The RIA store's own files (not its datasets'): layout version, error logs."""
    store = Path(store)
    datasets = {p.relative_to(store).parts[0] for p in store_repositories(store)}
    files = {}
    for entry in store.iterdir():
        if entry.name in datasets:
            continue
        if entry.is_dir() and not entry.is_symlink():
            files.update({f"{entry.name}/{k}": v for k, v in _tree(entry).items()})
        else:
            files[entry.name] = entry.stat().st_size if not entry.is_symlink() else os.readlink(entry)
    return files


def take(repositories):
    """A snapshot of `repositories` ({name: ("repository"|"store", path)}): name ->
    the state of each (stores: each dataset repository, and the store's own files)."""
    snap = {}
    for name, (kind, path) in repositories.items():
        if kind == "store":
            for repo in store_repositories(path):
                snap[f"{name}: {repo.relative_to(path)}"] = repository(repo)
            snap[f"{name}: store files"] = {"path": str(path), "files": store_files(path)}
        else:
            snap[name] = repository(path)
    return snap


def _annex_kind(rel, initialised):
    name = rel.split("/")[-1]
    if rel.startswith("transfer/"):
        return "transfer lock"
    if name.endswith(LOCKS):
        return "lock file"
    if initialised and rel.split("/")[0] in CACHES:
        return "annex cache"
    return "annex state"


def _diff(old, new):
    """(created, removed, changed) keys of two dicts."""
    old, new = old or {}, new or {}
    return ([k for k in new if k not in old], [k for k in old if k not in new],
            [k for k in new if k in old and new[k] != old[k]])


def compare(before, after):
    """Every difference between two snapshots of the same repositories, as Changes."""
    changes = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            changes.append(Change(name, (old or new)["path"], "created" if old is None else "removed",
                                  "repository created" if old is None else "repository removed"))
            continue
        if "files" in old:  # a store's own files
            for what, keys in zip(("created", "removed", "changed"), _diff(old["files"], new["files"])):
                changes += [Change(name, k, what, "store file") for k in keys]
            continue
        for what, keys in zip(("created", "removed", "changed"), _diff(old["refs"], new["refs"])):
            changes += [Change(name, k, what, "annex cache" if k in CACHE_REFS else "ref",
                               f"{old['refs'].get(k, '')[:8]} -> {new['refs'].get(k, '')[:8]}")
                        for k in keys]
        for what, keys in zip(("created", "removed", "changed"), _diff(old["config"], new["config"])):
            changes += [Change(name, k, what, "config",
                               " -> ".join(", ".join(c.get(k, [])) or "(unset)" for c in (old["config"], new["config"])))
                        for k in keys]
        if old["annex"] is None and new["annex"] is not None:
            changes.append(Change(name, annex_dir(new["path"]).name + "/", "created", "annex created",
                                  ", ".join(sorted(new["annex"])[:12])))
        else:
            initialised = "annex.uuid" in old["config"]
            for what, keys in zip(("created", "removed", "changed"), _diff(old["annex"], new["annex"])):
                changes += [Change(name, k, what, _annex_kind(k, initialised)) for k in keys]
        added, lost, changed = _diff(old["objects"], new["objects"])
        changes += [Change(name, k, "created", "object added") for k in added]
        changes += [Change(name, k, "removed", "object lost") for k in lost]
        changes += [Change(name, k, "changed", "object lost", "its size changed") for k in changed]
    return changes


def sources_verdict(changes):
    """`clean` (nothing unexpected written), `written`, or `harmed` (an object lost)."""
    classes = {c.klass for c in changes}
    return "harmed" if "harmed" in classes else "written" if "unexpected" in classes else "clean"


# ---- who wrote, and putting it back ----------------------------------------------

def seen_uuids(logs):
    """clone -> the annex uuid its clone found its origin to have (None: none), from
    the clone logs ({clone: path}); clones whose log does not say are left out."""
    seen = {}
    for clone, path in logs.items():
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            if UUID_LINE in line:
                value = line.split(UUID_LINE, 1)[1].split()[0]
                seen[clone] = None if value == "none" else value
    return seen


# git-annex's warnings, as a clone log holds them: the log's time stamp, then the
# two-space indent git-annex gives them (debug lines have none)
WARNING = re.compile(r"^\d+\.\d+ {3}(\S.*)$")


def warnings(logs):
    """clone -> git-annex's warnings in its log, " / "-joined (clones with none left out)."""
    said = {}
    for clone, path in logs.items():
        try:
            lines = Path(path).read_text(errors="replace").splitlines()
        except OSError:
            continue
        found = [m.group(1).strip() for line in lines if (m := WARNING.match(line))]
        if found:
            said[clone] = " / ".join(dict.fromkeys(found))
    return said


def initialisations(before, after, seen, said=None):
    """One line per repository a job initialised (annex.uuid appeared): which clones
    saw which uuid on their origin right after their clone. Clones that saw different
    new uuids mean it was initialised more than once, at once (the last write kept)."""
    held = {name: state["config"]["annex.uuid"][-1] for name, state in sorted(after.items())
            if "annex.uuid" in state.get("config", {})
            and "annex.uuid" not in before.get(name, {}).get("config", {})}
    new = {u for u in seen.values() if u is not None and u not in _uuids(before)}
    lines = []
    for name, kept in held.items():
        # a new uuid no config holds was overwritten: whose, if one repository was initialised
        mine = {kept} | (new - set(held.values()) if len(held) == 1 else set())
        by_uuid = {u: [c for c, v in sorted(seen.items()) if v == u] for u in sorted(mine, key=str)}
        by_uuid = {u: c for u, c in by_uuid.items() if c}
        who = "; ".join(f"{u[:8]}: clone{'s' if len(c) > 1 else ''} {', '.join(map(str, c))}"
                        for u, c in by_uuid.items()) or "no clone log names it"
        times = (f"initialised {len(by_uuid)} times at once (clones saw different uuids)"
                 if len(by_uuid) > 1 else "initialised once")
        lines.append(f"{name}: {times}; its config holds annex.uuid {kept[:8]}; seen by the clones "
                     f"on their origin: {who}")
    if lines:  # what git-annex said while it was done (e.g. the store's database locked)
        by_text = {}
        for clone, text in sorted((said or {}).items()):
            by_text.setdefault(text, []).append(clone)
        lines += [f"git-annex said in clone{'s' if len(c) > 1 else ''} {', '.join(map(str, c))}"
                  f"{' (' + ', '.join(symptoms(text)) + ')' if symptoms(text) else ''}: {text}"
                  for text, c in by_text.items()]
    return lines


def _uuids(snap):
    return {u for state in snap.values() for u in state.get("config", {}).get("annex.uuid", [])}


def restore(before, changes, roots):
    """Put back what the jobs wrote into a repository where it can be done exactly:
    its config (verbatim), a created annex directory (removed), refs (reset or
    deleted), created annex files. Returns a line per thing put back. What cannot be
    put back shows in the snapshot taken afterwards."""
    done = []
    for name in sorted({c.repository for c in changes if c.klass == "unexpected"}):
        old = before.get(name)
        if old is None or "config" not in old:
            continue
        try:
            done += _restore_one(name, old, [c for c in changes if c.repository == name and c.klass == "unexpected"],
                                 roots)
        except (OSError, ValueError, subprocess.CalledProcessError) as e:  # the next snapshot shows what is left
            done.append(f"{name}: could not put back: {e}")
    return done


def _restore_one(name, old, mine, roots):
    done = []
    path = Path(old["path"])
    if any(c.kind == "config" for c in mine) and old["config_text"] is not None:
        config = _config_file(path)
        tmp = config.with_name(f".{config.name}.annex-race")
        tmp.write_text(old["config_text"])
        tmp.replace(config)
        done.append(f"{name}: config put back")
    if any(c.kind == "annex created" for c in mine):
        safe_remove(annex_dir(path), roots)
        done.append(f"{name}: {annex_dir(path).name}/ removed")
    for c in mine:
        if c.kind == "ref":
            ref_args = ["-d", c.path] if c.what == "created" else [c.path, old["refs"][c.path]]
            subprocess.run(["git", "-C", str(path), "update-ref", *ref_args], check=True, capture_output=True)
            done.append(f"{name}: {c.path} {'deleted' if c.what == 'created' else 'reset'}")
        elif c.kind == "annex state" and c.what == "created":
            safe_remove(annex_dir(path) / c.path, roots)
            done.append(f"{name}: {annex_dir(path).name}/{c.path} removed")
    return done


def unexpected(changes):
    return [c for c in changes if c.klass != "expected"]


def describe(change):
    """One short line for a change (a Change's asdict)."""
    c = change
    detail = f" ({c['detail']})" if c["detail"] and c["kind"] != "annex created" else ""
    return f"{c['class']}: {c['repository']}: {c['path']} {c['what']}{detail}"


def summarize(changes):
    """What was written, in few words, per repository: e.g. "annex.uuid, annex/ in the
    input RIA store"."""
    words = {}
    for c in unexpected(changes):
        word = (c.path.removeprefix("refs/heads/") + " branch" if c.kind == "ref" else
                c.path if c.kind in ("config", "annex created") else
                "objects" if c.kind.startswith("object") else c.kind)
        where = words.setdefault(c.repository.split(":")[0], [])
        if word not in where:
            where.append(word)
    return "; ".join(f"{', '.join(w)} in the {name}" for name, w in words.items())


def read_writes(paths):
    """scenario -> what its jobs wrote (after_round), from the files that exist."""
    return {Path(p).parent.name: json.loads(Path(p).read_text()) for p in paths if Path(p).exists()}


# ---- a round: before, after -------------------------------------------------------


def resolve(shared, read_manifest):
    """{name: [kind, manifest, subpath]} (Plan.shared_repositories) -> {name: (kind, path)}."""
    resolved = {}
    for name, (kind, manifest, sub) in shared.items():
        m = read_manifest(manifest)
        resolved[name] = (kind, str(Path(m["store"] if kind == "store" else m["path"]) / sub))
    return resolved


def before_round(repositories, path):
    """The snapshot before a round's jobs act, written to `path` with its cost."""
    t = time.perf_counter()
    snap = take(repositories)
    write(path, {"repositories": {k: list(v) for k, v in repositories.items()}, "snapshot": snap,
                  "seconds": time.perf_counter() - t})


def after_round(before_file, logs, roots):
    """After a round: what changed since `before_file`, classed; what the clones'
    logs ({clone: path}) say of who initialised what; the unexpected writes put back
    (restore), and what is left after that, observed by one more snapshot."""
    t = time.perf_counter()
    before = json.loads(Path(before_file).read_text())
    repositories = {k: tuple(v) for k, v in before["repositories"].items()}
    after = take(repositories)
    changes = compare(before["snapshot"], after)
    inits = initialisations(before["snapshot"], after, seen_uuids(logs), warnings(logs))
    # a config the jobs changed, as they left it: garbled, or whose uuid
    configs = {c.repository: after[c.repository]["config_text"] for c in changes if c.kind == "config"}
    restored = restore(before["snapshot"], changes, roots) if unexpected(changes) else []
    left = unexpected(compare(before["snapshot"], take(repositories))) if restored else unexpected(changes)
    return {
        "verdict": sources_verdict(changes),
        "changes": [c.asdict() for c in changes],
        "written": summarize(changes),
        "initialisations": inits,
        "configs_after": configs,
        "restored": restored,
        "left": [c.asdict() for c in left],
        "repositories": {k: v[1] for k, v in repositories.items()},
        "seconds": before["seconds"] + time.perf_counter() - t,
    }


def write(path, payload):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_json(path, payload, indent=1)


def classes_markdown():
    """CLASSES as the table docs/design.md shows (a style test holds them equal)."""
    rows = [f"| {kind} | {klass} | {why} |" for kind, (klass, why) in CLASSES.items()]
    return "\n".join(["| kind of change | class | why |", "|---|---|---|", *rows])


if __name__ == "__main__":
    print(classes_markdown())
