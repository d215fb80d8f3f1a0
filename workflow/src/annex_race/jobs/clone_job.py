"""One clone job: clone, meet the siblings at the barrier, take the method's step;
a whole job then runs and delivers (jobs/deliver.py).

What a clone job clones and what it does at the barrier is its method's (core/
methods.py): the get family clones source_ds or its input RIA store, installs
`containers` and gets the image (and, where its scenario delivers, runs the
stand-in and delivers the result into the round's output RIA store); the init family `git clone`s the input RIA store
and runs `git annex init`; the push family (jobs/push.py) clones the round's output
repository, saves a result and pushes it. Each phase is a plain function;
`run_clone_job` strings them together and returns the CloneRecord the rule writes. A
failure in any phase is data, not an exception: it ends up in the record.
"""

import os
import resource
import shutil
import socket
import subprocess
import time
from pathlib import Path

from ..core import versions
from ..core.commands import DATALAD_DEBUG_ENV, git_config_env, run_logged
from ..core.image import CONTAINER, IMAGE, SUBDATASET, file_digest, parse_key, parse_size, place_object
from ..core.methods import GET, INIT, METHODS, PUSH, family
from ..core.record import CloneRecord
from ..core.roots import safe_remove
from ..observe import logparse
from . import deliver, push
from .barrier import Release, give_up, start_scheduled, take_slot, wait_at_barrier
from .install import install_apart, log_origin_uuid
from .origin_locks import local_path, probe_origin_locks


def get_command(method, clone_dir):
    """(argv, cwd) of the step a get or init method takes at the barrier, as a
    user's job script would take it."""
    clone_dir = Path(clone_dir)
    commands = {
        "datalad-get": (["datalad", "get", f"{SUBDATASET}/{IMAGE}"], clone_dir),
        # the container's call format tests the image; `true` is the payload
        "containers-run": (["datalad", "containers-run", "-n", f"{SUBDATASET}/{CONTAINER}",
                            "--explicit", "-m", "annex-race probe", "true"], clone_dir),
        "annex-get": (["git", "annex", "get", IMAGE], clone_dir / SUBDATASET),
        "annex-init": (["git", "annex", "init"], clone_dir),
    }
    return commands[method]


def annex_settings(scenario):
    """git config for the get: debug output always; the retry budget (the
    retry-backoff workaround's is in the scenario's retry axes) and bwlimit per
    scenario."""
    return {
        "annex.debug": "true",
        "annex.retry": scenario["annex_retry"],
        "annex.retrydelay": scenario["annex_retry_delay"],
        "annex.bwlimit": scenario["annex_bwlimit"],
    }


def get_environment(scenario, env):
    """The step's environment: git config for every method, and for those that run
    DataLad the setting that passes git-annex's stderr (its debug lines) through."""
    env = {**env, **git_config_env(annex_settings(scenario))}
    if METHODS[scenario["method"]].datalad:
        env.update(DATALAD_DEBUG_ENV)
    return env


def tool_versions(env):
    """The git-annex and DataLad versions this job actually runs."""
    from importlib.metadata import version

    return {"git_annex_version": versions.reported_version(env), "datalad_version": version("datalad")}


def verify_image(clone_dir, key):
    """None if the image in the clone is present and matches `key`, else the problem."""
    algorithm, size, digest = parse_key(key)
    image = Path(clone_dir) / SUBDATASET / IMAGE
    if not image.exists():  # an annex link without content does not "exist"
        return f"{image}: content not present"
    if image.stat().st_size != size:
        return f"{image}: size {image.stat().st_size}, key says {size}"
    if file_digest(image, algorithm) != digest:
        return f"{image}: {algorithm} checksum does not match the key"
    return None


def ria_dataset(url):
    """The path of the dataset a `ria+file://<store>#~<alias>` URL names (else `url`)."""
    if not url.startswith("ria+file://"):
        return url
    store, _, alias = url.removeprefix("ria+file://").partition("#~")
    return str(Path(store) / "alias" / alias)


