"""The sync worker's status reaches the window on the main thread, as Qt signals."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from desk.sync.relay_client import RelayConfig
from desk.sync.worker import SyncStatus
from desk.ui.sync_bridge import NOT_SET_UP, SyncBridge, status_text

from .conftest import AYSE_WA
from .support import DESK_TOKEN, calls_by_key
from .sync_handlers import echo_handler, reply_key

pytestmark = pytest.mark.ui

AT = datetime(2026, 11, 27, 11, 2, tzinfo=UTC)


def test_a_status_from_a_sync_thread_arrives_on_the_main_thread(qtbot):
    bridge = SyncBridge()
    seen: list[tuple[SyncStatus, bool]] = []
    bridge.status_changed.connect(
        lambda s: seen.append((s, threading.current_thread() is threading.main_thread()))
    )
    failures: list[str] = []
    bridge.failed.connect(failures.append)
    online = SyncStatus(True, AT, 2)
    offline = SyncStatus(False, AT, 3, "Relay unreachable (ConnectionError).")
    with qtbot.waitSignals([bridge.synced, bridge.failed], timeout=5000):
        sender = threading.Thread(
            target=lambda: [bridge.on_status(online), bridge.on_status(offline)]
        )
        sender.start()
        sender.join()
    assert seen == [(online, True), (offline, True)]
    assert failures == ["Relay unreachable (ConnectionError)."]
    assert bridge.last == offline


def test_status_text_for_the_status_bar():
    tz = ZoneInfo("Europe/Istanbul")
    assert status_text(None) == NOT_SET_UP
    assert status_text(SyncStatus(True, AT, 0), tz) == "Sync: online · last sync 14:02"
    assert status_text(SyncStatus(False, AT, 2, "x"), tz) == (
        "Sync: offline · last sync 14:02 · 2 waiting"
    )
    assert status_text(SyncStatus(False, None, 0, "x"), tz) == "Sync: offline · never synced"


@pytest.mark.e2e
def test_the_bridge_runs_the_worker_and_reports_online_then_offline(qtbot, db, relay, graph, ayse):
    bridge = SyncBridge()
    synced: list[SyncStatus] = []
    bridge.synced.connect(synced.append)
    relay.member_writes(AYSE_WA, "wamid.G1", "hello")
    bridge.start(
        db,
        RelayConfig(relay.url, DESK_TOKEN),
        handler=echo_handler,
        long_poll_seconds=0.5,
        max_backoff=1.0,
        push_interval=0.2,
    )
    try:
        qtbot.waitUntil(lambda: calls_by_key(graph) == {reply_key("wamid.G1"): 1}, timeout=10000)
        qtbot.waitUntil(lambda: bool(synced) and synced[-1].waiting == 0, timeout=10000)
        assert synced[-1].last_sync_at is not None
        relay.stop()
        with qtbot.waitSignal(bridge.failed, timeout=10000) as failed:
            pass
        assert "unreachable" in failed.args[0].lower()
        assert bridge.last is not None and not bridge.last.online
    finally:
        bridge.stop()
    assert bridge.worker is None


def test_no_relay_in_settings_means_not_started(qtbot, db):
    bridge = SyncBridge()
    assert bridge.start_from_settings(db) is False
    assert bridge.worker is None
