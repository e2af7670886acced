"""A task run ahead: started in a process forked at once, its result taken later.

A command can start slow work that needs little before it imports what the rest of
its work needs: ``build`` walks ``content/`` (0.1 s at 20,000 articles) while it
imports the build's modules (0.13 s). The process is forked with :func:`os.fork`,
not :mod:`multiprocessing` (23 ms to import), and its result comes back pickled
through a pipe. Where no process can be forked, the task runs when its result is
asked for.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from .parallel import ENDING_SIGNALS, die_with_parent, forks

Result = TypeVar("Result")


class Ahead(Generic[Result]):
    """``task()``, run ahead in a process forked now, while this one goes on; its result
    is taken with :meth:`result`. Where no process is forked (see :func:`forks`), or the
    forked one fails in any way, :meth:`result` runs ``task()`` here, so that what it
    raises is raised here. Use it as a context manager: leaving the block ends the
    forked process if its result was not taken.
    """

    def __init__(self, task: Callable[[], Result], jobs: int):
        self._task = task
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
        return self._task()

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
        view = memoryview(pickle.dumps(task(), protocol=pickle.HIGHEST_PROTOCOL))
        while view:
            view = view[os.write(writer, view) :]
        status = 0
    except BaseException:  # the parent runs the task again, and meets what went wrong
        pass
    finally:
        os._exit(status)
