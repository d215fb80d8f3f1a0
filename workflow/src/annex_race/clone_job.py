"""One clone job: clone the input RIA, install `containers`, meet the siblings, get.

Each phase is a plain function; `clone_get` strings them together and returns the
CloneRecord that the rule writes. A failure in any phase is data, not an
exception: it ends up in the record.
"""

import fcntl
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.parse
from pathlib import Path

from . import logparse, push_job, versions
from .barrier import wait_at_barrier
from .datasets import CONTAINER, IMAGE, SUBDATASET, file_digest, parse_key, parse_size, place_object
from .paths import safe_remove
from .record import CloneRecord
from .runner import DATALAD_DEBUG_ENV, git_config_env, run_logged
from .snapshot import UUID_LINE

METHODS = ("datalad-get", "containers-run", "annex-get", "annex-init", *push_job.OPERATIONS)
INIT = "annex-init"  # no get: `git annex init` in a plain clone, to see what it writes


def get_command(method, clone_dir):
    """(argv, cwd) that fetch the image the way a user's job script would."""
    clone_dir = Path(clone_dir)
    if method == "datalad-get":
        return ["datalad", "get", f"{SUBDATASET}/{IMAGE}"], clone_dir
    if method == "containers-run":
        # the container's call format tests the image; `true` is the payload
        return [
            "datalad", "containers-run", "-n", f"{SUBDATASET}/{CONTAINER}",
            "--explicit", "-m", "annex-race probe", "true",
        ], clone_dir
    if method == "annex-get":
        return ["git", "annex", "get", IMAGE], clone_dir / SUBDATASET
    if method == INIT:
        return ["git", "annex", "init"], clone_dir
    raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")


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
    """The get's environment: git config for all three methods, and for DataLad the
    setting that passes git-annex's stderr (its debug lines) through."""
    env = {**env, **git_config_env(annex_settings(scenario))}
    if scenario["method"] in ("datalad-get", "containers-run", "datalad-push"):
        env.update(DATALAD_DEBUG_ENV)
    return env


# struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (+ padding)
_FLOCK = "hhqqi4x"


def lock_holder(path):
    """pid holding a POSIX lock on `path` (F_GETLK: asks, takes nothing), else None."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        l_type, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, query))
        return pid if l_type != fcntl.F_UNLCK else None
    finally:
        os.close(fd)


def local_path(origin):
    """The origin's path on this machine: itself, or the path of an ssh:// URL to
    this machine (else None: another host's locks cannot be probed from here)."""
    if not origin.startswith("ssh://"):
        return origin
    url = urllib.parse.urlsplit(origin)
    return url.path if url.hostname in ("localhost", "127.0.0.1", socket.gethostname()) else None


def probe_origin_locks(origin, key):
    """Lines saying which locks on `key` are held in a local origin right now.

    git-annex prints no lock path, and under DataLad not even the lock message, so
    at the moment an attempt fails the job looks at the origin's transfer locks
    (and its pid lock file) itself.
    """
    annex = Path(origin) / ".git" / "annex"
    held = [
        f"{logparse.PROBE_PREFIX} {path} held by pid {pid}"
        for path in sorted(annex.glob(f"transfer/**/lck.{key}"))
        if (pid := lock_holder(path)) is not None
    ]
    pidlock = annex / "pidlock"
    if pidlock.exists():
        pid = (pidlock.read_text().split() or ["?"])[0]
        held.append(f"{logparse.PROBE_PREFIX} {pidlock} held by pid {pid} (pid lock file)")
    return held or [f"{logparse.PROBE_PREFIX}: none held on {key} in {origin}"]


def tool_versions(env):
    """The git-annex and DataLad versions this job actually runs."""
    import datalad

    return {"git_annex_version": versions.reported_version(env), "datalad_version": datalad.__version__}


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


def log_origin_uuid(clone_dir, url, log):
    """Log the annex uuid the clone finds its origin to have: where a job initialised
    the origin, the logs tell which (snapshot.seen_uuids)."""
    uuid = subprocess.run(["git", "-C", str(clone_dir), "config", "remote.origin.annex-uuid"],
                          capture_output=True, text=True).stdout.strip()
    log.write(f"{time.time():.3f} annex-race: {UUID_LINE} {uuid or 'none'} ({url})\n")


def clone_and_install(url, clone_dir, log):
    """Clone the dataset at `url` (the input RIA store, or source_ds itself) and
    install (not get) its `containers` subdataset; return where that came from."""
    import datalad.api as dl

    ds = dl.clone(source=url, path=str(clone_dir), result_renderer="disabled")
    log_origin_uuid(clone_dir, url, log)
    ds.get(SUBDATASET, get_data=False, result_renderer="disabled")
    url = ds.subdatasets(path=SUBDATASET, result_renderer="disabled")[0]["gitmodule_url"]
    origin = subprocess.run(
        ["git", "-C", str(Path(clone_dir) / SUBDATASET), "remote", "get-url", "origin"],
        capture_output=True, text=True,
    ).stdout.strip()
    log.write(f"{time.time():.3f} containers installed from {origin} (.gitmodules: {url})\n")
    return origin


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
    }


