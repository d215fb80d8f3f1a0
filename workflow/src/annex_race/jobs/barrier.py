"""A file barrier on a shared filesystem that releases all siblings at one clock time.

Each sibling writes an arrival file. Once a sibling sees all `n` arrivals it knows
the release time without asking anyone: the last arrival time plus `margin`. Every
sibling computes the same value, so their gets start together to within clock
resolution, however late each one noticed the last arrival (as long as it was
within `margin`). A sibling that waits longer than `timeout` leaves a give-up mark
and leaves; siblings that see the mark do not treat their run as concurrent.
"""

import fcntl
import json
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..core.files import write_atomic

POLL = 0.01  # s between looks at the barrier directory, for every 8 siblings
MAX_POLL = 0.1  # ... at most (well inside barrier_margin)


def poll_interval(n, margin):
    """Seconds between looks: a look lists the directory, so n siblings looking every
    POLL cost n² name reads per POLL; they look less often the more they are, never
    so seldom that one notices the last arrival later than a fifth of `margin`."""
    return min(POLL * max(1, n / 8), MAX_POLL, margin / 5)


@dataclass
class Release:
    """What a sibling observed at the barrier."""

    arrived: float
    released: float | None = None  # None: the barrier did not release
    release_at: float | None = None  # the common release time all siblings computed
    reason: str = "released"  # or "timeout", "sibling-gave-up", "requeued"
    siblings_seen: int = 0
    arrivals: dict = field(default_factory=dict)

    def asdict(self):
        return asdict(self)


@dataclass
class RoundTicket:
    """One round of a scenario (see rounds.py): its siblings meet in the barrier
    directory `<barriers>/<barrier>`, fresh for every opening."""

    barrier: str
    round: int
    lane: int  # whose origins the round fetches from (see lanes.py)


def open_round(ticket_file, round, lane):
    """Write the ticket of a fresh round of a scenario."""
    ticket = RoundTicket(uuid.uuid4().hex, round, lane)
    write_atomic(ticket_file, json.dumps(asdict(ticket)))
    return ticket


def read_ticket(ticket_file, timeout):
    """The round's ticket (on a cluster's shared filesystem it may show a moment late)."""
    deadline = time.time() + timeout
    while True:
        try:
            return RoundTicket(**json.loads(Path(ticket_file).read_text()))
        except (FileNotFoundError, ValueError):
            pass
        if time.time() > deadline:
            raise TimeoutError(f"no round ticket in {ticket_file} after {timeout} s")
        time.sleep(POLL)


def _read_arrivals(directory):
    arrivals = {}
    for path in directory.glob("arrived-*.json"):
        try:
            arrivals[path.stem.removeprefix("arrived-")] = json.loads(path.read_text())
        except (OSError, ValueError):
            pass  # being renamed into place: seen on the next look
    return arrivals


def _gave_up(directory):
    return any(directory.glob("gave-up-*"))


def _look(directory):
    """(arrivals so far, whether a sibling gave up): names only, one listing."""
    names = os.listdir(directory)
    return (sum(name.startswith("arrived-") for name in names),
            any(name.startswith("gave-up-") for name in names))


def start_scheduled(member):
    """No barrier (start `scheduled`): the job takes its step as soon as it is ready,
    as an array task does when the scheduler starts it."""
    now = time.time()
    return Release(arrived=now, released=now, reason="scheduled", siblings_seen=0)


def take_slot(directory, member, slots, timeout):
    """Throttle: wait for one of `slots` slots beside the barrier and hold it until
    this process ends (the lock goes with it). Returns the open lock file, or None
    when the slots stayed taken for `timeout` seconds."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + timeout
    first = member % slots  # spread the first tries over the slots
    while True:
        for i in range(slots):
            lock = open(directory / f"slot-{(first + i) % slots}", "a")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return lock
            except BlockingIOError:
                lock.close()
        if time.time() > deadline:
            return None
        time.sleep(MAX_POLL)


def _sleep_until(moment):
    # sleep most of the way, then spin: time.sleep alone overshoots by ~0.1-1 ms
    while (left := moment - time.time()) > 0.002:
        time.sleep(left - 0.001)
    while time.time() < moment:
        pass


def give_up(directory, member):
    """Tell the siblings at a barrier that `member` will not arrive."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    (Path(directory) / f"gave-up-{member}").touch()


def wait_at_barrier(directory, member, n, timeout, margin):
    """Arrive as `member` (e.g. the clone index) and wait for all `n` siblings."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrived = time.time()
    if (directory / f"arrived-{member}.json").exists():
        # this member arrived here before: its job was started again (SLURM requeue,
        # a node reboot) in a round its siblings have met in already
        return Release(arrived=arrived, reason="requeued", siblings_seen=len(_read_arrivals(directory)))
    write_atomic(directory / f"arrived-{member}.json",
                 json.dumps({"time": arrived, "host": socket.gethostname(), "pid": os.getpid()}))
    release = Release(arrived=arrived)
    deadline = arrived + timeout
    interval = poll_interval(n, margin)
    while True:
        release.siblings_seen, gave_up = _look(directory)
        if gave_up:
            release.reason = "sibling-gave-up"
            return release
        if release.siblings_seen >= n:
            break
        if time.time() > deadline:
            (directory / f"gave-up-{member}").touch()
            release.reason = "timeout"
            return release
        time.sleep(interval)
    # every sibling has arrived: read their times once (one may still be being renamed)
    while len(arrivals := _read_arrivals(directory)) < n:
        if time.time() > deadline:  # an arrival that never reads: as if it never came
            (directory / f"gave-up-{member}").touch()
            release.reason = "timeout"
            return release
        time.sleep(POLL)
    release.arrivals = {k: v["time"] for k, v in arrivals.items()}
    release.release_at = max(release.arrivals.values()) + margin
    _sleep_until(release.release_at)
    if _gave_up(directory):  # a sibling timed out just as the last one arrived
        release.reason = "sibling-gave-up"
        return release
    release.released = time.time()
    return release
