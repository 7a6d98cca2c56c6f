"""No-show counts per member and the online-booking restriction that follows from them.

A member past the studio's threshold for a service kind (e.g. 3 group no-shows in 60 days) can
no longer book that kind over WhatsApp until staff lift the restriction or the window rolls on.
Desk booking still works, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.enums import NoShowReason, ServiceKind, StaffRole
from desk.domain.errors import BookingRestricted, NotFound
from desk.domain.policies import noshow_tally
from desk.services import audit
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.store.models import Member, NoShowRecord
from desk.store.types import utcnow

_KIND_WORDS = {ServiceKind.GROUP: "group class", ServiceKind.PRIVATE: "private session"}


@dataclass(frozen=True)
class NoShowStanding:
    member_id: int
    kind: ServiceKind
    count: int
    threshold: int
    window_days: int
    counted_since: datetime
    restricted: bool
    lifted_at: datetime | None

    @property
    def label(self) -> str:
        return f"{self.count}/{self.threshold} in {self.window_days} days"

    @property
    def warning(self) -> str | None:
        if not self.restricted:
            return None
        return (
            f"{self.count} {_KIND_WORDS[self.kind]} no-shows in the last {self.window_days} days: "
            "online booking is closed for this member."
        )


@dataclass(frozen=True)
class NoShowEntry:
    booking_id: int
    kind: ServiceKind
    reason: NoShowReason
    occurred_at: datetime


def _member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(f"No member #{member_id}.")
    return member


def standing(
    session: Session, *, member_id: int, kind: ServiceKind, now: datetime | None = None
) -> NoShowStanding:
    """The member's no-show count in the rolling window for `kind`, and whether it restricts."""
    now = now or utcnow()
    member = _member(session, member_id)
    rule = get_policy(session).for_kind(kind)
    occurred = session.scalars(
        select(NoShowRecord.occurred_at).where(
            NoShowRecord.member_id == member_id, NoShowRecord.service_kind == kind
        )
    ).all()
    tally = noshow_tally(
        occurred,
        now=now,
        threshold=rule.noshow_threshold,
        window_days=rule.noshow_window_days,
        lifted_at=member.restriction_lifted_at,
    )
    return NoShowStanding(
        member_id=member_id,
        kind=kind,
        count=tally.count,
        threshold=tally.threshold,
        window_days=tally.window_days,
        counted_since=tally.counted_since,
        restricted=tally.restricted,
        lifted_at=member.restriction_lifted_at,
    )


def standings(
    session: Session, *, member_id: int, now: datetime | None = None
) -> tuple[NoShowStanding, ...]:
    return tuple(standing(session, member_id=member_id, kind=k, now=now) for k in ServiceKind)


def refuse_if_restricted(
    session: Session, *, member_id: int, kind: ServiceKind, now: datetime
) -> NoShowStanding:
    """Raise `BookingRestricted` for an online booking past the threshold."""
    current = standing(session, member_id=member_id, kind=kind, now=now)
    if current.restricted:
        raise BookingRestricted(
            f"Online booking is paused after {current.count} missed "
            f"{_KIND_WORDS[kind]}s; please contact reception to book.",
            noshow_count=current.count,
            threshold=current.threshold,
        )
    return current


def history(session: Session, *, member_id: int) -> list[NoShowEntry]:
    """Every no-show on the member's record, newest first."""
    rows = session.scalars(
        select(NoShowRecord)
        .where(NoShowRecord.member_id == member_id)
        .order_by(NoShowRecord.occurred_at.desc(), NoShowRecord.id.desc())
    )
    return [NoShowEntry(r.booking_id, r.service_kind, r.reason, r.occurred_at) for r in rows]


def counts_between(
    session: Session, *, since: datetime, until: datetime
) -> dict[int, dict[ServiceKind, int]]:
    """No-shows per member and kind in [since, until), for reports. One grouped query."""
    rows = session.execute(
        select(NoShowRecord.member_id, NoShowRecord.service_kind, func.count())
        .where(NoShowRecord.occurred_at >= since, NoShowRecord.occurred_at < until)
        .group_by(NoShowRecord.member_id, NoShowRecord.service_kind)
    ).all()
    counts: dict[int, dict[ServiceKind, int]] = {}
    for member_id, kind, count in rows:
        counts.setdefault(member_id, {})[kind] = int(count)
    return counts


def lift_restriction(
    session: Session, *, member_id: int, actor: Actor, now: datetime | None = None
) -> tuple[NoShowStanding, ...]:
    """Staff reopen online booking: no-shows before now stop counting (they stay on record)."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="lift a booking restriction")
    now = now or utcnow()
    member = _member(session, member_id)
    member.restriction_lifted_at = now
    member.restriction_lifted_by = actor.staff_user_id
    audit.record(session, actor, "member.lift_restriction", "member", member.id, now=now)
    session.flush()
    return standings(session, member_id=member_id, now=now)
