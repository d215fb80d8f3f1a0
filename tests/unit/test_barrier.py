import multiprocessing as mp
import time

from annex_race.jobs.barrier import open_round, read_ticket, wait_at_barrier


def _sibling(directory, member, n, timeout, delay, queue):
    time.sleep(delay)
    queue.put((member, wait_at_barrier(directory, member, n, timeout, margin=0.2).asdict()))


def _run(tmp_path, delays, n, timeout=10):
    queue = mp.Queue()
    procs = [
        mp.Process(target=_sibling, args=(tmp_path, i, n, timeout, d, queue))
        for i, d in enumerate(delays)
    ]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=timeout + 10) for _ in procs)
    for p in procs:
        p.join()
    return results


def test_siblings_arriving_at_different_times_are_released_together(tmp_path):
    results = _run(tmp_path, delays=[0, 0.3, 0.6], n=3)
    released = [r["released"] for r in results.values()]
    assert all(r["reason"] == "released" for r in results.values())
    assert len({r["release_at"] for r in results.values()}) == 1
    assert max(released) - min(released) < 0.05
    last_arrival = max(r["arrived"] for r in results.values())
    assert min(released) >= last_arrival + 0.2 - 0.005


def test_a_missing_sibling_makes_the_others_give_up_after_the_timeout(tmp_path):
    results = _run(tmp_path, delays=[0, 0], n=3, timeout=0.5)
    assert {r["reason"] for r in results.values()} <= {"timeout", "sibling-gave-up"}
    assert all(r["released"] is None for r in results.values())


def test_a_late_sibling_sees_that_the_others_gave_up(tmp_path):
    _run(tmp_path, delays=[0], n=2, timeout=0.3)
    late = wait_at_barrier(tmp_path, 1, 2, timeout=5, margin=0.1)
    assert late.reason == "sibling-gave-up" and late.released is None


def test_a_round_ticket_reads_back_and_names_a_fresh_barrier(tmp_path):
    ticket = open_round(tmp_path / "round-3.json", 3, 2)
    assert read_ticket(tmp_path / "round-3.json", timeout=1) == ticket
    assert (ticket.round, ticket.lane, len(ticket.barrier)) == (3, 2, 32)
    assert open_round(tmp_path / "round-3.json", 3, 2).barrier != ticket.barrier


def test_a_sibling_started_again_in_a_round_it_met_in_before_rejoins_no_barrier(tmp_path):
    """A SLURM requeue restarts a clone job after its siblings have left the barrier."""
    _run(tmp_path, delays=[0, 0], n=2, timeout=5)
    again = wait_at_barrier(tmp_path, 1, 2, timeout=5, margin=0.1)
    assert (again.reason, again.released) == ("requeued", None)
