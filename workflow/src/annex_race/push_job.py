"""The output side of a job: push operations into one output store, all at once.

A push scenario's round gets an output store of its own (`create_output_store`,
when the round opens). Each job clones it and saves its result on a branch of its
own before the barrier (`prepare`); at the barrier all jobs run the operation's
steps (`steps`) at once; after the round the store is checked (`check_output_store`):
does it hold, whole, every result its jobs reported delivered?

Operations (the `method` axis), each with the store it pushes into:
- push-branch: `git push` of the job's branch into a RIA store (push-branch-flock:
  under `flock`, as BABS and FAIRly-big do);
- datalad-push: `datalad push --to origin`, git-annex branch and content included;
- copy-same-key: `git annex copy --to` of one key into an ordinary bare git-annex
  repository;
- push-ora: `git annex copy --to` of one key into the RIA store's ORA storage sibling
  (push-ora-distinct: a key of each job's own);
- push-nonbare: `git push` and `git annex copy --to` into a non-bare dataset.
"""

import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

RIA, ANNEX, NONBARE = "ria", "annex", "nonbare"  # the kinds of output store


@dataclass(frozen=True)
class Operation:
    store: str  # RIA | ANNEX | NONBARE
    same_key: bool  # every job's result has the same content (one key)
    pushes_branch: bool  # the job's branch must be in the store after
    pushes_content: str | None  # where its key must be after: "origin", "output-storage"
    reproducer: str  # the standalone reproducer (reproducers/<name>.sh)
    reproducer_env: str = ""  # its settings for this operation


OPERATIONS = {
    "push-branch": Operation(RIA, False, True, None, "push-branch"),
    "push-branch-flock": Operation(RIA, False, True, None, "push-branch", "FLOCK=1"),
    "datalad-push": Operation(RIA, False, True, "output-storage", "git-annex-branch"),
    "copy-same-key": Operation(ANNEX, True, False, "origin", "copy-same-key"),
    "push-ora": Operation(RIA, True, False, "output-storage", "push-special", "SAME_KEY=1"),
    "push-ora-distinct": Operation(RIA, False, False, "output-storage", "push-special", "SAME_KEY=0"),
    "push-nonbare": Operation(NONBARE, False, True, "origin", "push-nonbare"),
}
ALIAS = "output"  # the output dataset's alias in a RIA store
LOCK = "push.lock"  # push-branch-flock's lock file, beside the store


def is_push(method):
    return method in OPERATIONS


def _run(cmd, cwd=None, env=None):
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        last = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
        raise RuntimeError(f"{' '.join(map(str, cmd))}: {last}")
    return result.stdout.strip()


def create_output_store(method, directory, env=None):
    """A fresh output store for one round of `method` in `directory` (which must not
    exist): an analysis dataset with one commit, and the store its jobs clone.
    Returns the manifest: where the jobs clone from, the store's repository."""
    import datalad.api as dl

    directory = Path(directory)
    op = OPERATIONS[method]
    ds = dl.create(path=str(directory / "analysis"), result_renderer="disabled")
    if op.store == RIA:
        store = directory / "store"
        ds.create_sibling_ria(url=f"ria+file://{store}", name="output", alias=ALIAS, new_store_ok=True,
                              result_renderer="disabled")
        ds.push(to="output", result_renderer="disabled")
        url, repository = f"ria+file://{store}#~{ALIAS}", str((store / "alias" / ALIAS).resolve())
    elif op.store == ANNEX:
        repository = str(directory / "annex.git")
        _run(["git", "clone", "--quiet", "--bare", ds.path, repository], env=env)
        _run(["git", "annex", "init", "--quiet", "output"], cwd=repository, env=env)
        url = repository
    else:  # the analysis dataset itself, checked out, with git-annex's hooks
        url = repository = ds.path
    return {"method": method, "url": url, "repository": repository, "lock": str(directory / LOCK),
            "kind": op.store}


def branch(clone):
    return f"job-{clone}"


def result_name(method, clone):
    return f"result-{clone}.bin"


def write_result(path, size, seed):
    """`size` bytes that depend only on `seed`: one key for every job that shares it."""
    import random

    rng = random.Random(seed)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(rng.randbytes(n))
            left -= n


