"""The lines annex-race itself writes into a clone job's log, beside git-annex's and
DataLad's: the jobs write them, the observers (observe/) read them back."""

import os
import socket
import time

# the job's guard (jobs/guard.py): when the job started, and that it died without
# its record (observe/faults.py rebuilds such a clone from these)
STARTED = "annex-race: job started"
DIED = "annex-race: job died"
# where an attempt failed, which locks on the key the origin held right then
# (jobs/clone_job.probe_origin_locks; observe/logparse classifies them)
PROBE_PREFIX = "annex-race: origin lock"
# the annex uuid a clone finds its origin to have (observe/snapshot.seen_uuids)
UUID_LINE = "origin annex uuid:"
# a command that printed nothing for too long was stopped (core/commands.run_logged)
HANG = "annex-race: hang:"


def job_started_line(pid):
    return (f"{time.time():.3f} {STARTED} pid={pid} host={socket.gethostname()} "
            f"slurm_job_id={os.environ.get('SLURM_JOB_ID') or '-'}")
# a whole job begins a step (run, deliver): a job that dies in it died in that step
STEP = "annex-race: step"
