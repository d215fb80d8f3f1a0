"""The rest of a whole job, after its get: run, then deliver the result, as an array
task of BABS 0.5.4 (participant_job.sh) or FAIRly-big does.

Before the barrier (`prepare`): the job's clone of the input RIA store gets the
round's output RIA store as its git remote `outputstore`, and enables that store's
ORA storage sibling `output-storage` (a clone of BABS's input RIA store
autoenables it; here the special remote is the output store's, so it is enabled
after a fetch: git-annex treats both alike), on a branch of its own. The
verifyremote workaround runs `git annex verifyremote output-storage` then.

After its get: `run` runs a stand-in for the analysis as a `datalad run` commit
that reads the whole image and writes the job's result; `deliver` takes the
delivery's steps (core/methods.DELIVERIES) as each job reaches them, one after
another until one fails.
"""

import re
import subprocess
import time

from ..core.image import IMAGE, SUBDATASET
from ..core.log_lines import STEP
from ..core.methods import BABS_DELIVERY
from . import push

OUTPUT_REMOTE, STORAGE = "outputstore", "output-storage"


def _git(clone_dir, *args, env=None):
    return push._run(["git", *args], cwd=clone_dir, env=env)


def prepare(clone, output, clone_dir, workaround, log, env=None):
    """Before the barrier: the output store as remote, its storage sibling enabled
    (verified, with workaround verifyremote), the job's branch. Returns
    {"verify_seconds": …} (None without the workaround)."""
    _git(clone_dir, "remote", "add", OUTPUT_REMOTE, output["repository"], env=env)
    _git(clone_dir, "fetch", "--quiet", OUTPUT_REMOTE, env=env)
    _git(clone_dir, "annex", "enableremote", STORAGE, env=env)
    log.write(f"{time.time():.3f} annex-race: {OUTPUT_REMOTE} is {output['repository']}; {STORAGE} enabled\n")
    seconds = None
    if workaround == "verifyremote":
        started = time.time()
        verify_storage(clone_dir, output["url"].partition("#")[0], log, env)
        seconds = time.time() - started
        log.write(f"{time.time():.3f} annex-race: {STORAGE} verified in {seconds:.2f} s\n")
    _git(clone_dir, "checkout", "--quiet", "-b", push.branch(clone), env=env)
    return {"verify_seconds": seconds}


_SAFE = re.compile(r"verifyremote \S+ --safe (\S+)")


def verify_storage(clone_dir, store_url, log, env=None):
    """The verifyremote workaround, as a job script would take it: `git annex
    verifyremote output-storage` shows the remote's configuration and the id that
    confirms it; the job confirms it (`--safe <id>`) only if the configuration names
    the output store the job was given. A release without the command, or that asks
    nothing, leaves nothing to do."""
    shown = subprocess.run(["git", "annex", "verifyremote", STORAGE], cwd=clone_dir, env=env,
                           capture_output=True, text=True)
    text = shown.stdout + shown.stderr
    log.write("".join(f"{time.time():.3f} {line}\n" for line in text.splitlines()))
    if not (match := _SAFE.search(text)):
        return
    if f"url={store_url} " not in text + " ":
        raise RuntimeError(f"{STORAGE} is not the output store {store_url}: not verified")
    _git(clone_dir, "annex", "verifyremote", STORAGE, "--safe", match.group(1), env=env)


def run_command(clone, size):
    """The stand-in's command: it reads the whole image and writes the job's own
    result, `size` bytes: its number and the image's checksum, padded with zeros."""
    return (f"echo job {clone} > {{outputs}} && sha256sum {{inputs}} >> {{outputs}}"
            f" && truncate -s {size} {{outputs}}")


def result_name(clone):
    return f"result-{clone}.txt"


def run(clone, clone_dir, size, log):
    """The run step, a `datalad run` commit (in this process: the job has DataLad
    loaded, a command line would load it again). Returns the record's `run` and, if
    it made its commit, what the job will deliver ({branch, commit, key, file}), else
    None and why."""
    from .datalad_commands import dataset

    image, name = f"{SUBDATASET}/{IMAGE}", result_name(clone)
    command = run_command(clone, size)
    log.write(f"{time.time():.3f} {STEP} run\n")
    log.write(f"{time.time():.3f} datalad run --explicit -i {image} -o {name} {command!r}  (in {clone_dir})\n")
    started, problem = time.time(), None
    try:
        # a Dataset, not a path: the inputs and outputs are then relative to it
        dataset(clone_dir, "run").run(command, inputs=[image], outputs=[name], explicit=True,
                                      message=f"annex-race job {clone}", result_renderer="disabled")
    except Exception as e:  # a failed run is an observation like any other
        problem = (str(e).strip().splitlines() or [type(e).__name__])[0]
        log.write(f"{time.time():.3f} run failed: {problem}\n")
    record = {"command": f"datalad run {command}", "t_start": started, "t_end": time.time(),
              "exit_code": 1 if problem else 0, "commit": None}
    if problem:
        return record, None, problem
    pushed = {"branch": push.branch(clone), "file": name,
              "commit": _git(clone_dir, "rev-parse", "HEAD"), "key": _git(clone_dir, "annex", "lookupkey", name)}
    record["commit"] = pushed["commit"]
    log.write(f"{time.time():.3f} annex-race: ran; {name} ({pushed['key']}) on {pushed['branch']}"
              f" at {pushed['commit']}\n")
    return record, pushed, None


def steps(deliver, workaround, output, pushed):
    """The delivery's steps: [(name, argv)] in the job's clone."""
    lock = ["flock", output["lock"]]
    if deliver == BABS_DELIVERY:  # participant_job.sh: content first, then the branch under flock
        content = ["datalad", "push", "--to", STORAGE]
        return [("flock datalad push" if workaround == "flock-push" else "datalad push",
                 [*lock, *content] if workaround == "flock-push" else content),
                ("flock git push", [*lock, "git", "push", OUTPUT_REMOTE])]
    return [(name, [OUTPUT_REMOTE if word == "origin" else word for word in cmd])
            for name, cmd in push.steps(deliver, output, pushed)]


def deliver(scenario, output, pushed, clone_dir, log, env, idle_timeout, tell):
    """The delivery, when the job reaches it: the record's fields of what it did
    (steps, t_deliver_start/end) and, if a step failed, why."""
    log.write(f"{time.time():.3f} {STEP} deliver\n")
    fields = push.run_step_list(steps(scenario["deliver"], scenario["workaround"], output, pushed), clone_dir,
                                log, env, idle_timeout, tell)
    return {"steps": fields["steps"], "t_deliver_start": fields["t_start"], "t_deliver_end": fields["t_end"],
            # the reason first, before DataLad's wrapping of the command that failed
            **({"failure_messages": list(dict.fromkeys(fields.get("evidence", []) + fields["failure_messages"])),
                "cause": fields.get("cause"),
                "evidence": fields.get("evidence", []), "outcome": "failed", "failed_step": "deliver"}
               if fields["outcome"] != "ok" else {})}

