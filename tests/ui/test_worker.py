"""The background helper: results come back on the main thread, the event loop keeps turning."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QLabel
from sqlalchemy import text

from desk.domain.errors import InvalidInput
from desk.store.models import StudioSettings
from desk.ui.worker import SALES, Background

pytestmark = pytest.mark.ui


def test_result_arrives_on_main_thread(background, qtbot):
    seen = {}

    def work(session):
        seen["worker"] = threading.current_thread().name
        return session.execute(text("select 41 + 1")).scalar_one()

    def done(value):
        seen["value"] = value
        seen["main"] = QThread.currentThread() is qtbot_app_thread()

    background.read(work).success(done).run()
    qtbot.waitUntil(lambda: "value" in seen)
    assert seen["value"] == 42
    assert seen["worker"].startswith("desk-db")
    assert seen["main"] is True


def qtbot_app_thread():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance().thread()


def test_slow_call_does_not_block_the_event_loop(background, qtbot):
    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    finished = []

    def slow(_session):
        time.sleep(1.0)
        return "done"

    started = time.monotonic()
    background.read(slow).success(finished.append).run()
    # run() returned at once: the main thread is not waiting for the worker.
    assert time.monotonic() - started < 0.2
    qtbot.waitUntil(lambda: finished == ["done"], timeout=5000)
    timer.stop()
    # A blocked loop would show at most a tick or two; a free one ticks ~50 times in a second.
    assert len(ticks) >= 20


def test_writes_are_serialized_in_submission_order(background, qtbot):
    order = []

    def step(n):
        def work(_session):
            time.sleep(0.02 if n % 2 else 0)
            order.append(n)
            return n

        return work

    for n in range(6):
        background.write(step(n), changes=[SALES]).run()
    qtbot.waitUntil(lambda: background.pending == 0)
    assert order == list(range(6))


def test_domain_refusal_goes_to_failure_and_write_rolls_back(background, db, qtbot):
    errors = []

    def refuse(session):
        session.add(StudioSettings(id=1, studio_name="x"))
        session.flush()
        raise InvalidInput("Enter a price.")

    with qtbot.assertNotEmitted(background.changed):
        background.write(refuse).failure(errors.append).run()
        qtbot.waitUntil(lambda: bool(errors))
    assert str(errors[0]) == "Enter a price."
    renamed = db.query(
        lambda s: s.execute(text("select count(*) from studio_settings where studio_name = 'x'"))
    ).scalar_one()
    assert renamed == 0


def test_unhandled_refusal_is_announced(background, qtbot):
    def refuse(_session):
        raise InvalidInput("No such member.")

    with qtbot.waitSignal(background.unhandled) as signal:
        background.read(refuse).run()
    assert signal.args == ["No such member."]


def test_successful_write_announces_its_areas(background, qtbot):
    with qtbot.waitSignal(background.changed) as signal:
        background.write(lambda s: None, changes=[SALES]).run()
    assert signal.args == [frozenset({SALES})]


def test_callbacks_skipped_when_owner_widget_is_gone(background, qtbot):
    label = QLabel()
    called = []
    release = threading.Event()
    background.read(lambda s: release.wait(5)).success(called.append).run()
    op = background.read(lambda s: 1, owner=label).success(called.append).run()
    label.deleteLater()
    qtbot.waitUntil(lambda: not _valid(label))
    release.set()
    qtbot.waitUntil(lambda: op._done.is_set())
    assert called == [True]


def _valid(obj):
    import shiboken6

    return shiboken6.isValid(obj)


def test_shutdown_leaves_no_worker_thread(db, qtbot):
    worker = Background(db)
    done = []
    worker.read(lambda s: 1).success(done.append).run()
    qtbot.waitUntil(lambda: bool(done))
    worker.shutdown()
    assert not [t for t in threading.enumerate() if t.name.startswith("desk-db")]


def test_ops_after_shutdown_are_dropped_not_run(db, qtbot):
    worker = Background(db)
    worker.shutdown()
    ran = []
    worker.read(lambda s: ran.append(1)).run()
    assert worker.pending == 0
    assert ran == []
