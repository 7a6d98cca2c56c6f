"""The Inbox screen with real widgets on a real database (pytest-qt, offscreen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desk.domain.enums import BookingStatus, OutboxStatus, StaffRole
from desk.services import inbox, messaging
from desk.services.messaging import InboundPayload
from desk.services.staff import StaffSession
from desk.store.models import Booking, InboundEvent, OutboxMessage
from desk.ui import style
from desk.ui.context import DeskContext, SignedIn
from desk.ui.inbox import InboxView
from desk.ui.worker import Background

from .inbox_scenario import AYSE_WA, BORA_WA, LEAD_WA, build_inbox

pytestmark = pytest.mark.ui

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture
def studio(db):
    return build_inbox(db, NOW)


@pytest.fixture
def view(db, studio, qtbot, qapp):
    style.apply(qapp, dark=False)
    background = Background(db)
    who = SignedIn(
        StaffSession(id=studio.reception, name="Rita Reception", role=StaffRole.RECEPTION)
    )
    ctx = DeskContext(background=background, who=who, clock=lambda: NOW)
    page = InboxView(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    qtbot.waitUntil(lambda: page.list.count() == 3, timeout=5000)
    yield page
    page.timer.stop()
    background.shutdown()


def open_ayse(view, qtbot) -> None:
    item = view.list.item(1)
    assert item.data(Qt.ItemDataRole.UserRole) == AYSE_WA
    rect = view.list.visualItemRect(item)
    with qtbot.waitSignal(view.opened, timeout=5000):
        qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_conversations_appear_with_unread_and_needs_staff_flags(view, qtbot, db):
    rows = view.list.rows
    assert [view.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(3)] == [
        LEAD_WA,
        AYSE_WA,
        BORA_WA,
    ]
    assert rows[LEAD_WA].name.text() == "Deniz" and rows[AYSE_WA].name.text() == "Ayşe Yılmaz"
    assert rows[LEAD_WA].flag.isVisibleTo(view) and rows[AYSE_WA].flag.isVisibleTo(view)
    assert not rows[BORA_WA].flag.isVisibleTo(view)
    assert rows[AYSE_WA].unread.text() == "2" and not rows[BORA_WA].unread.isVisibleTo(view)
    assert view.summary.text() == "3 unread · 2 need staff"

    # A message the sync worker stores (on its own thread) appears by itself, unread.
    with db.write() as s:
        payload = InboundPayload(
            wamid="wamid.b2",
            wa_id=BORA_WA,
            message_type="text",
            text="Thanks!",
            received_at=NOW + timedelta(minutes=1),
        )
        messaging.record_inbound(s, payload, member_id=studio_member(s, BORA_WA))
    view.timer.setInterval(100)  # the page looks for news on its own while it is shown
    qtbot.waitUntil(
        lambda: view.list.item(0).data(Qt.ItemDataRole.UserRole) == BORA_WA, timeout=5000
    )
    assert view.list.rows[BORA_WA].unread.text() == "1"


def studio_member(s, wa_id):
    from desk.services import members

    member = members.find_by_whatsapp(s, wa_id)
    return member.id if member else None


def test_opening_a_conversation_shows_the_thread_and_the_balance(view, qtbot, db, studio):
    open_ayse(view, qtbot)
    texts = [b.text.text() for b in view.messages.bubbles]
    assert texts[0] == "how many sessions do I have left?"
    assert len(texts) == 4
    assert view.member.name.text() == "Ayşe Yılmaz"
    assert view.member.badge.text() == "10 left"
    assert view.member.book_button.isVisibleTo(view)
    assert view.header.handled_button.isVisibleTo(view)
    # Opening it read it.
    qtbot.waitUntil(lambda: view.list.rows[AYSE_WA].unread.text() == "", timeout=5000)
    with db.read() as s:
        assert inbox.conversation(s, wa_id=AYSE_WA).unread == 0


def test_a_staff_reply_goes_to_the_outbox(view, qtbot, db, studio):
    open_ayse(view, qtbot)
    qtbot.keyClicks(view.reply.editor, "Of course, bring her along!")
    with qtbot.waitSignal(view.reply_queued, timeout=5000) as queued:
        qtbot.mouseClick(view.reply.send_button, Qt.MouseButton.LeftButton)
    key = queued.args[0]
    with db.read() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        assert (row.to_wa_id, row.created_by, row.status) == (
            AYSE_WA,
            studio.reception,
            OutboxStatus.PENDING,
        )
        assert row.preview == "Of course, bring her along!"
    assert view.reply.editor.toPlainText() == ""
    qtbot.waitUntil(
        lambda: view.messages.bubbles and "Rita Reception" in view.messages.bubbles[-1].meta.text(),
        timeout=5000,
    )
    assert "waiting to send" in view.messages.bubbles[-1].meta.text()


def test_an_empty_or_late_reply_is_refused_in_words(view, qtbot, db):
    bora = next(i for i in range(3) if view.list.item(i).data(Qt.ItemDataRole.UserRole) == BORA_WA)
    with qtbot.waitSignal(view.opened, timeout=5000):
        view.list.setCurrentRow(bora)
    # Bora wrote 20 hours ago: still inside WhatsApp's 24-hour window.
    assert view.reply.editor.isEnabled()
    view.ctx = DeskContext(
        view.ctx.background, view.ctx.who, clock=lambda: NOW + timedelta(hours=5)
    )
    view.reply.editor.setPlainText("Sorry for the late answer")
    view.send_reply("Sorry for the late answer")
    qtbot.waitUntil(lambda: view.notice.isVisibleTo(view), timeout=5000)
    assert "24 hours" in view.notice.text()
    with db.read() as s:
        assert messaging.unpushed(s) == []


def test_marking_handled_clears_the_needs_staff_flag(view, qtbot, db):
    open_ayse(view, qtbot)
    qtbot.mouseClick(view.header.handled_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.list.rows[AYSE_WA].flag.isVisibleTo(view), timeout=5000)
    qtbot.waitUntil(lambda: not view.header.handled_button.isVisibleTo(view), timeout=5000)
    with db.read() as s:
        flagged = s.scalars(
            select(InboundEvent.wamid).where(
                InboundEvent.wa_id == AYSE_WA, InboundEvent.needs_staff.is_(True)
            )
        ).all()
    assert flagged == []
    assert view.summary.text().endswith("1 need staff")


def test_quick_actions_book_and_cancel_from_the_conversation(view, qtbot, db, studio):
    open_ayse(view, qtbot)
    dialog = view.open_book()
    qtbot.waitUntil(lambda: dialog.choices.count() == 2, timeout=5000)
    dialog.choices.setCurrentRow(1)  # the class the day after tomorrow
    with qtbot.waitSignal(dialog.done, timeout=5000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert view.reply.editor.toPlainText().startswith("You're booked: Reformer Pilates")
    with db.read() as s:
        booked = s.scalars(
            select(Booking.class_session_id).where(
                Booking.member_id == studio.ayse, Booking.status == BookingStatus.BOOKED
            )
        ).all()
    assert sorted(booked) == sorted([studio.class_tomorrow, studio.class_later])
    qtbot.waitUntil(
        lambda: view.thread is not None and len(view.thread.upcoming) == 2, timeout=5000
    )

    dialog = view.open_cancel()
    assert dialog.choices.count() == 2
    dialog.choices.setCurrentRow(0)
    qtbot.waitUntil(lambda: "cancel" in dialog.consequence.text().lower(), timeout=5000)
    with qtbot.waitSignal(dialog.done, timeout=5000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert view.reply.editor.toPlainText().endswith("is cancelled.")
    with db.read() as s:
        status = s.scalar(select(Booking.status).where(Booking.id == studio.booking))
    assert status in (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED)


def test_a_new_lead_has_no_booking_actions(view, qtbot):
    with qtbot.waitSignal(view.opened, timeout=5000):
        view.list.setCurrentRow(0)
    assert view.member.badge.text() == "new lead"
    assert not view.member.book_button.isVisibleTo(view)
    assert view.member.lead_hint.isVisibleTo(view)


def test_a_message_arriving_in_the_open_conversation_shows_up_read(view, qtbot, db, studio):
    open_ayse(view, qtbot)
    qtbot.waitUntil(lambda: view.list.rows[AYSE_WA].unread.text() == "", timeout=5000)
    with db.write() as s:
        payload = InboundPayload(
            wamid="wamid.a3",
            wa_id=AYSE_WA,
            message_type="text",
            text="Also, is there parking?",
            received_at=NOW + timedelta(minutes=1),
        )
        messaging.record_inbound(s, payload, member_id=studio.ayse)
    view.timer.setInterval(100)
    qtbot.waitUntil(
        lambda: view.messages.bubbles[-1].text.text() == "Also, is there parking?", timeout=5000
    )
    qtbot.waitUntil(lambda: view.list.rows[AYSE_WA].unread.text() == "", timeout=5000)
    with db.read() as s:
        assert inbox.conversation(s, wa_id=AYSE_WA).unread == 0
