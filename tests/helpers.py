"""Running the workflow from tests: a real Snakemake on the real datasets."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from annex_race.core.layout import TABLES
from annex_race.core.log_lines import STARTED
from annex_race.core.record import EXTERNAL_CAUSES, get_start_skew
from annex_race.driver.cli import (ROOT, SNAKEMAKE, descendants, read_run, read_table, run_snakemake,  # noqa: F401
                                   snakemake_command)
from annex_race.report.table import read_scenarios


def slurm_ready():
    """None if the test cluster answers (tools/test.sh brings it up), else why not."""
    import shutil

    if os.geteuid() != 0:
        return "not root: the test cluster is brought up as root"
    if not shutil.which("sinfo") or not shutil.which("sacct"):
        return "SLURM is not installed (tools/test.sh installs it as root)"
    idle = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    if idle.returncode or not {"idle", "mixed"} & set(idle.stdout.split()):
        return f"no idle SLURM node: {idle.stdout.strip() or idle.stderr.strip()}"
    if subprocess.run(["sacct", "-n", "-X", "-S", "now"], capture_output=True).returncode:
        return "sacct does not answer (no accounting)"
    return None


# the test cluster answers at once: its runs look at their jobs every few seconds
SLURM_TEST_CONFIG = ("slurm_status_interval=3",)


def with_test_cluster(args, config):
    """`config` with the test cluster's settings where `args` name its profile."""
    return (*SLURM_TEST_CONFIG, *config) if any(str(a).endswith("slurm-test") for a in args) else tuple(config)


def snakemake(workdir, *args, config=(), configfiles=(), timeout=1800, **kwargs):
    """Run the workflow with `workdir` as its working directory (results/ go there)."""
    return run_snakemake(workdir, *args, config=with_test_cluster(args, config), configfiles=configfiles,
                         timeout=timeout, **kwargs)


def load_run(workdir):
    """(records by scenario, summary text, results table) of a finished run."""
    return read_run(workdir), (Path(workdir) / "results" / "summary.md").read_text(), read_table(workdir)


def started_during_another(records):
    """The clones whose get started while another clone's get ran."""
    return {r.clone for r in records if r.t_get_start is not None and any(
        o.clone != r.clone and o.t_get_start is not None and o.t_get_start <= r.t_get_start < o.t_get_end
        for o in records)}


def ran_alongside_another(records):
    """The clones whose get ran, for some time, while another clone's get ran."""
    return {r.clone for r in records if r.t_get_start is not None and any(
        o.clone != r.clone and o.t_get_start is not None and o.t_get_start < r.t_get_end and r.t_get_start < o.t_get_end
        for o in records)}


def observed_verdict(records, max_skew=1.0):
    """The verdict a scenario's records call for, worked out independently of the summary:
    a scheduled start is judged by what it did, a barrier's by its skew unless every
    get but the first started during another's."""
    skew = get_start_skew(r.t_get_start for r in records)
    scheduled = all(r.start == "scheduled" for r in records)
    raced = len(started_during_another(records)) >= len(records) - 1
    if (any(r.barrier not in ("released", "scheduled") for r in records) or len(records) < records[0].n_clones
            or skew is None or (skew > max_skew and not scheduled and not raced)):
        return "INCONCLUSIVE"
    if any(r.outcome != "ok" and r.cause in EXTERNAL_CAUSES for r in records):
        return "INCONCLUSIVE"  # failed of something from outside git-annex and DataLad
    return "FAIL" if any(r.outcome != "ok" for r in records) else "PASS"


def scenario_rows(workdir):
    """results/scenarios.tsv of a finished run: one row per scenario, every verdict,
    cause and axis (the table the summary renders)."""
    return read_scenarios(Path(workdir) / TABLES["scenarios"])


RELEASE = 1000.0


