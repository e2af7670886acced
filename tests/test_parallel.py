"""Worker processes: every item once, results in item order, failures reported."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provarchive.parallel import (
    _claim,
    _segments,
    claim_order,
    map_chunks_meanwhile,
    map_in_chunks,
    map_in_workers,
    map_in_workers_meanwhile,
    run_meanwhile,
)


def _square(state, item):
    time.sleep(0.002)  # long enough for every worker to start and take a share
    return (state + item) ** 2, os.getpid()


def _fail_on(state, item):
    if item == state:
        raise ValueError(f"item {item} is bad")
    return item


def _die_on(state, item):
    if item == state:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


@given(st.integers(1, 500), st.integers(1, 5), st.integers(1, 40), st.data())
def test_claims_cover_every_item_once_in_any_interleaving(total, jobs, size, data):
    bounds = _segments(total, jobs)
    seen: list[int] = []
    active = set(range(jobs))
    while active:
        worker = data.draw(st.sampled_from(sorted(active)))
        start, stop = _claim(bounds, worker, size)
        if start == stop:
            active.discard(worker)
            continue
        assert 0 < stop - start <= size
        seen.extend(range(start, stop))
    assert sorted(seen) == list(range(total))


@given(st.integers(0, 500), st.integers(1, 5))
def test_claim_order_is_the_order_workers_taking_turns_come_to_the_items(total, jobs):
    jobs_used = max(1, min(jobs, total))  # as a call forks no more workers than items
    bounds = _segments(total, jobs_used)
    reached: list[int] = []
    active = list(range(jobs_used))
    while active:
        for worker in list(active):
            start, stop = _claim(bounds, worker, 1)
            if start == stop:
                active.remove(worker)
            else:
                reached.append(start)
    assert claim_order(total, jobs) == reached


def test_two_workers_start_at_both_ends_and_meet():
    bounds = _segments(100, 2)
    assert _claim(bounds, 0, 10) == (0, 10)
    assert _claim(bounds, 1, 10) == (90, 100)
    for _ in range(4):
        _claim(bounds, 0, 10)  # worker 0 finishes its half
    assert _claim(bounds, 0, 10) == (50, 60)  # then helps from the middle, next to it


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_back_in_item_order_for_any_number_of_workers(jobs):
    results = map_in_workers(_square, list(range(300)), 1, jobs)
    assert [value for value, _ in results] == [(1 + n) ** 2 for n in range(300)]
    workers = {pid for _, pid in results}
    assert (os.getpid() in workers) == (jobs == 1)
    assert len(workers) == jobs


def test_meanwhile_runs_in_this_process_while_workers_work():
    results, other = map_in_workers_meanwhile(_square, list(range(200)), 0, 2, os.getpid)
    assert other == os.getpid()
    assert [value for value, _ in results] == [n * n for n in range(200)]
    assert os.getpid() not in {pid for _, pid in results}


def _chunk_of(state, chunk):
    """A result for each item: the item, the whole chunk it came in and the process."""
    time.sleep(0.002 * len(chunk))  # long enough for every worker to start and take a share
    return [(item, tuple(chunk), os.getpid()) for item in chunk]


@pytest.mark.parametrize(("jobs", "joins"), [(1, False), (2, False), (2, True), (3, True)])
def test_a_chunk_function_gets_neighbouring_items_and_its_results_come_back_in_order(jobs, joins):
    """(How a page worker fetches the bodies of a chunk of pages in one query.)"""
    items = list(range(400))
    received: list[tuple[int, list]] = []
    results, other = map_chunks_meanwhile(
        _chunk_of,
        items,
        None,
        jobs,
        lambda: "meanwhile",
        joins=joins,
        receive=lambda start, chunk: received.append((start, chunk)),
    )
    assert other == "meanwhile"
    assert [item for item, _, _ in results] == items
    # each chunk's results handed over once, as they came, with the place of the first
    assert sorted(start for start, _ in received) == sorted({r[1][0] for r in results})
    assert all(results[start : start + len(chunk)] == chunk for start, chunk in received)
    chunks = {chunk for _, chunk, _ in results}
    assert sorted(item for chunk in chunks for item in chunk) == items  # each item once
    for chunk in chunks:  # neighbours, a few at a time
        assert 1 <= len(chunk) <= 64
        assert list(chunk) == list(range(chunk[0], chunk[0] + len(chunk)))
    assert len({pid for _, _, pid in results}) == jobs


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_chunks_are_mapped_by_as_many_processes_as_jobs_this_one_among_them(jobs):
    """(How ``check`` reads the bodies the build cache keeps.)"""
    items = list(range(300))
    results = map_in_chunks(_chunk_of, items, None, jobs)
    assert [item for item, _, _ in results] == items
    makers = {pid for _, _, pid in results}
    assert len(makers) == jobs and os.getpid() in makers
    assert map_in_chunks(_chunk_of, [], None, jobs) == []


def _after_meanwhile(state, item):
    time.sleep(0.002)
    return item, os.getpid(), state["meanwhile done"]


@pytest.mark.parametrize("jobs", [2, 3])
def test_a_joining_process_takes_items_once_meanwhile_is_done(jobs):
    """(How pages are rendered while the build process makes the search index.)"""
    state = {"meanwhile done": False}

    def meanwhile():
        time.sleep(0.05)  # the workers take items meanwhile
        state["meanwhile done"] = True
        return "index"

    results, other = map_in_workers_meanwhile(
        _after_meanwhile, list(range(300)), state, jobs, meanwhile, joins=True
    )
    assert other == "index"
    assert [item for item, _, _ in results] == list(range(300))
    makers = {pid for _, pid, _ in results}
    assert len(makers) == jobs and os.getpid() in makers  # as many processes as jobs
    # the workers were forked before meanwhile was done; this process took items after
    assert all(done == (pid == os.getpid()) for _, pid, done in results)


def test_an_exception_in_the_joining_process_ends_the_workers():
    with pytest.raises(ValueError, match="item 299 is bad"):
        map_in_workers_meanwhile(_fail_on, list(range(300)), 299, 2, lambda: None, joins=True)
    assert multiprocessing.active_children() == []


def _die_in_a_worker(parent, item):
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.002)  # long enough for the worker to start and take a chunk
    return item


def test_a_worker_that_dies_while_this_process_joins_is_reported():
    with pytest.raises(RuntimeError, match="worker process died"):
        map_in_workers_meanwhile(
            _die_in_a_worker, list(range(300)), os.getpid(), 2, lambda: None, joins=True
        )


@pytest.mark.parametrize("jobs", [1, 2])
def test_one_task_runs_in_a_worker_while_this_process_runs_another(jobs):
    """(How a build scans its inputs while it loads the last build's state.)"""
    task, other = run_meanwhile(lambda: ("scanned", os.getpid()), os.getpid, jobs)
    assert task[0] == "scanned" and other == os.getpid()
    assert (task[1] == os.getpid()) == (jobs == 1)
    with pytest.raises(ValueError, match="item 3 is bad"):
        run_meanwhile(lambda: _fail_on(3, 3), os.getpid, jobs)


def test_an_exception_in_a_worker_is_raised_here():
    with pytest.raises(ValueError, match="item 150 is bad"):
        map_in_workers(_fail_on, list(range(300)), 150, 2)


def test_a_worker_that_dies_is_reported_not_waited_for():
    with pytest.raises(RuntimeError, match="worker process died"):
        map_in_workers(_die_on, list(range(300)), 10, 2)


def test_a_failing_progress_callback_is_raised_not_lost():
    def progress(done, total):
        raise BrokenPipeError("the terminal went away")

    with pytest.raises(BrokenPipeError):
        map_in_workers(_square, list(range(200)), 0, 2, progress=progress)


@pytest.mark.parametrize("jobs", [1, 2])
def test_settle_runs_on_every_chunk_where_it_was_made_and_its_return_travels(jobs, tmp_path):
    def settle(results):
        # a file per chunk, named by the process that made it: where settle ran
        (tmp_path / f"{os.getpid()}-{results[0][0]}").write_text(str(len(results)))
        return [value for value, _ in results]  # send back less than was made

    results = map_in_workers(_square, list(range(300)), 1, jobs, settle=settle)
    assert results == [(1 + n) ** 2 for n in range(300)]
    chunks = [(int(f.name.split("-")[0]), int(f.read_text())) for f in tmp_path.iterdir()]
    assert sum(size for _, size in chunks) == 300
    assert len(chunks) > 1  # chunk by chunk, not all at the end
    makers = {pid for pid, _ in chunks}
    if jobs == 1:
        assert makers == {os.getpid()}
    else:  # in the workers, never here
        assert os.getpid() not in makers


def test_settle_runs_where_a_joining_process_made_its_chunks(tmp_path):
    def settle(results):
        pids = {pid for _, pid in results}
        (tmp_path / f"{os.getpid()}-{results[0][0]}").write_text(" ".join(map(str, pids)))
        return [value for value, _ in results]

    results = map_in_workers_meanwhile(
        _square, list(range(300)), 1, 2, lambda: None, settle=settle, joins=True
    )[0]
    assert results == [(1 + n) ** 2 for n in range(300)]
    chunks = {int(f.name.split("-")[0]): f.read_text() for f in tmp_path.iterdir()}
    assert os.getpid() in chunks and len(chunks) == 2
    for f in tmp_path.iterdir():  # each chunk settled by the process that made it
        assert f.read_text() == f.name.split("-")[0]
