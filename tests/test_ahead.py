"""A task run ahead in a forked process (provarchive.ahead), one that stands by for its
argument, and their fall-backs."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from conftest import article, column
from provarchive.ahead import Ahead, Standby
from provarchive.config import load_config
from provarchive.inputs import scan_inputs
from provarchive.walk import scan_content

FORKS = hasattr(os, "fork")


def _calls(path) -> list[int]:
    """The process ids that ran a task which notes them in ``path``, in order."""
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def _noting(path, then):
    """A task that notes its process id in ``path``, then returns ``then(pid)``."""

    def task():
        with open(path, "a") as notes:
            notes.write(f"{os.getpid()}\n")
        return then(os.getpid())

    return task


@pytest.mark.skipif(not FORKS, reason="no fork on this system: the task runs in this process")
def test_a_task_runs_ahead_in_another_process_and_its_result_comes_back(tmp_path):
    big = [f"第{number}篇" for number in range(300_000)]  # far more than a pipe holds
    with Ahead(_noting(tmp_path / "calls", lambda pid: (pid, big)), jobs=2) as ahead:
        pid, result = ahead.result()
        assert not ahead.waiting
    assert pid != os.getpid()
    assert result == big
    assert _calls(tmp_path / "calls") == [pid]


def test_with_one_job_the_task_runs_here_when_its_result_is_asked_for(tmp_path):
    calls = tmp_path / "calls"
    with Ahead(_noting(calls, lambda pid: pid), jobs=1) as ahead:
        assert not ahead.waiting
        assert _calls(calls) == []  # not run yet
        assert ahead.result() == os.getpid()
    assert _calls(calls) == [os.getpid()]


@pytest.mark.skipif(not FORKS, reason="no fork on this system")
def test_a_result_comes_back_when_the_system_reaps_the_process_itself(tmp_path):
    """With SIGCHLD ignored, ended children are reaped at once and cannot be waited for."""
    ignored = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with Ahead(_noting(tmp_path / "calls", lambda pid: pid), jobs=2) as ahead:
            pid = ahead.result()
    finally:
        signal.signal(signal.SIGCHLD, ignored)
    assert pid != os.getpid()
    assert _calls(tmp_path / "calls") == [pid]


def _fail_ahead(pid: int) -> int:
    if pid != PARENT:
        raise ValueError("a failure in the forked process")
    return pid


def _die_ahead(pid: int) -> int:
    if pid != PARENT:
        os.kill(pid, signal.SIGKILL)
    return pid


def _unpicklable(pid: int):
    return (pid, lambda: pid)


PARENT = os.getpid()


@pytest.mark.skipif(not FORKS, reason="no fork on this system: nothing fails ahead")
@pytest.mark.parametrize("then", [_fail_ahead, _die_ahead, _unpicklable])
def test_a_task_that_fails_ahead_in_any_way_is_run_again_here(tmp_path, then):
    calls = tmp_path / "calls"
    with Ahead(_noting(calls, then), jobs=2) as ahead:
        result = ahead.result()
    assert (result[0] if isinstance(result, tuple) else result) == os.getpid()
    ahead_pid, here = _calls(calls)
    assert ahead_pid != os.getpid() and here == os.getpid()


def _raise_everywhere(pid: int) -> int:
    raise KeyError(f"no such thing in {pid}")


@pytest.mark.skipif(not FORKS, reason="no fork on this system")
def test_what_the_task_raises_is_raised_here(tmp_path):
    calls = tmp_path / "calls"
    with Ahead(_noting(calls, _raise_everywhere), jobs=2) as ahead, pytest.raises(KeyError):
        ahead.result()
    assert len(_calls(calls)) == 2  # ahead, then here


def _until_told(told: Path):
    """A task that waits until ``told`` exists, then returns its text."""

    def task() -> str:
        while not told.exists():
            time.sleep(0.01)  # a condition, checked: no fixed pace
        return told.read_text()

    return task


@pytest.mark.skipif(not FORKS, reason="no fork on this system")
def test_waiting_says_whether_the_result_is_still_to_come(tmp_path):
    told = tmp_path / "told"
    with Ahead(_until_told(told), jobs=2) as ahead:
        assert ahead.waiting
        told.write_text("走完了")
        deadline = time.monotonic() + 60
        while ahead.waiting and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not ahead.waiting
        assert ahead.result() == "走完了"


def _wait_for_ever(pid: int) -> None:
    reader, _ = os.pipe()
    os.read(reader, 1)  # nobody writes: blocks until the process is killed


@pytest.mark.skipif(not FORKS, reason="no fork on this system")
def test_leaving_the_block_ends_a_task_whose_result_was_not_taken(tmp_path):
    calls = tmp_path / "calls"
    with Ahead(_noting(calls, _wait_for_ever), jobs=2):
        deadline = time.monotonic() + 60
        while not _calls(calls) and time.monotonic() < deadline:
            time.sleep(0.01)  # a condition: the task has started
    (pid,) = _calls(calls)
    with pytest.raises(ProcessLookupError):  # killed and waited for: not even a zombie
        os.kill(pid, 0)


@pytest.mark.skipif(not FORKS, reason="no fork on this system")
def test_a_walk_made_ahead_dates_the_scan_from_when_it_started(make_site):
    """Files are statted when the walk runs, before the build asks for its inputs: a
    file changed in between must count as changed after the scan (see reading.trusted)."""
    site = make_site({"content/news/_column.yaml": column("要闻"), "content/news/a.md": article()})
    with Ahead(lambda: scan_content(site), jobs=2) as ahead:
        walked = ahead.result()
    before = time.time_ns()
    while time.time_ns() == before:
        pass
    inputs = scan_inputs(site, load_config(site), site / "public", False, walked)
    assert inputs.scanned_ns == walked.started_ns < before
    assert inputs.scan.markdown.keys() == {"news/a.md"}


def test_a_result_at_hand_is_given_back_by_no_process():
    ahead = Ahead.done(["走过的栏目"])
    assert not ahead.waiting
    with ahead:
        assert ahead.result() == ["走过的栏目"]


def _note(path) -> None:
    """Note this process's id in ``path``."""
    with open(path, "a") as notes:
        notes.write(f"{os.getpid()}\n")