def clone_get(scenario, clone, round, lane, url, key, location, clone_dir, barrier_dir,
              barrier_timeout, barrier_margin, log, roots, prefetch=None,
              keep_clone=False, env=None, t_job_start=None, guard=None, git_annex_source=None,
              git_annex_reported=None, store=None, push_timeout=None):
    """Run one clone job and return its CloneRecord. `log` is an open text file.

    `url`: what to clone (an input RIA store's URL, or source_ds's path); `key`: the
    image's annex key; `location`: the probe of the scenario's location (see
    locations.probe_location); `prefetch`: manifest of the prefetched image
    (workaround prefetch), else None; `guard`: the job's guard.Guard, told each phase;
    `git_annex_reported`: the version its install reported, the only one accepted;
    `store`: a push operation's output store (push_job.create_output_store), and
    `push_timeout`: how long its steps may print nothing before they count as hung.
    """
    env = dict(os.environ if env is None else env)
    tell = guard.tell if guard else lambda *words: None
    tools = tool_versions(env)
    versions.check(scenario["git_annex"], tools["git_annex_version"], git_annex_reported)
    record = {
        **scenario,
        "clone": clone,
        "round": round,
        "lane": lane,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        **slurm_info(),
        **tools,
        "git_annex_source": git_annex_source,
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
        "log": str(Path(log.name).absolute()),
    }
    safe_remove(clone_dir, roots)  # left over from an interrupted earlier run
    Path(clone_dir).parent.mkdir(parents=True, exist_ok=True)

    record["t_clone_start"] = time.time()
    try:
        if push_job.is_push(scenario["method"]):
            record["pushed"] = push_job.prepare(scenario["method"], clone, store, clone_dir,
                                                parse_size(scenario["image_size"]), log, env)
            record["origin"] = store["repository"]
        else:
            make_clone = clone_for_init if scenario["method"] == INIT else clone_and_install
            record["origin"] = make_clone(url, clone_dir, log)
        if scenario["transport"] == "ssh" and scenario["method"] != INIT:  # the origin's side runs the scenario's git-annex too
            shell = shutil.which("git-annex-shell", path=env["PATH"])
            subprocess.run(["git", "config", "remote.origin.annex-shell", shell],
                           cwd=Path(clone_dir) / SUBDATASET, check=True)
        if prefetch:
            # what BABS's job script does: the image is the shared, prefetched copy, so
            # git-annex finds the content present and the get transfers nothing
            place_object(Path(clone_dir) / SUBDATASET, key, prefetch["content"], symlink=True)
    except Exception as e:  # a failed clone is an observation like any other
        record["failure_messages"] = [f"clone failed: {e}".splitlines()[0]]
        record.update(cause="other", evidence=record["failure_messages"])
    record["t_clone_end"] = time.time()

    # arrive even after a failed clone, so siblings are not left waiting for us
    tell("barrier", barrier_dir, clone)
    release = wait_at_barrier(barrier_dir, clone, scenario["n_clones"],
                              barrier_timeout, barrier_margin)
    record.update(
        t_barrier_arrive=release.arrived,
        t_barrier_release=release.released,
        barrier_release_at=release.release_at,
        barrier=release.reason,
    )
    log.write(f"{time.time():.3f} barrier: {release.reason} ({release.siblings_seen} seen)\n")
    tell("released")

    if release.reason != "released" and record["origin"] is not None:
        # a get without its siblings says nothing about concurrency: none is made
        cause = "requeued" if release.reason == "requeued" else "no-sibling"
        why = {"requeued": "this clone arrived at this round's barrier before: its job was started again",
               "timeout": f"no sibling arrived within barrier_timeout ({barrier_timeout} s)",
               "sibling-gave-up": "a sibling gave up waiting at the barrier"}[release.reason]
        record.update(cause=cause, evidence=[f"barrier {release.reason}: {why}"],
                      failure_messages=[f"barrier {release.reason}: {why}"])
    elif record["origin"] is not None and push_job.is_push(scenario["method"]):
        record.update(push(scenario, store, record["pushed"], clone_dir, log, get_environment(scenario, env),
                           push_timeout, tell))
    elif record["origin"] is not None:
        record["phase"] = "get"
        cmd, cwd = get_command(scenario["method"], clone_dir)

        origin = local_path(record["origin"])

        def probe_on_failure(text):
            if logparse.marks_failure(text) and origin and Path(origin).is_dir():
                return probe_origin_locks(origin, key)
            return ()

        log.write(f"{time.time():.3f} $ {' '.join(cmd)}  (in {cwd})\n")
        run = run_logged(cmd, log, cwd=cwd, env=get_environment(scenario, env),
                         annotate=probe_on_failure, on_start=lambda pgid: tell("get", pgid))
        if scenario["method"] == INIT:
            log_origin_uuid(clone_dir, url, log)
        problem = None if scenario["method"] == INIT else verify_image(clone_dir, key)
        outcome = "ok" if run.exit_code == 0 and problem is None else "failed"
        events = logparse.attempt_events(run.lines)
        starts, inferred = logparse.attempt_starts(events, run.started, scenario["annex_retry_delay"])
        record.update(
            t_get_start=run.started,
            t_get_end=run.ended,
            exit_code=run.exit_code,
            attempts=events,
            attempt_starts=starts,
            attempt_starts_inferred=inferred,
            failure_messages=logparse.failure_messages(run.text),
            verify_error=problem,
            outcome=outcome,
        )
        if outcome == "ok" and scenario["method"] != INIT:
            arrival = logparse.classify_arrival(run.text)
            record.update(arrival=arrival.how, arrival_evidence=arrival.evidence)
        else:
            texts = run.text + ([problem] if problem else [])
            diagnosis = logparse.classify_failure(texts, run.exit_code)
            record.update(cause=diagnosis.cause, evidence=diagnosis.evidence)
    if not keep_clone:
        safe_remove(clone_dir, roots)
    now = time.time()
    return CloneRecord(**record, t_job_start=t_job_start or now, t_record=now)


