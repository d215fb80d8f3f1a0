"""The seed's own system: BABS's real job array (PyPI `babs`), run and observed.

A BABS scenario (method `babs`) makes what a BABS user has: a BIDS-shaped input
dataset (one subject per array task) and a container dataset (the lane's
container_source, its image registered with `datalad containers-add`). Then it runs
the real `babs init`, `babs check-setup`, `babs submit`, waits for BABS's own sbatch
array and runs `babs merge`. Nothing of BABS is re-implemented or patched: what runs
on the nodes is BABS's generated `participant_job.sh`.

The workflow acts only where BABS gives a user the place to: the container
configuration's `script_preamble`, run by every task before the job body. There it
puts the scenario's git-annex first on PATH, sets its retry budget as git config in
the environment, times BABS's own `set -x` trace (PS4), records which tools the task
runs and meets the task's siblings at the round's barrier (`python -m
annex_race.jobs.babs task`). Each task's record is then read from BABS's own log (`task_record`), with the
same classifier as every other scenario.
"""

import csv
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..core.commands import DATALAD_DEBUG_ENV, git_config_env
from ..core.image import CONTAINER, IMAGE, SUBDATASET
from ..core.record import CloneRecord
from ..core.roots import safe_remove
from ..core.methods import BABS_DELIVERY
from ..observe import logparse
from . import push

BIDS_APP = "mriqc"  # the output folder BABS zips: CONTAINER is named for this app
APP_VERSION = "0-0-1"
# the subject ids of the input dataset: task i (from 1, as BABS numbers its array) is sub-<i>
SUBJECT = "sub-{:02d}"
RUNTIME = Path(__file__).with_name("runtime")  # the stand-in `singularity` (docs/design.md)
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
            "PREEMPTED", "BOOT_FAIL", "DEADLINE"}


# ---- the project ---------------------------------------------------------------------


def make_bids_input(path, n_subjects, roots):
    """A BIDS-shaped DataLad dataset with one small T1w file per subject."""
    import datalad.api as dl

    path = Path(path)
    safe_remove(path, roots)
    ds = dl.create(path=str(path), result_renderer="disabled")
    (path / "dataset_description.json").write_text(
        json.dumps({"Name": "annex-race BABS input", "BIDSVersion": "1.8.0"}) + "\n")
    for i in range(1, n_subjects + 1):
        anat = path / SUBJECT.format(i) / "anat"
        anat.mkdir(parents=True)
        (anat / f"{SUBJECT.format(i)}_T1w.nii.gz").write_text(f"annex-race T1w of subject {i}\n")
    ds.save(message="BIDS-shaped input, one subject per array task", result_renderer="disabled")
    return str(path)


def preamble(scenario, git_annex_bin, babs_bin, task_command):
    """The container configuration's `script_preamble`: what each task runs first."""
    from .clone_job import annex_settings

    env = {**git_config_env(annex_settings(scenario)), **DATALAD_DEBUG_ENV}
    exports = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in env.items())
    return "\n".join([
        "# annex-race: the scenario's git-annex first, then BABS's environment",
        f"export PATH={shlex.quote(str(RUNTIME))}:{shlex.quote(git_annex_bin)}:"
        f"{shlex.quote(str(babs_bin))}:$PATH",
        "# its retry budget as git config, and git-annex's lines passed through DataLad",
        f"export {exports}",
        "# every line of BABS's set -x trace carries its time",
        "PS4='+ ${EPOCHREALTIME} '",
        "trap 'echo \"annex-race: task exit $? at ${EPOCHREALTIME}\" >&2' EXIT",
        "# which tools this task runs, then its siblings at the round's barrier",
        f"{task_command} || exit 1",
        "",
    ])


def container_config(bids_dir, scratch, preamble_text, partition=None, account=None):
    """BABS's container configuration (YAML) for the stand-in BIDS App."""
    directives = [f"#SBATCH --{k}={v}" for k, v in (("partition", partition), ("account", account)) if v]
    resources = {"interpreting_shell": "/bin/bash"}
    if directives:
        resources["customized_text"] = "\n".join(directives)
    return {
        "input_datasets": {"BIDS": {
            "required_files": ["anat/*_T1w.nii*"], "is_zipped": False,
            "origin_url": str(bids_dir), "path_in_babs": "inputs/data/BIDS"}},
        "bids_app_args": {"$SUBJECT_SELECTION_FLAG": "--participant-label"},
        "all_results_in_one_zip": True,
        "zip_foldernames": {BIDS_APP: APP_VERSION},
        "cluster_resources": resources,
        "script_preamble": preamble_text,
        "job_compute_space": str(scratch),
    }


