"""The studio's settings row: timezone, currency and the booking policies."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from desk.domain.enums import LateCancelPolicy, ServiceKind, StaffRole, WaitlistMode
from desk.domain.errors import InvalidInput
from desk.domain.timeutil import zone
from desk.services import audit
from desk.services.actor import Actor
from desk.store.models import StudioSettings


@dataclass(frozen=True)
class KindPolicy:
    late_cancel: LateCancelPolicy
    noshow_deducts: bool
    noshow_threshold: int
    noshow_window_days: int


@dataclass(frozen=True)
class StudioPolicy:
    studio_name: str
    timezone: str
    currency: str
    phone_region: str
    late_cancel_hours: int
    group_late_cancel_policy: LateCancelPolicy
    private_late_cancel_policy: LateCancelPolicy
    group_noshow_deducts: bool
    private_noshow_deducts: bool
    group_noshow_threshold: int
    group_noshow_window_days: int
    private_noshow_threshold: int
    private_noshow_window_days: int
    waitlist_mode: WaitlistMode
    waitlist_hold_minutes: int
    waitlist_cutoff_minutes: int
    auto_noshow_after_hours: int | None
    relay_url: str
    relay_token: str

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def for_kind(self, kind: ServiceKind) -> KindPolicy:
        prefix = "group" if kind is ServiceKind.GROUP else "private"
        return KindPolicy(
            late_cancel=getattr(self, f"{prefix}_late_cancel_policy"),
            noshow_deducts=getattr(self, f"{prefix}_noshow_deducts"),
            noshow_threshold=getattr(self, f"{prefix}_noshow_threshold"),
            noshow_window_days=getattr(self, f"{prefix}_noshow_window_days"),
        )


_FIELDS = tuple(f.name for f in fields(StudioPolicy))
_HELD = "desk.studio_settings_row"


def _row(session: Session) -> StudioSettings:
    row = session.get(StudioSettings, 1)
    if row is None:
        row = StudioSettings(id=1)
        session.add(row)
        session.flush()
    # The identity map holds rows weakly: without this reference the row is dropped as soon as
    # the caller's policy is built, and every get_policy (several per booking) reads it again.
    # Held, it is read once per transaction (commit/rollback expire it, so changes still show).
    session.info[_HELD] = row
    return row


def get_policy(session: Session) -> StudioPolicy:
    row = _row(session)
    return StudioPolicy(**{name: getattr(row, name) for name in _FIELDS})


def _validate(changes: dict[str, Any]) -> None:
    if "timezone" in changes:
        zone(changes["timezone"])
    if "currency" in changes:
        code = changes["currency"]
        if not (isinstance(code, str) and len(code) == 3 and code.isalpha()):
            raise InvalidInput("Currency must be a 3-letter code such as EUR or TRY.")
        changes["currency"] = code.upper()
    for name in ("late_cancel_hours", "waitlist_hold_minutes", "waitlist_cutoff_minutes"):
        if name in changes and (not isinstance(changes[name], int) or changes[name] < 0):
            raise InvalidInput(f"{name.replace('_', ' ').capitalize()} cannot be negative.")
    for name in ("group_noshow_threshold", "private_noshow_threshold"):
        if name in changes and changes[name] < 1:
            raise InvalidInput("A no-show threshold must be at least 1.")
    for name in ("group_noshow_window_days", "private_noshow_window_days"):
        if name in changes and changes[name] < 1:
            raise InvalidInput("A no-show window must be at least 1 day.")
    hours = changes.get("auto_noshow_after_hours")
    if hours is not None and hours < 0:
        raise InvalidInput("Automatic no-show delay cannot be negative.")


def update_policy(session: Session, *, actor: Actor, **changes: Any) -> StudioPolicy:
    """Change settings (owner only). Unknown names are refused, nothing is half-applied."""
    actor.require(StaffRole.OWNER, doing="change studio settings")
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    _validate(changes)
    row = _row(session)
    for name, value in changes.items():
        setattr(row, name, value)
    shown = {k: v for k, v in changes.items() if k != "relay_token"}
    audit.record(session, actor, "settings.update", "studio_settings", 1, **shown)
    session.flush()
    return get_policy(session)