def prepare(method, clone, store, clone_dir, size, log, env=None):
    """Before the barrier: clone the store, save the job's result on its branch.
    Returns what the job will push: {branch, commit, key, file}."""
    import datalad.api as dl

    ds = dl.clone(source=store["url"], path=str(clone_dir), result_renderer="disabled")
    log.write(f"{time.time():.3f} annex-race: cloned {store['url']}\n")
    _run(["git", "checkout", "--quiet", "-b", branch(clone)], cwd=clone_dir, env=env)
    name = result_name(method, clone)
    write_result(Path(clone_dir) / name, size, "same" if OPERATIONS[method].same_key else clone)
    ds.save(path=name, message=f"result of job {clone}", result_renderer="disabled")
    pushed = {"branch": branch(clone), "file": name,
              "commit": _run(["git", "rev-parse", "HEAD"], cwd=clone_dir, env=env),
              "key": _run(["git", "annex", "lookupkey", name], cwd=clone_dir, env=env)}
    log.write(f"{time.time():.3f} annex-race: saved {name} ({pushed['key']}) on {pushed['branch']}"
              f" at {pushed['commit']}\n")
    return pushed


def steps(method, store, pushed):
    """The operation at the barrier: [(step name, argv)], run one after another in
    the job's clone."""
    push = ["git", "push", "origin", pushed["branch"]]
    copy = ["git", "annex", "copy", "--to"]
    return {
        "push-branch": [("git push", push)],
        "push-branch-flock": [("flock git push", ["flock", store["lock"], *push])],
        "datalad-push": [("datalad push", ["datalad", "push", "--to", "origin"])],
        "copy-same-key": [("git annex copy", [*copy, "origin", pushed["file"]])],
        "push-ora": [("git annex copy", [*copy, "output-storage", pushed["file"]])],
        "push-ora-distinct": [("git annex copy", [*copy, "output-storage", pushed["file"]])],
        "push-nonbare": [("git push", push), ("git annex copy", [*copy, "origin", pushed["file"]])],
    }[method]


# what a remote said: git's "remote:" lines, ref updates, git-annex's verdicts
_REMOTE_SAID = re.compile(r"^remote:|^ [-+*!=t ] |->|\[(remote )?rejected\]|^To |failed|error|ok$|refused|prevented"
                          r"|not verified|transfer lock", re.IGNORECASE)


def remote_said(texts, limit=8):
    """The lines of a step's output that say what the remote answered."""
    from .logparse import human_lines

    said = []
    for text in human_lines(texts):
        if _REMOTE_SAID.search(text) and text not in said:
            said.append(text.strip()[:300])
    return said[:limit]


# ---- after the round: is everything there, whole? -------------------------------


def _git(repository, *args, env=None):
    return subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True, env=env)


def check_output_store(store, records, checker_dir, env=None):
    """What the round's output store holds of what its jobs pushed.

    `records`: the round's records (mappings); `checker_dir`: where a clone of the
    store may be made to fsck its content from (removed by the caller). Returns
    {"lost": {clone: why}, "problems": [line], "checked": [line]}: a job that reported
    success but whose branch, commit or key the store lacks (or whose key does not
    verify) is lost; a store that fails `git fsck`, or holds what a failed job left
    half-written, is a problem."""
    method = store["method"]
    op = OPERATIONS[method]
    repository = Path(store["repository"])
    lost, problems, checked = {}, [], []
    fsck = _git(repository, "fsck", "--no-progress", "--no-dangling", env=env)
    if fsck.returncode:
        problems.append(f"git fsck of {repository}: " + ((fsck.stderr or fsck.stdout).strip().splitlines()
                                                         or ["failed"])[0])
    else:
        checked.append(f"git fsck of {repository}: clean")
    pushed = [r for r in records if r.get("pushed")]
    if op.pushes_branch:
        for r in pushed:
            want = r["pushed"]
            have = _git(repository, "rev-parse", "--verify", "--quiet", f"refs/heads/{want['branch']}^{{commit}}",
                        env=env).stdout.strip()
            if have == want["commit"]:
                checked.append(f"clone {r['clone']}: {want['branch']} at {want['commit'][:12]}")
            elif r["outcome"] == "ok":
                lost[r["clone"]] = (f"clone {r['clone']} pushed {want['branch']} at {want['commit'][:12]}, "
                                    f"the store has {have[:12] or 'no such branch'}")
            elif have:
                problems.append(f"clone {r['clone']} failed, yet {want['branch']} is at {have[:12]}, "
                                f"not its commit {want['commit'][:12]}")
    if op.pushes_content:
        checks = _fsck_keys(store, op.pushes_content, pushed, Path(checker_dir), env)
        for r in pushed:
            ok, line = checks[r["clone"]]
            if ok:
                checked.append(f"clone {r['clone']}: {line}")
            elif r["outcome"] == "ok":
                lost.setdefault(r["clone"], f"clone {r['clone']} sent {line}")
    problems += [f"half-written: {p}" for p in leftovers(store)]
    return {"lost": lost, "problems": problems, "checked": checked}