def babs_environment(babs_bin, git_annex_bin, environ=os.environ):
    """The environment BABS's commands run in: the scenario's git-annex, BABS's tools."""
    return {**environ, "PATH": f"{git_annex_bin}{os.pathsep}{babs_bin}{os.pathsep}{environ['PATH']}"}


def run_step(argv, log, cwd=None, env=None, check=True):
    """Run one BABS command, its output in the log; CalledProcessError if it fails."""
    log.write(f"{time.time():.3f} annex-race: $ {' '.join(map(str, argv))}\n")
    log.flush()
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, stdout=log, stderr=log)
    if check and result.returncode:
        raise subprocess.CalledProcessError(result.returncode, argv)
    return result.returncode


def container_dataset(container_source, container_store=None):
    """BABS's container dataset, as a user gives it to `babs init`: container_source's
    path, or with a storage sibling its copy in the input RIA store, as a RIA URL
    (`container_store`: that store's manifest)."""
    if container_store is None:
        return container_source["path"]
    return f"ria+file://{container_store['store']}#{container_source['dataset_id']}"


def init_project(root, scenario, container_ds, git_annex_bin, babs_bin, task_command,
                 log, roots, partition=None, account=None):
    """`babs init` and `babs check-setup` of a fresh project under `root`, with
    `container_ds` (a path or a RIA URL) as BABS's container dataset; its manifest."""
    import yaml

    started = time.time()
    root = Path(root)
    safe_remove(root, roots)
    root.mkdir(parents=True)
    bids = make_bids_input(root / "BIDS", scenario["n_clones"], roots)
    scratch = root / "scratch"
    scratch.mkdir()
    config = root / "container-config.yaml"
    text = preamble(scenario, git_annex_bin, babs_bin, task_command)
    config.write_text(yaml.safe_dump(container_config(bids, scratch, text, partition, account),
                                     sort_keys=False))
    project = root / "project"
    env = babs_environment(babs_bin, git_annex_bin)
    run_step([Path(babs_bin) / "babs", "init", "--container_ds", container_ds,
              "--container_name", CONTAINER, "--container_config", config,
              "--processing_level", "subject", "--queue", "slurm", project], log, env=env)
    run_step([Path(babs_bin) / "babs", "check-setup", project], log, env=env)
    return {"path": str(root), "project": str(project), "store": str(project / "input_ria"),
            "output_ria": str(project / "output_ria"), "scratch": str(scratch),
            "config": str(config), "container_ds": str(container_ds), "babs_version": babs_version(babs_bin),
            "seconds": time.time() - started}


def babs_version(babs_bin):
    out = subprocess.run([Path(babs_bin) / "python", "-c", "import babs; print(babs.__version__)"],
                         capture_output=True, text=True)
    return out.stdout.strip() or None


# ---- in each task: the tools, then the barrier ----------------------------------------


def task_command(python, ticket, barriers, n, timeout, margin, facts_file, origin, key):
    """The preamble's call of `task` below, with the annex-race Python. The project
    is made before its round opens: the task reads the round's ticket when it runs.
    `facts_file`: where each task writes what it recorded (core/layout.BABS_TASK, its
    `{clone}` left to the task)."""
    return " ".join(shlex.quote(str(Path(a).absolute()) if isinstance(a, Path) else str(a)) for a in [
        python, "-m", "annex_race.jobs.babs", "task", Path(ticket), Path(barriers), n, timeout, margin,
        Path(facts_file), origin, key])


