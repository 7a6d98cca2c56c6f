"""The one way the UI does database work: off the main thread, results back by signal.

Anki's operation idea: a view builds an `Op` around a unit of work, says what to do with the
result (`success`) and with a refusal (`failure`), and runs it. Every database op runs on one
worker thread, so writes are serialized and a read queued after a write sees it; the main thread
only ever receives plain frozen dataclasses, on the main thread, through a queued signal.
After a write, `changed` tells every view which areas moved so each decides whether to refresh.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from desk.domain.errors import DomainError
from desk.store.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Areas a write can touch; views refresh on the ones they show.
SCHEDULE = "schedule"
MEMBERS = "members"
SALES = "sales"
CATALOG = "catalog"
SETTINGS = "settings"
EVERYTHING = frozenset({SCHEDULE, MEMBERS, SALES, CATALOG, SETTINGS})

UNEXPECTED = "Something went wrong and nothing was saved. Please try again."


def message_of(error: BaseException) -> str:
    """What staff read: the domain error's own words, or a calm generic line for a bug."""
    if isinstance(error, DomainError):
        return str(error)
    return UNEXPECTED


@dataclass
class _Outcome:
    op: Op[Any]
    result: Any = None
    error: BaseException | None = None


class _Relay(QObject):
    """Lives on the main thread; a signal emitted on the worker is delivered here, queued."""

    delivered = Signal(object)


@dataclass
class Op(Generic[T]):
    """One unit of work with its callbacks. Build with `Background.read/write`, then `.run()`."""

    background: Background
    work: Callable[[Session], T]
    writes: bool
    changes: frozenset[str] = frozenset()
    on_success: Callable[[T], None] | None = None
    on_failure: Callable[[BaseException], None] | None = None
    owner: QObject | None = None
    label: str = ""
    _done: threading.Event = field(default_factory=threading.Event)

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self.on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self.on_failure = callback
        return self

    def run(self) -> Op[T]:
        self.background.submit(self)
        return self


class Background(QObject):
    """Runs database ops on one worker thread and hands results back on the main thread."""

    #: frozenset of areas a successful write touched.
    changed = Signal(object)
    #: How many ops are queued or running (drives the busy indicator).
    busy_changed = Signal(int)
    #: A refusal nobody handled, in plain words (the window shows it in the status bar).
    unhandled = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-db")
        self._relay = _Relay()
        self._relay.delivered.connect(self._deliver)
        self._pending = 0
        self._closed = False

    # -- building ops -------------------------------------------------------------------------

    def read(self, work: Callable[[Session], T], *, owner: QObject | None = None) -> Op[T]:
        return Op(self, work, writes=False, owner=owner)

    def write(
        self,
        work: Callable[[Session], T],
        *,
        changes: Iterable[str] = EVERYTHING,
        owner: QObject | None = None,
    ) -> Op[T]:
        return Op(self, work, writes=True, changes=frozenset(changes), owner=owner)

    # -- running ------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        return self._pending

    def submit(self, op: Op[Any]) -> None:
        if self._closed:
            # The window is closing: late requests (a refresh on close) are simply dropped.
            log.debug("Dropped an op submitted after shutdown: %s", op.work)
            return
        self._pending += 1
        self.busy_changed.emit(self._pending)
        self._pool.submit(self._execute, op)

    def _execute(self, op: Op[Any]) -> None:
        """Worker thread: run the unit of work in its own transaction, never touch widgets."""
        outcome = _Outcome(op)
        try:
            if op.writes:
                outcome.result = self.db.run(op.work)
            else:
                outcome.result = self.db.query(op.work)
        except BaseException as exc:  # handed to the main thread, which decides what to show
            outcome.error = exc
        self._relay.delivered.emit(outcome)

    def _deliver(self, outcome: _Outcome) -> None:
        """Main thread: call the op's callbacks unless its owner widget is gone."""
        op = outcome.op
        self._pending -= 1
        self.busy_changed.emit(self._pending)
        op._done.set()
        if self._closed:
            return
        alive = op.owner is None or shiboken6.isValid(op.owner)
        if outcome.error is None:
            if op.writes and op.changes:
                self.changed.emit(op.changes)
            if alive and op.on_success is not None:
                op.on_success(outcome.result)
            return
        self._report(op, outcome.error, alive)

    def _report(self, op: Op[Any], error: BaseException, alive: bool) -> None:
        if alive and op.on_failure is not None:
            op.on_failure(error)
        elif isinstance(error, DomainError):
            self.unhandled.emit(str(error))
        if not isinstance(error, DomainError):
            # A bug, not a refusal: log it and let the application's excepthook see it too
            # (under pytest-qt that fails the test instead of hiding the traceback).
            log.error("Background op failed", exc_info=error)
            if not op.on_failure:
                self.unhandled.emit(UNEXPECTED)
            sys.excepthook(type(error), error, error.__traceback__)

    def shutdown(self) -> None:
        """Finish what is running, drop what is queued, and stop the worker thread."""
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
