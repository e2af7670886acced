"""A task run ahead: started in a process forked at once, its result taken later.

A command can start slow work that needs little before it imports what the rest of
its work needs: ``build`` walks ``content/`` (0.1 s at 20,000 articles) while it
imports the build's modules (0.13 s). The process is forked with :func:`os.fork`,
not :mod:`multiprocessing` (23 ms to import), and its result comes back pickled
through a pipe. Where no process can be forked, the task runs when its result is
asked for.

A :class:`Standby` is the same with a task whose argument is known only later: its
process readies itself at once (``build`` imports pypinyin in one while the articles
are read) and waits for the argument.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import select
import signal
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from .parallel import ENDING_SIGNALS, die_with_parent, forks

Result = TypeVar("Result")
Argument = TypeVar("Argument")


class Ahead(Generic[Result]):
    """``task()``, run ahead in a process forked now, while this one goes on; its result
    is taken with :meth:`result`. Where no process is forked (see :func:`forks`), or the
    forked one fails in any way, :meth:`result` runs ``task()`` here, so that what it
    raises is raised here. Use it as a context manager: leaving the block ends the
    forked process if its result was not taken. ``here``, if given, is what runs in
    this process in ``task``'s place.
    """

    def __init__(
        self, task: Callable[[], Result], jobs: int, here: Callable[[], Result] | None = None
    ):
        self._task = task
        self._here = here or task
        self._child = 0
        self._reader = -1
        if forks(1, jobs, min_items=1):
            self._fork()

    @classmethod
    def done(cls, result: Result) -> Ahead[Result]:
        """A task whose ``result`` is at hand already: no process is forked."""
        return cls(lambda: result, jobs=1)

    @property
    def waiting(self) -> bool:
        """Whether :meth:`result` would wait now for the forked process, still at work.
        (Without one, it runs the task here: not waiting, in this sense.)"""
        if not self._child:
            return False
        sent, _, _ = select.select([self._reader], [], [], 0)  # sent, or ended
        return not sent

    def _fork(self) -> None:
        parent = os.getpid()
        try:
            reader, writer = os.pipe()
        except OSError:
            return
        try:
            child = os.fork()
        except OSError:  # no memory or no process left for it: the task runs here
            os.close(reader)
            os.close(writer)
            return
        if child == 0:
            os.close(reader)
            _send_and_end(self._task, writer, parent)
        os.close(writer)
        self._child, self._reader = child, reader

    def result(self) -> Result:
        """The task's result: the forked process's, or ``task()`` run here."""
        sent = self._receive()
        if sent:
            with contextlib.suppress(Exception):  # a result that does not unpickle
                return pickle.loads(sent)
        return self._here()

    @property
    def forked(self) -> bool:
        """Whether a forked process runs the task (its result not taken yet)."""
        return bool(self._child)

    def _receive(self) -> bytes:
        """What the forked process sent, once it ended well; b"" otherwise."""
        if not self._child:
            return b""
        child, self._child = self._child, 0
        sent = b""
        with contextlib.suppress(OSError), open(self._reader, "rb") as pipe:
            sent = pipe.read()
        return sent if _ended_well(child) else b""

    def __enter__(self) -> Ahead[Result]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """End the forked process, if its result was not taken, and wait for it."""
        if self._child:
            child, self._child = self._child, 0
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
            os.close(self._reader)
            _ended_well(child)


def _ended_well(child: int) -> bool:
    """Wait for the process ``child``; whether it ended with status 0. (One reaped by
    someone else counts as ended well: a result it did not send whole does not unpickle.)"""
    try:
        return os.waitpid(child, 0)[1] == 0
    except ChildProcessError:
        return True


def _send_and_end(task: Callable[[], Any], writer: int, parent: int) -> None:
    """In the process :class:`Ahead` forked: run ``task``, write its result pickled to
    ``writer``, and end, with status 0 only when all of it was written."""
    status = 1
    try:
        die_with_parent(parent)
        for number in ENDING_SIGNALS:  # the parent's handlers, if any, are not this one's
            signal.signal(number, signal.SIG_DFL)
        _write_all(writer, pickle.dumps(task(), protocol=pickle.HIGHEST_PROTOCOL))
        status = 0
    except BaseException:  # the parent runs the task again, and meets what went wrong
        pass
    finally:
        os._exit(status)


class Standby(Generic[Argument, Result]):
    """``task(argument)`` for an argument given later (:meth:`run`), in a process forked
    now, which calls ``ready()`` at once and then waits for the argument. Where no
    process is forked (see :func:`forks`), or the forked one fails in any way, or
    :meth:`run` is called again, ``task(argument)`` runs here. Use it as a context
    manager: leaving the block ends the forked process if it was not given its argument.
    """

    def __init__(self, ready: Callable[[], object], task: Callable[[Argument], Result], jobs: int):
        self._task = task
        self._writer = -1
        self._argument: tuple[Argument, ...] = ()
        self._ahead: Ahead[Result] | None = None
        try:
            reader, self._writer = os.pipe()
        except OSError:  # no file left for a pipe: the task runs here
            return
        waiting = functools.partial(_ready_then_wait, ready, task, reader, self._writer)
        self._ahead = Ahead(waiting, jobs, here=self._run_here)
        os.close(reader)
        if not self._ahead.forked:
            self._close()

    def run(self, argument: Argument) -> Result:
        """``task(argument)``: run by the forked process if there is one, else here."""
        ahead, self._ahead = self._ahead, None
        self._argument = (argument,)
        if ahead is None or not ahead.forked:
            return self._task(argument)
        with contextlib.suppress(OSError):  # a process that ended already: run here
            _write_all(self._writer, _message(argument))
        self._close()
        return ahead.result()

    def _run_here(self) -> Result:
        return self._task(*self._argument)

    def _close(self) -> None:
        if self._writer >= 0:
            os.close(self._writer)
            self._writer = -1

    def __enter__(self) -> Standby[Argument, Result]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """End the forked process, if it was not given its argument, and wait for it."""
        self._close()
        if self._ahead is not None:
            self._ahead.__exit__(kind, error, trace)
            self._ahead = None


_LENGTH = 8
"""Bytes of the length that precedes a pickled argument in its pipe."""


def _message(argument: Any) -> bytes:
    """``argument`` pickled, after its length (the pipe's other end reads no more)."""
    pickled = pickle.dumps(argument, protocol=pickle.HIGHEST_PROTOCOL)
    return len(pickled).to_bytes(_LENGTH, "little") + pickled


def _write_all(writer: int, data: bytes) -> None:
    """Write all of ``data`` to the pipe ``writer``."""
    view = memoryview(data)
    while view:
        view = view[os.write(writer, view) :]


def _read_exactly(reader: int, size: int) -> bytes:
    """``size`` bytes from ``reader``; EOFError if it ends before."""
    parts, left = [], size
    while left:
        part = os.read(reader, min(left, 1 << 20))
        if not part:
            raise EOFError("the argument ended early")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _ready_then_wait(
    ready: Callable[[], object],
    task: Callable[[Any], Any],
    reader: int,
    writer: int,
) -> Any:
    """In the process :class:`Standby` forked: ``ready()``, then ``task`` of the
    argument read from ``reader``."""
    os.close(writer)  # this process's copy: the argument comes from the parent's
    ready()
    size = int.from_bytes(_read_exactly(reader, _LENGTH), "little")
    return task(pickle.loads(_read_exactly(reader, size)))
