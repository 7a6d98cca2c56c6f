"""What the roster panel reads for one class, in one unit of work: the session and its counts,
who sits where with each member's balance badge, and the waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from desk.domain.enums import BookingStatus, WaitlistMode, WaitlistStatus
from desk.domain.timeutil import local_date
from desk.services import history, members, occupancy, sales, waitlist, waitlist_desk
from desk.services.settings import get_policy
from desk.services.timetable_sessions import get_session
from desk.services.waitlist import WaitlistPlace
from desk.ui.formatting import balance_badge
from desk.ui.schedule.data import CalendarRow


@dataclass(frozen=True)
class SeatLine:
    booking_id: int
    seat_no: int
    member_id: int
    member_name: str
    status: BookingStatus
    is_drop_in: bool
    badge: str
    tone: str

    @property
    def holds_seat(self) -> bool:
        return self.status in (BookingStatus.BOOKED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class WaitLine:
    entry_id: int
    member_id: int
    member_name: str
    position: int
    status: WaitlistStatus
    offer_expires_at: datetime | None
    badge: str
    tone: str


@dataclass(frozen=True)
class RosterData:
    row: CalendarRow
    seats: tuple[SeatLine, ...]
    waitlist: tuple[WaitLine, ...]
    timezone: str
    today: date
    #: How freed seats reach the waitlist: booked automatically, or offered by message.
    waitlist_mode: WaitlistMode = WaitlistMode.AUTO

    @property
    def free_seats(self) -> list[int]:
        taken = {s.seat_no for s in self.seats if s.holds_seat}
        return [n for n in range(1, self.row.session.capacity + 1) if n not in taken]

    @property
    def seats_to_offer(self) -> int:
        """Free seats not already held for someone's live offer."""
        return max(0, len(self.free_seats) - self.row.on_offer)


def _badge(session: Session, member_id: int, now: datetime, today: date) -> tuple[str, str]:
    views = sales.entitlements(session, member_id=member_id, now=now)
    return balance_badge(views, today)


def _wait_line(session: Session, place: WaitlistPlace, now: datetime, today: date) -> WaitLine:
    member = members.get_member(session, member_id=place.member_id)
    badge, tone = _badge(session, place.member_id, now, today)
    return WaitLine(
        entry_id=place.entry_id,
        member_id=place.member_id,
        member_name=member.full_name,
        position=place.position,
        status=place.status,
        offer_expires_at=place.offer_expires_at,
        badge=badge,
        tone=tone,
    )


def load_roster(session: Session, *, class_session_id: int, now: datetime) -> RosterData:
    policy = get_policy(session)
    today = local_date(now, policy.tz)
    view = get_session(session, class_session_id=class_session_id)
    counts = occupancy.occupancy(session, class_session_id=class_session_id, now=now)
    row = CalendarRow(view, counts.booked, counts.waiting, counts.on_offer)
    seats: list[SeatLine] = []
    for holder in history.roster(session, class_session_id=class_session_id):
        badge, tone = _badge(session, holder.member_id, now, today)
        if holder.is_drop_in:
            badge, tone = "drop-in", "warn"
        seats.append(
            SeatLine(
                booking_id=holder.booking_id,
                seat_no=holder.seat_no,
                member_id=holder.member_id,
                member_name=holder.member_name,
                status=holder.status,
                is_drop_in=holder.is_drop_in,
                badge=badge,
                tone=tone,
            )
        )
    lineup = waitlist.lineup(session, class_session_id=class_session_id)
    return RosterData(
        row=row,
        seats=tuple(seats),
        waitlist=tuple(_wait_line(session, p, now, today) for p in lineup),
        timezone=policy.timezone,
        today=today,
        waitlist_mode=waitlist_desk.mode_of(session, class_session_id=class_session_id),
    )