def push(scenario, store, pushed, clone_dir, log, env, push_timeout, tell):
    """At the barrier: the push operation's steps, one after another until one fails;
    the record's fields of what they did and what the remotes said."""
    lines, steps, exit_code = [], [], 0
    for name, cmd in push_job.steps(scenario["method"], store, pushed):
        log.write(f"{time.time():.3f} $ {' '.join(cmd)}  (in {clone_dir})\n")
        run = run_logged(cmd, log, cwd=clone_dir, env=env, idle_timeout=push_timeout,
                         on_start=lambda pgid: tell("get", pgid))
        lines += run.lines
        steps.append({"step": name, "command": " ".join(cmd), "t_start": run.started, "t_end": run.ended,
                      "exit_code": run.exit_code, "remote_said": push_job.remote_said(run.text)})
        exit_code = run.exit_code
        if exit_code:
            break
    texts = [text for _, text in lines]
    fields = {"phase": "push", "t_get_start": steps[0]["t_start"], "t_get_end": steps[-1]["t_end"],
              "exit_code": exit_code, "steps": steps, "failure_messages": logparse.failure_messages(texts),
              "outcome": "ok" if exit_code == 0 else "failed",
              "attempts": logparse.attempt_events(lines), "attempt_starts": [steps[0]["t_start"]]}
    if exit_code:
        diagnosis = logparse.classify_failure(texts, exit_code)
        fields.update(cause=diagnosis.cause, evidence=diagnosis.evidence)
    return fields