def task(ticket, barriers, n, timeout, margin, facts_file, origin, key, environ=os.environ):
    """What a task records before BABS's job body, then its wait at the barrier,
    then the origin-lock probe watching the task's log (`watch`). Exit status 1 where
    the barrier did not release: no get without its siblings."""
    from ..core import versions
    from .barrier import read_ticket, wait_at_barrier

    t_start = time.time()
    barrier_dir = Path(barriers) / read_ticket(ticket, timeout).barrier
    clone = int(environ["SLURM_ARRAY_TASK_ID"]) - 1
    datalad = subprocess.run(["datalad", "--version"], capture_output=True, text=True, env=environ)
    facts = {
        "t_job_start": t_start, "host": socket.gethostname(), "pid": os.getppid(),
        "slurm_job_id": environ.get("SLURM_JOB_ID"), "slurm_array_job_id": environ.get("SLURM_ARRAY_JOB_ID"),
        "slurm_node": environ.get("SLURMD_NODENAME"),
        "git_annex_version": versions.reported_version(environ),
        "git_annex_path": shutil.which("git-annex", path=environ["PATH"]),
        "datalad_version": datalad.stdout.split()[-1] if datalad.stdout.split() else "",
    }
    release = wait_at_barrier(barrier_dir, clone, n, timeout, margin)
    facts["barrier"] = release.asdict()
    out = Path(facts_file.format(clone=clone))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(facts, indent=1) + "\n")
    print(f"annex-race: task {clone + 1} runs git-annex {facts['git_annex_version']}, "
          f"barrier {release.reason} at {release.released or time.time():.3f}", file=sys.stderr)
    if release.reason != "released":
        return 1
    shell = os.getppid()  # the job's shell, running the preamble
    subprocess.Popen([sys.executable, "-m", "annex_race.jobs.babs", "watch", str(shell), origin, key],
                     start_new_session=True, stdin=subprocess.DEVNULL)
    return 0


def watch(shell, origin, key, poll=0.05):
    """The origin-lock probe of every scenario, for a BABS task: follow the task's
    own log (the shell's stderr) and, where a line reports a failed attempt, write
    which locks on the key are held in the origin right then (clone_job), as the
    imitation's clone job does. Ends with the job's shell."""
    from .origin_locks import probe_origin_locks

    # DataLad prints the failed get's result on stdout, git-annex's lines on stderr
    logs = [open(os.readlink(f"/proc/{shell}/fd/{fd}"), errors="replace") for fd in (1, 2)]
    for log in logs:
        log.seek(0, os.SEEK_END)
    while Path(f"/proc/{shell}").exists():
        lines = [line for log in logs for line in iter(log.readline, "")]
        if any(logparse.marks_failure(line) for line in lines) and Path(origin).is_dir():
            for probe in probe_origin_locks(origin, key):
                print(probe, file=sys.stderr, flush=True)
        if not lines:
            time.sleep(poll)


# ---- submit, wait, merge ----------------------------------------------------------------


def submitted_array(project):
    """(array job id, {task id: subject}) of what `babs submit` submitted, from its
    job_submit.csv (one array per submit): task i runs the subject on row i, in the
    order BABS chose, which need not be the subjects' own."""
    with open(Path(project) / "analysis" / "code" / "job_submit.csv") as f:
        rows = [row for row in csv.DictReader(f) if row.get("job_id") not in ("", None, "-1")]
    ids = {row["job_id"] for row in rows}
    if len(ids) != 1:
        raise RuntimeError(f"{project}: expected one submitted array, job_submit.csv names {sorted(ids)}")
    return ids.pop(), {int(row["task_id"]): row["sub_id"] for row in rows}


def sacct_tasks(job_id):
    """{task id: {"state", "exit_code", "node", "elapsed_s"}} of an array job, from
    accounting."""
    out = subprocess.run(["sacct", "-j", str(job_id), "-X", "-n", "-P", "-o",
                          "JobID,State,ExitCode,NodeList,ElapsedRaw"], capture_output=True, text=True).stdout
    tasks = {}
    for line in out.splitlines():
        jid, state, exit_code, node, elapsed = (line.split("|") + [""] * 5)[:5]
        if "_" in jid and jid.split("_", 1)[1].isdigit():
            tasks[int(jid.split("_", 1)[1])] = {"state": state.split()[0] if state else "", "exit_code": exit_code,
                                                 "node": node, "elapsed_s": int(elapsed) if elapsed.isdigit() else None}
    return tasks


