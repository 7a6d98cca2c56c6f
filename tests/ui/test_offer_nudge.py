"""'Send offer now' asks the WhatsApp sync to send the offer at once (its hold is short) through
the desk context's hook; the composition root points that hook at the running sync."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from desk.app import desk_context
from desk.domain.enums import Channel, WaitlistMode, WaitlistStatus
from desk.services import booking, cancellation, sales, settings, waitlist
from desk.services.actor import Actor
from desk.ui.sync_bridge import SyncBridge

from . import test_roster
from .conftest import signed_in
from .test_roster import act, open_class

pytestmark = pytest.mark.ui

SYSTEM = Actor.system()


def a_seat_to_offer(db, studio, clock) -> int:
    """A full class on offers whose freed seat went to Ayşe, who let her hold run out."""
    class_id = studio.classes[0]
    with db.write() as s:
        settings.update_policy(s, actor=SYSTEM, waitlist_mode=WaitlistMode.OFFER)
        crowd = [
            booking.book(s, class_session_id=class_id, member_id=m, actor=SYSTEM, drop_in=True)
            for m in studio.crowd
        ]
        for member_id in (studio.ayse, studio.bora):
            sales.sell(s, member_id=member_id, product_id=studio.package10, actor=SYSTEM)
            waitlist.join(
                s,
                class_session_id=class_id,
                member_id=member_id,
                actor=SYSTEM,
                channel=Channel.DESK,
                now=clock(),
            )
        cancellation.cancel(
            s, booking_id=crowd[0].booking_id, actor=SYSTEM, waive=True, now=clock()
        )
    clock.set(clock() + timedelta(hours=1))
    return class_id


@pytest.fixture
def nudges() -> list[list[int]]:
    """Each nudge of the sync, with the members whose offer was saved by then."""
    return []


@pytest.fixture
def owner_ctx(owner_ctx, db, nudges):
    def nudge() -> None:
        # What the sync would find when it wakes: the offer must already be committed.
        with db.read() as s:
            offered = [
                n.member_id
                for n in waitlist.pending_notifications(s)
                if n.status is WaitlistStatus.OFFERED
            ]
        nudges.append(offered)

    return replace(owner_ctx, send_queued_messages=nudge)


#: The schedule page with its roster, as test_roster opens it (on the context above).
page = test_roster.page


def test_sending_an_offer_now_nudges_the_sync_after_the_offer_is_saved(
    qtbot, db, studio, page, clock, nudges
):
    class_id = a_seat_to_offer(db, studio, clock)
    roster = open_class(qtbot, page, class_id)
    box = roster.booking
    assert nudges == []  # opening the roster sends nothing

    act(qtbot, roster, lambda: qtbot.mouseClick(box.offer_button, Qt.MouseButton.LeftButton))

    assert roster.message.role == "ok"
    assert roster.message.contentsMargins().top() == 7  # the message's padded box, first time
    assert studio.bora in nudges[0]
    assert len(nudges) == 1


class FakeWorker:
    def __init__(self) -> None:
        self.nudged = 0

    def nudge(self) -> None:
        self.nudged += 1


def test_the_app_context_hook_reaches_the_running_sync(db, studio, background):
    who = signed_in(db, "Rita Reception")
    desk_context(background, who).send_queued_messages()  # no sync: nothing to do, no error
    bridge = SyncBridge()
    ctx = desk_context(background, who, sync=bridge)
    ctx.send_queued_messages()  # the sync is not running (not set up): nothing happens
    worker = FakeWorker()
    bridge.worker = worker  # type: ignore[assignment]
    ctx.send_queued_messages()
    assert worker.nudged == 1
    bridge.worker = None
