"""The output side of a job: push operations into one output repository, all at once.

A push scenario's round gets an output repository of its own
(`create_output_repository`, when the round opens). Each job clones it and saves its
result on a branch of its own before the barrier (`prepare`); at the barrier all
jobs run the operation's steps (`run_steps`) at once; after the round
observe/output.py verifies that the repository holds, whole, every result its jobs
reported delivered.

The operations (the push family of core/methods.py), each with the kind of output
repository it delivers into:
- push-branch: `git push` of the job's branch into the dataset of an output RIA store
  (push-branch-flock: under `flock`, as BABS and FAIRly-big do);
- datalad-push: `datalad push --to origin`, git-annex branch and content included;
- copy-same-key: `git annex copy --to` of one key into an ordinary bare git-annex
  repository;
- push-ora: `git annex copy --to` of one key into the output RIA store's ORA storage
  sibling (push-ora-distinct: a key of each job's own);
- push-nonbare: `git push` and `git annex copy --to` into a non-bare dataset.
"""

import re
import subprocess
import time
from pathlib import Path

from ..core.commands import run_logged
from ..core.methods import ANNEX, METHODS, NO_DELIVERY, RIA, delivery_of
from ..observe import logparse
ALIAS = "output"  # the output dataset's alias in a RIA store
LOCK = "push.lock"  # push-branch-flock's lock file, beside the output repository


def _run(cmd, cwd=None, env=None):
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        last = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
        raise RuntimeError(f"{' '.join(map(str, cmd))}: {last}")
    return result.stdout.strip()


def create_output_repository(scenario, directory, env=None):
    """A fresh output repository for one round of `scenario` (a push operation, or a
    whole job) in `directory` (which must not exist): an analysis dataset with one
    commit, and the repository its jobs clone or deliver into (for a RIA store, the
    dataset in it, with its ORA storage sibling `output-storage`). Returns the
    manifest: where the jobs clone from (`url`), the repository, the flock lock file,
    which kind it is, what the round delivers (core/methods.Delivery)."""
    import dataclasses

    import datalad.api as dl

    directory = Path(directory)
    delivery = delivery_of(scenario)
    into = delivery.into
    ds = dl.create(path=str(directory / "analysis"), result_renderer="disabled")
    if into == RIA:
        store = directory / "store"
        ds.create_sibling_ria(url=f"ria+file://{store}", name="output", alias=ALIAS, new_store_ok=True,
                              result_renderer="disabled")
        ds.push(to="output", result_renderer="disabled")
        url, repository = f"ria+file://{store}#~{ALIAS}", str((store / "alias" / ALIAS).resolve())
    elif into == ANNEX:
        repository = str(directory / "annex.git")
        _run(["git", "clone", "--quiet", "--bare", ds.path, repository], env=env)
        _run(["git", "annex", "init", "--quiet", "output"], cwd=repository, env=env)
        url = repository
    else:  # the analysis dataset itself, checked out, with git-annex's hooks
        url = repository = ds.path
    return {"method": scenario["method"], "deliver": scenario.get("deliver", NO_DELIVERY), "url": url,
            "repository": repository, "lock": str(directory / LOCK), "into": into, "analysis": ds.path,
            "delivery": dataclasses.asdict(delivery)}


def branch(clone):
    return f"job-{clone}"


def result_name(clone):
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


def prepare(method, clone, output, clone_dir, size, log, env=None):
    """Before the barrier: clone the output repository (its manifest `output`), save
    the job's result on its branch. Returns what the job will push: {branch,
    commit, key, file}."""
    from . import datalad_commands

    ds = datalad_commands.clone(output["url"], clone_dir)
    datalad_commands.dataset(clone_dir, "save")
    log.write(f"{time.time():.3f} annex-race: cloned {output['url']}\n")
    _run(["git", "checkout", "--quiet", "-b", branch(clone)], cwd=clone_dir, env=env)
    name = result_name(clone)
    write_result(Path(clone_dir) / name, size, "same" if METHODS[method].delivery.same_key else clone)
    ds.save(path=name, message=f"result of job {clone}", result_renderer="disabled")
    pushed = {"branch": branch(clone), "file": name,
              "commit": _run(["git", "rev-parse", "HEAD"], cwd=clone_dir, env=env),
              "key": _run(["git", "annex", "lookupkey", name], cwd=clone_dir, env=env)}
    log.write(f"{time.time():.3f} annex-race: saved {name} ({pushed['key']}) on {pushed['branch']}"
              f" at {pushed['commit']}\n")
    return pushed


def steps(method, output, pushed):
    """The operation at the barrier: [(step name, argv)], run one after another in
    the job's clone."""
    push = ["git", "push", "origin", pushed["branch"]]
    copy = ["git", "annex", "copy", "--to"]
    return {
        "push-branch": [("git push", push)],
        "push-branch-flock": [("flock git push", ["flock", output["lock"], *push])],
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
    said = []
    for text in logparse.human_lines(texts):
        if _REMOTE_SAID.search(text) and text not in said:
            said.append(text.strip()[:300])
    return said[:limit]


def run_step_list(named_steps, clone_dir, log, env, idle_timeout, tell):
    """Steps [(name, argv)], one after another until one fails: each step's
    {step, command, t_start, t_end, exit_code, remote_said}, the first start and last
    end, the outcome and, if a step failed, its cause. A step that prints nothing for
    `idle_timeout` seconds hangs and is stopped."""
    lines, done, exit_code = [], [], 0
    for name, cmd in named_steps:
        log.write(f"{time.time():.3f} $ {' '.join(cmd)}  (in {clone_dir})\n")
        run = run_logged(cmd, log, cwd=clone_dir, env=env, idle_timeout=idle_timeout,
                         on_start=lambda pgid: tell("get", pgid))
        lines += run.lines
        done.append({"step": name, "command": " ".join(cmd), "t_start": run.started, "t_end": run.ended,
                     "exit_code": run.exit_code, "remote_said": remote_said(run.text)})
        exit_code = run.exit_code
        if exit_code:
            break
    texts = [text for _, text in lines]
    fields = {"steps": done, "t_start": done[0]["t_start"], "t_end": done[-1]["t_end"], "exit_code": exit_code,
              "outcome": "ok" if exit_code == 0 else "failed", "failure_messages": logparse.failure_messages(texts),
              "lines": lines}
    if exit_code:
        diagnosis = logparse.classify_failure(texts, exit_code)
        fields.update(cause=diagnosis.cause, evidence=diagnosis.evidence)
    return fields


def run_steps(method, output, pushed, clone_dir, log, env, idle_timeout, tell):
    """At the barrier: the operation's steps (run_step_list); the record's fields of
    what they did and what the remotes said."""
    ran = run_step_list(steps(method, output, pushed), clone_dir, log, env, idle_timeout, tell)
    fields = {"phase": "push", "t_get_start": ran["t_start"], "t_get_end": ran["t_end"],
              "exit_code": ran["exit_code"], "steps": ran["steps"], "failure_messages": ran["failure_messages"],
              "outcome": ran["outcome"], "attempts": logparse.attempt_events(ran["lines"]),
              "attempt_starts": [ran["t_start"]]}
    if ran["exit_code"]:
        fields.update(cause=ran["cause"], evidence=ran["evidence"])
    return fields