def clone_for_init(url, clone_dir, log):
    """The init operation's clone: `git clone` only, no `git annex init` yet (DataLad's
    clone would run it), its origin marked annex-ignore where it is a RIA store, as
    DataLad's clone of a RIA store marks it; the init runs at the barrier. Returns
    the origin's path."""
    origin = ria_dataset(url)
    subprocess.run(["git", "clone", "--quiet", origin, str(clone_dir)], check=True, capture_output=True, text=True)
    if url.startswith("ria+"):
        subprocess.run(["git", "-C", str(clone_dir), "config", "remote.origin.annex-ignore", "true"], check=True)
    log.write(f"{time.time():.3f} git clone {origin} (no git annex init before the barrier)\n")
    return origin


def slurm_info():
    return {
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
        "slurm_node": os.environ.get("SLURMD_NODENAME"),
        "slurm_array_job_id": os.environ.get("SLURM_ARRAY_JOB_ID"),
        "slurm_array_task_id": os.environ.get("SLURM_ARRAY_TASK_ID"),
    }


class CpuClock:
    """CPU seconds by phase: the job's own (Python: the job, DataLad) and its waited-
    for children's (git, git-annex), each phase from the end of the one before."""

    def __init__(self):
        self.phases, self._last = {}, (0.0, 0.0)  # the interpreter's start counts too
        self.lap("start")

    @staticmethod
    def _now():
        own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime

    def lap(self, phase, python_children=0.0):
        """End `phase`; `python_children`: seconds of its children's that were Python
        (a child process running DataLad), counted as the job's own."""
        now = self._now()
        own, children = now[0] - self._last[0], now[1] - self._last[1]
        self.phases[phase] = [round(own + python_children, 3), round(children - python_children, 3)]
        self._last = now


