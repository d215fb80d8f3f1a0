import multiprocessing as mp
import time

from annex_race.jobs.barrier import open_round, poll_interval, read_ticket, take_slot, wait_at_barrier


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


def _hold_a_slot(directory, member, held, released):
    lock = take_slot(directory, member, 1, timeout=10)
    held.set()
    released.wait(10)
    lock.close()


def test_a_throttle_slot_is_held_by_one_process_until_it_lets_go(tmp_path):
    held, released = mp.Event(), mp.Event()
    holder = mp.Process(target=_hold_a_slot, args=(tmp_path, 0, held, released))
    holder.start()
    try:
        assert held.wait(10)
        assert take_slot(tmp_path, 1, 1, timeout=0.3) is None  # taken: no slot within the timeout
        released.set()
        assert take_slot(tmp_path, 1, 1, timeout=5) is not None
    finally:
        released.set()
        holder.join(10)


def test_many_siblings_look_less_often_but_within_the_margin():
    assert poll_interval(2, 0.5) == 0.01
    assert poll_interval(256, 0.5) == 0.1 and poll_interval(256, 0.2) == 0.2 / 5
    assert poll_interval(64, 0.5) > poll_interval(16, 0.5)


def test_a_large_barrier_releases_all_its_siblings_at_one_time(tmp_path):
    n = 40
    with mp.Pool(n) as pool:
        releases = pool.starmap(wait_at_barrier, [(tmp_path, i, n, 30, 0.5) for i in range(n)])
    assert {r.reason for r in releases} == {"released"} and len({r.release_at for r in releases}) == 1