def wait_for_array(job_id, n, timeout, log, poll=2.0):
    """Wait until all n tasks of the array ended (sacct), at most `timeout` seconds."""
    deadline = time.time() + timeout
    while True:
        tasks = sacct_tasks(job_id)
        if len(tasks) >= n and all(t["state"] in TERMINAL for t in tasks.values()):
            return tasks
        if time.time() > deadline:
            subprocess.run(["scancel", str(job_id)], capture_output=True)
            log.write(f"{time.time():.3f} annex-race: array {job_id} not done after {timeout} s: cancelled\n")
            return sacct_tasks(job_id)
        time.sleep(poll)


def delivered_results(output_ria, workdir, log, roots):
    """{subject: True} for each subject whose zip is in the output RIA's main branch
    and whose content `datalad get` fetches from it, after `babs merge`."""
    import datalad.api as dl

    safe_remove(workdir, roots)
    found = {}
    try:
        ds = dl.clone(source=f"ria+file://{output_ria}#~data", path=str(workdir), result_renderer="disabled")
        for zipped in sorted(Path(workdir).glob(f"sub-*_{BIDS_APP}-{APP_VERSION}.zip")):
            res = ds.get(str(zipped), on_failure="ignore", result_renderer="disabled")
            found[zipped.name.split("_", 1)[0]] = all(r["status"] in ("ok", "notneeded") for r in res)
    except Exception as e:  # no merge, nothing to clone: no result delivered
        log.write(f"{time.time():.3f} annex-race: output RIA: {str(e).splitlines()[0]}\n")
    safe_remove(workdir, roots)
    return found


def run_array(manifest, n, timeout, git_annex_bin, babs_bin, log, roots):
    """`babs submit` all tasks, wait for them, `babs status`, `babs merge`, then see
    which results reached the output RIA; the run's account."""
    project = manifest["project"]
    env = babs_environment(babs_bin, git_annex_bin)
    babs = Path(babs_bin) / "babs"
    t_submit = time.time()
    run_step([babs, "submit", project], log, env=env)
    job_id, subjects = submitted_array(project)
    try:
        tasks = wait_for_array(job_id, n, timeout, log)
    finally:  # interrupted: no task of this round may race the next round's gets
        if any(t["state"] not in TERMINAL for t in sacct_tasks(job_id).values()):
            subprocess.run(["scancel", str(job_id)], capture_output=True)
            log.write(f"{time.time():.3f} annex-race: array {job_id} cancelled\n")
    t_done = time.time()
    run_step([babs, "status", project], log, env=env, check=False)
    merge = run_step([babs, "merge", project], log, env=env, check=False)
    delivered = delivered_results(manifest["output_ria"], Path(manifest["path"]) / "delivered", log, roots)
    safe_remove(manifest["scratch"], roots)  # what failed tasks left behind
    logs = Path(project) / "analysis" / "logs"
    return {
        "job_id": job_id, "t_submit": t_submit, "t_done": t_done, "merge_exit_code": merge,
        "tasks": {str(i): {**tasks.get(i, {}),
                           "stdout": str(next(iter(logs.glob(f"*.o{job_id}_{i}")), "")),
                           "stderr": str(next(iter(logs.glob(f"*.e{job_id}_{i}")), "")),
                           "subject": subjects.get(i), "delivered": delivered.get(subjects.get(i), False)}
                  for i in range(1, n + 1)},
    }


# ---- a task's record, from BABS's own log ------------------------------------------------

_TRACE = re.compile(r"^\++ (\d+\.\d+) (.*)")
_RUNTIME_START = re.compile(r"^annex-race singularity: start (\d+\.\d+)")
_RUNTIME_END = re.compile(r"^annex-race singularity: read the image, (\d+) bytes")
_EXIT = re.compile(r"^annex-race: task exit (-?\d+) at (\d+\.\d+)")
_TALLY = re.compile(r"^[\w-]+: \d+ failed$")
_REASON = re.compile(r"prevented|rejected|denied|not permitted|unable|cannot|refused", re.IGNORECASE)
_IMAGE_GOT = re.compile(r"^get\((ok|notneeded)\): " + re.escape(f"{SUBDATASET}/{IMAGE}"))


def timed_lines(text):
    """[(time, line)] of a task's log: each line at the time of the last timed line
    before it (BABS's trace, the runtime's and annex-race's own lines)."""
    t, lines = None, []
    for line in text.splitlines():
        for pattern in (_TRACE, _RUNTIME_START):
            if m := pattern.match(line):
                t = float(m.group(1))
        if m := _EXIT.match(line):
            t = float(m.group(2))
        lines.append((t, line))
    first = next((t for t, _ in lines if t is not None), 0.0)
    return [(first if t is None else t, line) for t, line in lines]