def _doubling(path):
    """A task that notes its process id in ``path`` and returns it with its argument twice."""

    def task(argument: list[str]) -> tuple[int, list[str]]:
        _note(path)
        return os.getpid(), argument * 2

    return task


@pytest.mark.skipif(not FORKS, reason="no fork on this system: the task runs in this process")
def test_a_process_on_standby_gets_ready_at_once_and_runs_the_task_on_a_later_argument(tmp_path):
    ready, calls = tmp_path / "ready", tmp_path / "calls"
    big = [f"第{number}位记者" for number in range(200_000)]  # far more than a pipe holds
    with Standby(lambda: _note(ready), _doubling(calls), jobs=2) as standby:
        deadline = time.monotonic() + 60
        while not _calls(ready) and time.monotonic() < deadline:
            time.sleep(0.01)  # a condition: it got ready before it was given anything
        assert _calls(calls) == []
        pid, result = standby.run(big)
    assert pid != os.getpid()
    assert _calls(ready) == [pid] and _calls(calls) == [pid]
    assert result == big * 2


def test_with_one_job_a_standby_task_runs_here_and_nothing_gets_ready(tmp_path):
    ready, calls = tmp_path / "ready", tmp_path / "calls"
    with Standby(lambda: _note(ready), _doubling(calls), jobs=1) as standby:
        assert standby.run(["王明"]) == (os.getpid(), ["王明", "王明"])
    assert _calls(ready) == [] and _calls(calls) == [os.getpid()]


def _fail_to_get_ready() -> None:
    raise ImportError("no dictionary in the forked process")


def _die_on_standby() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _fail_on_standby(argument: list[str]) -> list[str]:
    if os.getpid() != PARENT:
        raise ValueError("a failure in the forked process")
    return [*argument, str(os.getpid())]


@pytest.mark.skipif(not FORKS, reason="no fork on this system: nothing fails on standby")
@pytest.mark.parametrize(
    ("ready", "task"),
    [
        (_fail_to_get_ready, _fail_on_standby),
        (_die_on_standby, _fail_on_standby),
        (lambda: None, _fail_on_standby),
    ],
)
def test_a_standby_task_that_fails_in_its_process_in_any_way_runs_here(ready, task):
    with Standby(ready, task, jobs=2) as standby:
        assert standby.run(["李华"]) == ["李华", str(os.getpid())]


def _raise_on_standby(argument: list[str]) -> None:
    raise KeyError(f"no such name: {argument[0]} in {os.getpid()}")


@pytest.mark.skipif(not FORKS, reason="no fork on this system")
def test_what_a_standby_task_raises_is_raised_here():
    with Standby(lambda: None, _raise_on_standby, jobs=2) as standby, pytest.raises(KeyError):
        standby.run(["张三"])


@pytest.mark.skipif(not FORKS, reason="no fork on this system")
def test_a_standby_task_run_again_runs_here(tmp_path):
    calls = tmp_path / "calls"
    with Standby(lambda: None, _doubling(calls), jobs=2) as standby:
        first, _ = standby.run(["赵六"])
        again, _ = standby.run(["赵六"])
    assert first != os.getpid() and again == os.getpid()
    assert _calls(calls) == [first, again]


@pytest.mark.skipif(not FORKS, reason="no fork on this system")
def test_leaving_the_block_ends_a_process_on_standby_never_given_its_argument(tmp_path):
    ready = tmp_path / "ready"
    with Standby(lambda: _note(ready), _doubling(tmp_path / "calls"), jobs=2):
        deadline = time.monotonic() + 60
        while not _calls(ready) and time.monotonic() < deadline:
            time.sleep(0.01)  # a condition: it is ready, waiting for its argument
    (pid,) = _calls(ready)
    with pytest.raises(ProcessLookupError):  # killed and waited for: not even a zombie
        os.kill(pid, 0)
    assert _calls(tmp_path / "calls") == []