def run_clone_job(spec, ticket, origin, key, location, settings, log, roots, prefetch=None,
                  env=None, t_job_start=None, guard=None, git_annex=None, output=None):
    """Run one clone job and return its CloneRecord. `log` is an open text file.

    `spec`: its core.specs.CloneJobSpec; `ticket`: its round's (jobs.barrier.
    RoundTicket); `origin`: the manifest of what it clones (source_ds or an input RIA
    store; a push operation's output repository); `key`: the image's annex key (get,
    init); `location`: the location's probe; `settings`: barrier_timeout, barrier_margin,
    keep_clones, push_timeout; `prefetch`: the prefetched image's manifest (workaround
    prefetch), else None; `guard`: the job's guard.Guard, told each phase;
    `git_annex`: the manifest of the git-annex it must run (the only version accepted);
    `output`: a whole job's, the manifest of the round's output repository.
    """
    cpu = CpuClock()  # "start": the interpreter, the imports, reading the inputs
    scenario, clone, clone_dir = spec.scenario, spec.clone, spec.clone_dir
    barrier_dir = Path(spec.barriers) / ticket.barrier
    scheduled = scenario.get("start", "barrier") == "scheduled"
    slot = None
    if scheduled and settings.get("throttle"):  # an array task waits for its slot before it starts
        slot = take_slot(barrier_dir, clone, settings["throttle"], settings["barrier_timeout"])
        log.write(f"{time.time():.3f} throttle: {'a slot' if slot else 'no slot'} of {settings['throttle']}\n")
    kind = family(scenario["method"])
    env = dict(os.environ if env is None else env)
    tell = guard.tell if guard else lambda *words: None
    git_annex = git_annex or {}
    tools = tool_versions(env)
    versions.confirm(scenario["git_annex"], tools["git_annex_version"], git_annex.get("reported"))
    record = {
        **scenario,
        "clone": clone,
        "round": ticket.round,
        "lane": ticket.lane,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        **slurm_info(),
        **tools,
        "git_annex_provenance": git_annex.get("provenance", "PyPI"),
        **{k: location[k] for k in ("fs_source", "fs_clone", "same_filesystem", "reflink")},
        "origin": None,
        "phase": "clone",
        "t_get_start": None,
        "t_get_end": None,
        "attempts": [],
        "attempt_starts": [],
        "attempt_starts_inferred": False,
        "exit_code": None,
        "verify_error": None,
        "outcome": "failed",
        "failure_messages": [],
        "cause": None,
        "evidence": [],
        "arrival": None,
        "arrival_evidence": None,
        "prefetch_seconds": prefetch["seconds"] if prefetch else None,
        "reconstructed": False,
        "delivered": None,
        "delivery_evidence": None,
        "pushed": None,
        "steps": [],
        "run": None,
        "t_deliver_start": None,
        "t_deliver_end": None,
        "verify_seconds": None,
        "failed_step": None,
        "log": str(Path(log.name).absolute()),
    }
    safe_remove(clone_dir, roots)  # left over from an interrupted earlier run
    Path(clone_dir).parent.mkdir(parents=True, exist_ok=True)

    record["t_clone_start"] = time.time()
    python_cpu = 0.0  # the clone's own Python, where it ran in a child process
    try:
        if kind == PUSH:
            record["pushed"] = push.prepare(scenario["method"], clone, origin, clone_dir,
                                            parse_size(scenario["image_size"]), log, env)
            record["origin"] = origin["repository"]
        elif kind == INIT:
            record["origin"] = clone_for_init(origin["url"], clone_dir, log)
        else:
            record["origin"], python_cpu = install_apart(origin["url"], clone_dir, log)
        if scenario["transport"] == "ssh" and kind == GET:  # the origin's side runs the scenario's git-annex too
            shell = shutil.which("git-annex-shell", path=env["PATH"])
            subprocess.run(["git", "config", "remote.origin.annex-shell", shell],
                           cwd=Path(clone_dir) / SUBDATASET, check=True)
        if prefetch:
            # what BABS's job script does: the image is the shared, prefetched copy, so
            # git-annex finds the content present and the get transfers nothing
            place_object(Path(clone_dir) / SUBDATASET, key, prefetch["content"], symlink=True)
        if output:
            record.update(deliver.prepare(clone, output, clone_dir, scenario["workaround"], log, env))
    except Exception as e:  # a failed clone is an observation like any other
        record["failure_messages"] = [f"clone failed: {e}".splitlines()[0]]
        record.update(cause="other", evidence=record["failure_messages"], failed_step="clone")
    record["t_clone_end"] = time.time()
    cpu.lap("clone", python_cpu)

    if scheduled and settings.get("throttle") and not slot:
        release = Release(arrived=time.time(), reason="no-slot")
    elif scheduled:
        release = start_scheduled(clone)
    else:
        # arrive even after a failed clone, so siblings are not left waiting for us
        tell("barrier", barrier_dir, clone)
        release = wait_at_barrier(barrier_dir, clone, scenario["n_clones"],
                                  settings["barrier_timeout"], settings["barrier_margin"])
    cpu.lap("barrier")
    record.update(
        t_barrier_arrive=release.arrived,
        t_barrier_release=release.released,
        barrier_release_at=release.release_at,
        barrier=release.reason,
    )
    log.write(f"{time.time():.3f} barrier: {release.reason} ({release.siblings_seen} seen)\n")
    tell("released")

    if release.reason not in ("released", "scheduled") and record["origin"] is not None:
        # a step without its siblings says nothing about concurrency: none is taken
        cause = "requeued" if release.reason == "requeued" else "no-sibling"
        why = {"requeued": "this clone arrived at this round's barrier before: its job was started again",
               "timeout": f"no sibling arrived within barrier_timeout ({settings['barrier_timeout']} s)",
               "sibling-gave-up": "a sibling gave up waiting at the barrier",
               "no-slot": f"no throttle slot came free within barrier_timeout ({settings['barrier_timeout']} s)",
               }[release.reason]
        record.update(cause=cause, evidence=[f"barrier {release.reason}: {why}"],
                      failure_messages=[f"barrier {release.reason}: {why}"])
    elif record["origin"] is not None and kind == PUSH:
        record.update(push.run_steps(scenario["method"], origin, record["pushed"], clone_dir, log,
                                     get_environment(scenario, env), settings["push_timeout"], tell))
    elif record["origin"] is not None:
        record.update(get(scenario, clone_dir, origin["url"], key, record["origin"], log,
                          get_environment(scenario, env), tell))
        if output:
            record.update(run_and_deliver(spec, ticket, output, record, log, get_environment(scenario, env),
                                          settings, tell))
    elif output and settings.get("deliver_at_barrier"):  # no get: its siblings deliver without it
        give_up(delivery_barrier(spec, ticket), clone)
    cpu.lap("step")
    if not settings["keep_clones"]:
        safe_remove(clone_dir, roots)
    cpu.lap("record")
    if slot:
        slot.close()
    now = time.time()
    return CloneRecord(**record, t_job_start=t_job_start or now, t_record=now, cpu=cpu.phases)