def _first(lines, predicate, after=None):
    return next(((t, line) for t, line in lines if (after is None or t >= after) and predicate(line)),
                (None, None))


def task_record(scenario, clone, round, lane, location, task_facts, task_account, log_text, log_path,
                babs_source):
    """The record of BABS array task `clone + 1`, from BABS's own log (stderr, then
    stdout) and what the task recorded before the job body (`task_facts`, None if it
    never ran)."""
    facts = task_facts or {}
    barrier = facts.get("barrier") or {}
    lines = timed_lines(log_text)
    texts = [line for _, line in lines]
    trace = [(t, m.group(2)) for t, line in lines if (m := _TRACE.match(line))]
    t_clone, _ = _first(trace, lambda s: s.startswith("datalad clone "))
    t_clone_end, _ = _first(trace, lambda s: not s.startswith("datalad clone "), after=t_clone) if t_clone else (None, None)
    t_get, _ = _first(trace, lambda s: s.startswith("datalad run "))
    t_exit, exit_line = _first(lines, lambda s: bool(_EXIT.match(s)))
    t_runtime, _ = _first(lines, lambda s: bool(_RUNTIME_START.match(s)))
    exit_code = int(_EXIT.match(exit_line).group(1)) if exit_line else None
    got = any(_IMAGE_GOT.match(s) for s in texts)
    read = any(_RUNTIME_END.match(s) for s in texts)
    get_texts = [s for t, s in lines if t_get is not None and t >= t_get]
    record = {
        "deliver": BABS_DELIVERY, "start": "barrier", **scenario, "clone": clone, "round": round, "lane": lane,
        "host": facts.get("host", task_account.get("node", "")), "pid": facts.get("pid", 0),
        "slurm_job_id": facts.get("slurm_job_id"), "slurm_node": facts.get("slurm_node") or task_account.get("node"),
        "log": str(log_path), "git_annex_version": facts.get("git_annex_version"),
        "git_annex_provenance": f"{babs_source}, PATH: {facts.get('git_annex_path')}",
        "datalad_version": facts.get("datalad_version", ""),
        **{k: location[k] for k in ("fs_source", "fs_clone", "same_filesystem", "reflink")},
        "origin": _origin(texts), "t_job_start": facts.get("t_job_start", 0.0),
        "t_clone_start": t_clone, "t_clone_end": t_clone_end,
        "t_barrier_arrive": barrier.get("arrived"), "t_barrier_release": barrier.get("released"),
        "barrier_release_at": barrier.get("release_at"), "barrier": barrier.get("reason", "not reached"),
        "t_get_start": t_get, "t_get_end": (t_runtime or t_exit) if t_get else None,
        "t_record": time.time(), "phase": "get" if t_get else "clone",
        "exit_code": exit_code, "verify_error": None if read or not got else "the runtime did not read the image",
        "outcome": "ok" if got and read else "failed",
        "failure_messages": logparse.failure_messages(get_texts or texts),
        "cause": None, "evidence": [], "arrival": None, "arrival_evidence": None,
        "prefetch_seconds": None, "reconstructed": False, "delivered": bool(task_account.get("delivered")),
        "delivery_evidence": None if task_account.get("delivered") else delivery_evidence(lines, trace, exit_code),
        "pushed": None, **babs_steps(lines, trace, t_runtime, t_exit),
    }
    events = logparse.attempt_events([(t, s) for t, s in lines if t_get is not None and t >= t_get])
    starts, inferred = logparse.attempt_starts(events, t_get, scenario["annex_retry_delay"]) if t_get else ([], False)
    record.update(attempts=events, attempt_starts=starts, attempt_starts_inferred=inferred)
    if not task_facts:
        state = task_account.get("state") or "never started"
        record.update(cause="lost", evidence=[f"SLURM task {clone + 1}: {state}; it never reached the barrier"])
    elif record["barrier"] != "released":
        record.update(cause="no-sibling", evidence=[f"barrier {record['barrier']}"])
    elif record["outcome"] == "ok":
        arrival = logparse.classify_arrival(get_texts)
        record.update(arrival=arrival.how, arrival_evidence=arrival.evidence)
        if not record["delivered"]:  # the job's verdict is its delivery's too
            step = "deliver" if record["t_deliver_start"] else "run"
            after = [s for t, s in lines if t >= (record["t_deliver_start"] or t_get) and not _TRACE.match(s)]
            diagnosis = logparse.classify_failure(after, exit_code)
            record.update(outcome="failed", failed_step=step, cause=diagnosis.cause,
                          evidence=[record["delivery_evidence"]], failure_messages=logparse.failure_messages(after))
    else:
        diagnosis = logparse.classify_failure(get_texts or texts, exit_code)
        record.update(cause=diagnosis.cause, evidence=diagnosis.evidence, failed_step="get")
    return CloneRecord(**record)


