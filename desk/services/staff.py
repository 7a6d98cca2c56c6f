"""Staff users and signing in with a PIN.

PINs are stored as `scrypt$n$r$p$salt$hash` with a random 16-byte salt per user (stdlib
`hashlib.scrypt`, no extra dependency). Why scrypt rather than PBKDF2: it is memory-hard, so
guessing against a stolen copy of the database file costs more per try on a GPU. A 4-digit PIN
is still only 10,000 possibilities; hashing keeps PINs out of plain sight in the file, its
backups and support copies, but the file itself must stay on the studio PC. `n=2**14` keeps a
sign-in around 50 ms on an old front-desk machine.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.enums import StaffRole
from desk.domain.errors import Duplicate, InvalidInput, NotAllowed, NotFound, SignInFailed
from desk.services import audit
from desk.services.actor import Actor
from desk.store.models import StaffUser

_N, _R, _P, _LEN = 2**14, 8, 1, 32
_SCHEME = "scrypt"
#: Compared against when the name is unknown, so a wrong name takes as long as a wrong PIN.
_DUMMY_HASH = f"{_SCHEME}${_N}${_R}${_P}${'00' * 16}${'00' * _LEN}"


@dataclass(frozen=True)
class StaffSession:
    """Who is signed in at the desk."""

    id: int
    name: str
    role: StaffRole

    @property
    def actor(self) -> Actor:
        return Actor.staff(self.id, self.role, self.name)


@dataclass(frozen=True)
class StaffView:
    id: int
    name: str
    role: StaffRole
    active: bool


def _check_pin(pin: str) -> str:
    if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8):
        raise InvalidInput("A PIN is 4 to 8 digits.")
    return pin


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    return f"{_SCHEME}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, digest_hex = stored.split("$")
        if scheme != _SCHEME:
            return False
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
        actual = hashlib.scrypt(
            pin.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _view(user: StaffUser) -> StaffView:
    return StaffView(id=user.id, name=user.name, role=user.role, active=user.active)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("Enter the staff member's name.")
    if len(cleaned) > 120:
        raise InvalidInput("That name is too long (120 characters at most).")
    return cleaned


def _by_name(session: Session, name: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.name) == name.lower()))


def _get(session: Session, staff_user_id: int) -> StaffUser:
    user = session.get(StaffUser, staff_user_id)
    if user is None:
        raise NotFound(f"No staff user #{staff_user_id}.")
    return user


def needs_first_owner(session: Session) -> bool:
    """True on a brand-new database: the desk must ask for an owner before anything else."""
    return session.scalar(select(func.count()).select_from(StaffUser)) == 0


def create_staff(
    session: Session, *, name: str, role: StaffRole, pin: str, actor: Actor
) -> StaffView:
    """Add a staff user. Owners only; on a new database (see `needs_first_owner`) the desk
    creates the first owner as the system actor."""
    actor.require(StaffRole.OWNER, doing="add staff")
    cleaned = _clean_name(name)
    role = StaffRole(role)
    _check_pin(pin)
    if _by_name(session, cleaned) is not None:
        raise Duplicate(f"There is already a staff user called {cleaned}.")
    user = StaffUser(name=cleaned, role=role, pin_hash=hash_pin(pin))
    session.add(user)
    session.flush()
    audit.record(session, actor, "staff.create", "staff_user", user.id, name=cleaned, role=role)
    return _view(user)


def sign_in(session: Session, *, name: str, pin: str, now: datetime | None = None) -> StaffSession:
    """Check a name and PIN; the same message for a wrong name and a wrong PIN."""
    user = _by_name(session, " ".join(name.split()))
    stored = user.pin_hash if user is not None and user.active else _DUMMY_HASH
    if not verify_pin(pin, stored) or user is None or not user.active:
        raise SignInFailed("Wrong name or PIN.")
    signed_in = StaffSession(id=user.id, name=user.name, role=user.role)
    audit.record(session, signed_in.actor, "staff.sign_in", "staff_user", user.id, now=now)
    return signed_in


def change_pin(
    session: Session,
    *,
    staff_user_id: int,
    new_pin: str,
    actor: Actor,
    current_pin: str | None = None,
) -> None:
    """Change your own PIN (give the current one), or an owner resets someone else's."""
    user = _get(session, staff_user_id)
    if actor.staff_user_id == staff_user_id:
        if current_pin is None or not verify_pin(current_pin, user.pin_hash):
            raise SignInFailed("The current PIN is wrong.")
    else:
        actor.require(StaffRole.OWNER, doing="reset another user's PIN")
    user.pin_hash = hash_pin(_check_pin(new_pin))
    audit.record(session, actor, "staff.change_pin", "staff_user", user.id)
    session.flush()


def _active_owner_ids(session: Session) -> set[int]:
    query = select(StaffUser.id).where(
        StaffUser.role == StaffRole.OWNER, StaffUser.active.is_(True)
    )
    return set(session.scalars(query))


def update_staff(
    session: Session,
    *,
    staff_user_id: int,
    actor: Actor,
    name: str | None = None,
    role: StaffRole | None = None,
    active: bool | None = None,
) -> StaffView:
    """Rename, change role, or (de)activate. The studio always keeps an active owner."""
    actor.require(StaffRole.OWNER, doing="change staff users")
    user = _get(session, staff_user_id)
    cleaned = _clean_name(name) if name is not None else user.name
    other = _by_name(session, cleaned)
    if other is not None and other.id != user.id:
        raise Duplicate(f"There is already a staff user called {cleaned}.")
    new_role = StaffRole(role) if role is not None else user.role
    new_active = user.active if active is None else active
    stays_owner = new_role is StaffRole.OWNER and new_active
    if not stays_owner and _active_owner_ids(session) == {user.id}:
        raise NotAllowed(f"{user.name} is the only owner; make someone else owner first.")
    user.name, user.role, user.active = cleaned, new_role, new_active
    audit.record(
        session,
        actor,
        "staff.update",
        "staff_user",
        user.id,
        name=cleaned,
        role=new_role,
        active=new_active,
    )
    session.flush()
    return _view(user)


def list_staff(session: Session, *, include_inactive: bool = False) -> list[StaffView]:
    query = select(StaffUser).order_by(StaffUser.name)
    if not include_inactive:
        query = query.where(StaffUser.active.is_(True))
    return [_view(u) for u in session.scalars(query)]