def delivery_barrier(spec, ticket):
    """Where a whole job's jobs meet before they deliver (deliver_at_barrier)."""
    return Path(spec.barriers) / f"{ticket.barrier}-deliver"


def run_and_deliver(spec, ticket, output, record, log, env, settings, tell):
    """After the get: the whole job's run and delivery, as each job reaches them (with
    deliver_at_barrier, all jobs meet at a second barrier first, the worst case; a
    job whose get failed still arrives there, so its siblings do not wait in vain)."""
    fields, pushed = {}, None
    if record["outcome"] == "ok":
        fields["run"], pushed, problem = deliver.run(spec.clone, spec.clone_dir,
                                                     parse_size(settings.get("result_size", "1K")), log)
        if pushed is None:
            diagnosis = logparse.classify_failure([problem], 1)
            fields.update(outcome="failed", failed_step="run", cause=diagnosis.cause, evidence=diagnosis.evidence,
                          failure_messages=[problem])
    if settings.get("deliver_at_barrier"):
        barrier_dir = delivery_barrier(spec, ticket)
        tell("barrier", barrier_dir, spec.clone)
        release = wait_at_barrier(barrier_dir, spec.clone, spec.scenario["n_clones"],
                                  settings["barrier_timeout"], settings["barrier_margin"])
        log.write(f"{time.time():.3f} delivery barrier: {release.reason} ({release.siblings_seen} seen)\n")
        tell("released")
    if pushed:
        fields["pushed"] = pushed
        fields.update(deliver.deliver(spec.scenario, output, pushed, spec.clone_dir, log, env,
                                      settings["push_timeout"], tell))
    return fields


def get(scenario, clone_dir, url, key, origin, log, env, tell):
    """At the barrier: a get (or init) method's step, the record's fields of what it
    did, how the content arrived or why it failed. Whenever an attempt fails, the
    origin's locks on the key are probed and logged."""
    init = family(scenario["method"]) == INIT
    cmd, cwd = get_command(scenario["method"], clone_dir)
    origin = local_path(origin)

    def probe_on_failure(text):
        if logparse.marks_failure(text) and origin and Path(origin).is_dir():
            return probe_origin_locks(origin, key)
        return ()

    log.write(f"{time.time():.3f} $ {' '.join(cmd)}  (in {cwd})\n")
    run = run_logged(cmd, log, cwd=cwd, env=env, annotate=probe_on_failure, on_start=lambda pgid: tell("get", pgid))
    if init:
        log_origin_uuid(clone_dir, url, log)
    problem = None if init else verify_image(clone_dir, key)
    outcome = "ok" if run.exit_code == 0 and problem is None else "failed"
    events = logparse.attempt_events(run.lines)
    starts, inferred = logparse.attempt_starts(events, run.started, scenario["annex_retry_delay"])
    fields = {"phase": "get", "t_get_start": run.started, "t_get_end": run.ended, "exit_code": run.exit_code,
              "attempts": events, "attempt_starts": starts, "attempt_starts_inferred": inferred,
              "failure_messages": logparse.failure_messages(run.text), "verify_error": problem, "outcome": outcome}
    if outcome == "ok" and not init:
        arrival = logparse.classify_arrival(run.text)
        fields.update(arrival=arrival.how, arrival_evidence=arrival.evidence)
    elif outcome != "ok":
        diagnosis = logparse.classify_failure(run.text + ([problem] if problem else []), run.exit_code)
        fields.update(cause=diagnosis.cause, evidence=diagnosis.evidence, failed_step="get")
    return fields