# BABS's delivery, as participant_job.sh takes it
_DELIVERY_STEPS = (("datalad push", "datalad push "), ("flock git push", "flock "))


def babs_steps(lines, trace, t_runtime, t_exit):
    """A task's run and delivery, from BABS's trace: the record's `run` (from the
    runtime's start to the push), `steps` (each delivery step from its trace line to
    the next) and t_deliver_start/end."""
    steps = []
    for name, prefix in _DELIVERY_STEPS:
        t_start, command = _first(trace, lambda s, p=prefix: s.startswith(p))
        if t_start is None:
            break
        t_end, _ = _first(trace, lambda s, c=command: s != command, after=t_start)
        t_end = t_end if t_end is not None and t_end > t_start else t_exit
        said = [s for t, s in lines if t_start <= t <= (t_end or t_start) and not _TRACE.match(s)]
        steps.append({"step": name, "command": command, "t_start": t_start, "t_end": t_end, "exit_code": None,
                      "remote_said": push.remote_said(said)})
    t_deliver = steps[0]["t_start"] if steps else None
    run = {"command": "datalad run (BABS's participant_job.sh)", "t_start": t_runtime,
           "t_end": t_deliver or t_exit, "exit_code": None, "commit": None} if t_runtime else None
    return {"steps": steps, "run": run, "t_deliver_start": t_deliver,
            "t_deliver_end": steps[-1]["t_end"] if steps else None}


def delivery_evidence(lines, trace, exit_code):
    """Why a task's result did not reach the output RIA: the first error-like line
    after BABS's push began, or that the task ended before it."""
    t_push, _ = _first(trace, lambda s: s.startswith("datalad push "))
    if t_push is None:
        return f"the task ended before its push (exit {exit_code})"
    after = [s for t, s in lines if t >= t_push and not _TRACE.match(s)]
    messages = logparse.failure_messages(after, limit=50)
    # a reason before a tally ("copy: 1 failed"), before DataLad's wrapping of it
    reasons = [m for m in messages if _REASON.search(m)]
    others = [m for m in messages if not _TALLY.match(m) and not m.startswith("CommandError")]
    return next(iter(reasons + others + messages), f"push ended with exit {exit_code}")


def _origin(texts):
    """Where the task's `containers` was cloned from: the last source DataLad tried."""
    tried = [m.group(1) for s in texts if (m := re.search(r"Attempting to clone from (\S+) to \S+/" + SUBDATASET + r"\b", s))]
    return tried[-1] if tried else None


def task_log(account, clone):
    """BABS's log of a task, stderr (its trace) then stdout (DataLad's results)."""
    task = account["tasks"][str(clone + 1)]
    parts = []
    for stream in ("stderr", "stdout"):
        path = task.get(stream)
        if path and Path(path).exists():
            parts.append(Path(path).read_text(errors="replace"))
    return "\n".join(parts)


if __name__ == "__main__":
    if sys.argv[1:2] == ["task"]:
        ticket, barriers, n, timeout, margin, facts_file, origin, key = sys.argv[2:10]
        sys.exit(task(ticket, barriers, int(n), float(timeout), float(margin), facts_file, origin, key))
    if sys.argv[1:2] == ["watch"]:
        sys.exit(watch(int(sys.argv[2]), sys.argv[3], sys.argv[4]))
    sys.exit("usage: python -m annex_race.jobs.babs task TICKET BARRIERS N TIMEOUT MARGIN FACTS ORIGIN KEY")