def _fsck_keys(store, remote, pushed, checker_dir, env):
    """clone -> (verified, line): `git annex fsck --from <remote> --key` of each
    pushed key, in a fresh clone of the store."""
    import datalad.api as dl

    results = {}
    try:
        dl.clone(source=store["url"], path=str(checker_dir), result_renderer="disabled")
    except Exception as e:  # the store cannot even be cloned: nothing of it verifies
        line = f"cannot clone the store to check it: {str(e).splitlines()[0]}"
        return {r["clone"]: (False, line) for r in pushed}
    if remote == "output-storage":  # a special remote a check may read from
        subprocess.run(["git", "annex", "verifyremote", remote], cwd=checker_dir, capture_output=True, env=env)
    for r in pushed:
        key = r["pushed"]["key"]
        run = subprocess.run(["git", "annex", "fsck", "--from", remote, "--key", key, "--json"],
                             cwd=checker_dir, capture_output=True, text=True, env=env)
        answers = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        if run.returncode == 0 and answers and all(a.get("success") for a in answers):
            results[r["clone"]] = (True, f"{key} verifies in {remote}")
        else:
            said = [m for a in answers for m in a.get("error-messages", []) + [a.get("note", "")] if m]
            why = (said or (run.stderr.strip().splitlines() or ["fsck failed"]))[-1].strip()
            results[r["clone"]] = (False, f"{key} does not verify in {remote} ({why})")
    return results


def leftovers(store):
    """Files a transfer writes while it runs and moves away when it ends: any left
    in the store after the round are half-written."""
    repository = Path(store["repository"])
    annex = repository / ("annex" if store["kind"] != NONBARE else ".git/annex")
    places = [annex / "tmp", annex / "othertmp"]
    if store["kind"] == RIA:  # ORA writes each upload into transfer/ and renames it
        places += [repository / "transfer", repository / "tmp"]
    return [str(p) for place in places if place.is_dir() for p in sorted(place.rglob("*")) if p.is_file()]


# ---- standalone reproducers -------------------------------------------------------

REPRODUCERS = Path(__file__).with_name("reproducers")


def reproducer(method, n_clones=2, size="8M", bwlimit="1MiB", git_annex=None):
    """A plain bash script (git and git-annex only: no DataLad, Snakemake or
    annex-race) that sets up its repositories in a fresh temporary directory, runs
    the operation of `method` in `n_clones` jobs at once and prints what failed; it
    exits 1 where the failure shows, 0 where every job succeeded."""
    from .datasets import parse_size

    op = OPERATIONS[method]
    mib = max(1, parse_size(size) // (1 << 20))
    settings = [f"{name}=${{{name}:-{value}}}" for name, value in
                (("N", n_clones), ("SIZE_MIB", mib), ("BWLIMIT", bwlimit or ""))]
    settings += [f"{name}=${{{name}:-{value}}}" for name, _, value in
                 (e.partition("=") for e in op.reproducer_env.split() if e)]
    seen = f" (annex-race observed it failing with git-annex {git_annex})" if git_annex else ""
    return "\n".join([
        "#!/usr/bin/env bash",
        f"# annex-race's standalone reproducer of `{method}`{seen}.",
        "# Needs git and git-annex on PATH, nothing else; run: bash <this file>",
        "# (N, SIZE_MIB, BWLIMIT, LIMIT and the settings below may be given in the environment)",
        *(f"export {s}" for s in settings),
        (REPRODUCERS / "common.sh").read_text().rstrip(),
        "",
        (REPRODUCERS / f"{op.reproducer}.sh").read_text().rstrip(),
        "",
    ])
