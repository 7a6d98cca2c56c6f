"""What a member's profile reads, in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from desk.domain.timeutil import local_date
from desk.services import history, members, noshows, sales
from desk.services.history import LedgerLine, MemberBooking
from desk.services.members import MemberProfile
from desk.services.noshows import NoShowEntry, NoShowStanding
from desk.services.sales import EntitlementView
from desk.services.settings import get_policy


@dataclass(frozen=True)
class ProfileData:
    member: MemberProfile
    entitlements: tuple[EntitlementView, ...]
    standings: tuple[NoShowStanding, ...]
    noshows: tuple[NoShowEntry, ...]
    today: date
    timezone: str
    currency: str
    bookings: tuple[MemberBooking, ...]
    ledger: tuple[LedgerLine, ...]

    @property
    def restricted(self) -> tuple[NoShowStanding, ...]:
        return tuple(s for s in self.standings if s.restricted)

    @property
    def noshow_count(self) -> int:
        return len(self.noshows)


def load_profile(session: Session, *, member_id: int, now: datetime) -> ProfileData:
    policy = get_policy(session)
    return ProfileData(
        member=members.get_member(session, member_id=member_id),
        entitlements=tuple(
            sales.entitlements(session, member_id=member_id, now=now, include_voided=False)
        ),
        standings=noshows.standings(session, member_id=member_id, now=now),
        noshows=tuple(noshows.history(session, member_id=member_id)),
        today=local_date(now, policy.tz),
        timezone=policy.timezone,
        currency=policy.currency,
        bookings=tuple(history.member_bookings(session, member_id=member_id)),
        ledger=tuple(history.ledger_history(session, member_id=member_id)),
    )