def make_record(scenario="s1", clone=0, outcome="ok", start=RELEASE, get_s=2.0, n=2, barrier="released",
           failures=(), attempts=None):
    """A valid record (as a dict) of one clone; the arguments set what it observed."""
    return {
        "scenario": scenario, "location": "local", "clone_from": "ria", "transport": "local", "storage_sibling": "off", "method": "annex-get", "deliver": "none", "start": "barrier", "image_size": "8M",
        "n_clones": n, "annex_retry": 3, "annex_retry_delay": 1, "annex_bwlimit": "1MiB", "git_annex": "10.20260115",
        "workaround": "none", "clone": clone, "round": 1, "lane": 0, "host": "h", "pid": 1, "slurm_job_id": None,
        "slurm_node": None, "git_annex_version": "10.20260115-gabc", "git_annex_provenance": "PyPI", "datalad_version": "1.7.1",
        "fs_source": "ext4", "fs_clone": "ext4", "same_filesystem": True, "reflink": False,
        "origin": "/o", "phase": "get", "arrival": "copy" if outcome == "ok" else None,
        "arrival_evidence": "cp --reflink=always: ExitFailure 1" if outcome == "ok" else None,
        "t_clone_start": RELEASE - 3, "t_clone_end": RELEASE - 1, "t_barrier_arrive": RELEASE - 1,
        "t_barrier_release": start if barrier == "released" else None,
        "barrier_release_at": RELEASE if barrier == "released" else None, "barrier": barrier,
        "t_get_start": start, "t_get_end": start + get_s,
        "attempts": [{"t": start + 0.1, "event": "transfer", "remote": "origin"}]
        if attempts is None else attempts,
        "attempt_starts": [start + 0.1], "attempt_starts_inferred": False,
        "exit_code": 0 if outcome == "ok" else 1, "verify_error": None, "outcome": outcome,
        "failure_messages": list(failures), "log": "/x.log", "prefetch_seconds": None,
        "reconstructed": False, "delivered": None, "delivery_evidence": None,
        "pushed": None, "steps": [],
        "t_job_start": RELEASE - 4, "t_record": start + get_s + 0.1,
        "cause": None if outcome == "ok" else "transfer-lock",
        "evidence": [] if outcome == "ok" else list(failures[:1]) or ["x"],
    }


def processes_of(workdir):
    """Processes (pid, command line) working in `workdir` or naming it: a run's leftovers."""
    workdir, found = str(Path(workdir).resolve()), []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cwd = os.readlink(proc / "cwd")
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if int(proc.name) != os.getpid() and state not in "ZX" and (
                cwd.startswith(workdir) or workdir in cmdline):
            found.append((int(proc.name), cmdline.strip()))
    return found


def assert_sources_unharmed(summary_md):
    """Every e2e run checks its sources (integrity.verify_sources): the summary says so."""
    assert "## Sources" in summary_md and "Unharmed: all" in summary_md, summary_md[-1500:]


def stop(process, timeout=10):
    """Stop a process a test started (SIGTERM, then SIGKILL) and reap it."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_group(pgid, timeout=5):
    """Kill what is left of the process group `pgid` (a test started its leader with
    start_new_session) and wait until none of it is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def git_annex_under(pid, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for child in descendants(pid):
            try:
                if Path(f"/proc/{child}/comm").read_text().strip() == "git-annex":
                    return child
            except OSError:
                continue
        time.sleep(0.1)
    raise AssertionError(f"no git-annex under pid {pid}")


def start_run(workdir, *args, configfiles=(), config=()):
    """The workflow in its own process group, as a terminal would run it."""
    cmd = snakemake_command(workdir, *args, configfiles=configfiles, config=config)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def wait_for_log_line(workdir, clone, line, run, scenario_part="", timeout=600):
    """(pid of clone job `clone` of a scenario whose id has `scenario_part`, its
    scenario) once its log's last attempt shows `line`."""
    deadline = time.time() + timeout
    while time.time() < deadline and run.poll() is None:
        for log in Path(workdir, "results/logs/run_clone_job").glob(f"*{scenario_part}*/clone-{clone}.log"):
            text = log.read_text(errors="replace")
            if line in text.rsplit(STARTED, 1)[-1]:
                return int(re.findall(STARTED + r" pid=(\d+)", text)[-1]), log.parent.name
        time.sleep(0.1)
    output = run.communicate()[0] if run.poll() is not None else ""
    raise AssertionError(f"clone {clone} of a {scenario_part or 'scenario'} never showed {line!r}\n{output[-2000:]}")
