"""The studio's members: add, edit, archive, find by name or phone.

Phones are stored in E.164 (`phonenumbers`, the studio's region for numbers typed without a
country code) and are unique, so one phone is one member. Names are searched through
`Member.search_name`, a lower-cased, accent-folded copy ("Ayşe Yılmaz" -> "ayse yilmaz"), by an
indexed range scan, so typing "ays" or "AYŞ" finds her quickly even in a large studio.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from desk.domain import phone as phones
from desk.domain.enums import StaffRole
from desk.domain.errors import Duplicate, InvalidInput, NotAllowed, NotFound
from desk.services import audit
from desk.services.actor import Actor
from desk.services.settings import get_policy
from desk.store.models import Member
from desk.store.prepared import Prepared
from desk.store.types import utcnow

#: Highest code point: "prefix" .. "prefix" + this bounds every string starting with prefix.
_AFTER_EVERYTHING = "\U0010ffff"
_EDITABLE = ("full_name", "phone", "email", "notes", "whatsapp_consent", "whatsapp_id")
#: Turkish letters that Unicode decomposition leaves alone.
_FOLD_EXTRA = str.maketrans({"ı": "i", "ø": "o", "đ": "d", "ł": "l"})


@dataclass(frozen=True)
class MemberProfile:
    id: int
    full_name: str
    phone: str | None
    whatsapp_id: str | None
    email: str | None
    notes: str
    whatsapp_consent: bool
    archived: bool
    created_at: datetime

    @property
    def phone_display(self) -> str:
        return phones.display(self.phone) if self.phone else ""


def search_key(text: str) -> str:
    """Lower-case, accents removed, single spaces: the form names are searched in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.translate(_FOLD_EXTRA).split())


def _profile(member: Member) -> MemberProfile:
    return MemberProfile(
        id=member.id,
        full_name=member.full_name,
        phone=member.phone,
        whatsapp_id=member.whatsapp_id,
        email=member.email,
        notes=member.notes,
        whatsapp_consent=member.whatsapp_consent,
        archived=member.archived,
        created_at=member.created_at,
    )


def _clean_name(full_name: str) -> str:
    name = " ".join(full_name.split())
    if not name:
        raise InvalidInput("Enter the member's name.")
    if len(name) > 160:
        raise InvalidInput("That name is too long (160 characters at most).")
    return name


def _clean_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    value = email.strip()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value:
        raise InvalidInput(f"{value!r} is not an email address.")
    return value


def _clean_whatsapp_id(wa_id: str | None) -> str | None:
    if wa_id is None or not wa_id.strip():
        return None
    value = phones.digits(wa_id)
    if not value or len(value) > 20:
        raise InvalidInput(f"{wa_id!r} is not a WhatsApp id (digits of the number, no '+').")
    return value


def _refuse_taken(
    session: Session, *, phone: str | None, wa_id: str | None, me: int | None
) -> None:
    if phone is not None:
        other = session.scalar(select(Member).where(Member.phone == phone, Member.id != me))
        if other is not None:
            state = " (archived)" if other.archived else ""
            raise Duplicate(f"{phones.display(phone)} already belongs to {other.full_name}{state}.")
    if wa_id is not None:
        other = session.scalar(select(Member).where(Member.whatsapp_id == wa_id, Member.id != me))
        if other is not None:
            raise Duplicate(f"That WhatsApp id already belongs to {other.full_name}.")


def _get(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(f"No member #{member_id}.")
    return member


def add_member(
    session: Session,
    *,
    full_name: str,
    phone: str | None,
    actor: Actor,
    email: str | None = None,
    notes: str = "",
    whatsapp_consent: bool = False,
    whatsapp_id: str | None = None,
    now: datetime | None = None,
) -> MemberProfile:
    """Register a member. The WhatsApp id defaults to the phone's digits."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="add members")
    now = now or utcnow()
    name = _clean_name(full_name)
    region = get_policy(session).phone_region
    e164 = phones.normalise(phone, region) if phone and phone.strip() else None
    wa_id = _clean_whatsapp_id(whatsapp_id)
    if wa_id is None and e164 is not None:
        wa_id = phones.whatsapp_id_of(e164)
    mail = _clean_email(email)
    _refuse_taken(session, phone=e164, wa_id=wa_id, me=None)
    member = Member(
        full_name=name,
        search_name=search_key(name),
        phone=e164,
        whatsapp_id=wa_id,
        email=mail,
        notes=notes.strip(),
        whatsapp_consent=whatsapp_consent,
        created_at=now,
    )
    session.add(member)
    session.flush()
    audit.record(session, actor, "member.add", "member", member.id, now=now, name=name)
    return _profile(member)


def _changes(session: Session, member: Member, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))} on a member.")
    cleaned: dict[str, Any] = {}
    if "full_name" in changes:
        cleaned["full_name"] = _clean_name(changes["full_name"])
        cleaned["search_name"] = search_key(cleaned["full_name"])
    if "phone" in changes:
        raw = changes["phone"]
        region = get_policy(session).phone_region
        cleaned["phone"] = phones.normalise(raw, region) if raw and raw.strip() else None
    if "whatsapp_id" in changes:
        cleaned["whatsapp_id"] = _clean_whatsapp_id(changes["whatsapp_id"])
    if "email" in changes:
        cleaned["email"] = _clean_email(changes["email"])
    if "notes" in changes:
        cleaned["notes"] = (changes["notes"] or "").strip()
    if "whatsapp_consent" in changes:
        cleaned["whatsapp_consent"] = bool(changes["whatsapp_consent"])
    _refuse_taken(
        session, phone=cleaned.get("phone"), wa_id=cleaned.get("whatsapp_id"), me=member.id
    )
    return cleaned


def edit_member(
    session: Session, *, member_id: int, actor: Actor, now: datetime | None = None, **changes: Any
) -> MemberProfile:
    """Change any of: full_name, phone, email, notes, whatsapp_consent, whatsapp_id."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="edit members")
    member = _get(session, member_id)
    cleaned = _changes(session, member, changes)
    for name, value in cleaned.items():
        setattr(member, name, value)
    shown = {k: v for k, v in cleaned.items() if k != "search_name"}
    audit.record(session, actor, "member.edit", "member", member.id, now=now, **shown)
    session.flush()
    return _profile(member)


def set_whatsapp_consent(
    session: Session, *, member_id: int, consent: bool, actor: Actor, now: datetime | None = None
) -> MemberProfile:
    """Record the member's yes/no to WhatsApp messages (the member may say it themselves)."""
    member = _get(session, member_id)
    if actor.is_staff:
        actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="change WhatsApp consent")
    elif actor.label not in ("system", f"whatsapp:{member.whatsapp_id}"):
        raise NotAllowed("Only the member or staff can change their WhatsApp consent.")
    member.whatsapp_consent = consent
    audit.record(session, actor, "member.consent", "member", member.id, now=now, consent=consent)
    session.flush()
    return _profile(member)


def add_note(
    session: Session, *, member_id: int, text: str, actor: Actor, now: datetime | None = None
) -> MemberProfile:
    """Append a dated line to the member's notes ("knee injury, no jumps")."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, StaffRole.TRAINER, doing="add notes")
    line = " ".join(text.split())
    if not line:
        raise InvalidInput("The note is empty.")
    now = now or utcnow()
    member = _get(session, member_id)
    day = now.astimezone(get_policy(session).tz).date()
    stamped = f"{day.isoformat()} {actor.label}: {line}"
    member.notes = f"{member.notes}\n{stamped}" if member.notes else stamped
    audit.record(session, actor, "member.note", "member", member.id, now=now, note=line)
    session.flush()
    return _profile(member)


def archive_member(
    session: Session, *, member_id: int, actor: Actor, archived: bool = True
) -> MemberProfile:
    """Hide a member from searches (history stays). `archived=False` brings them back."""
    actor.require(StaffRole.OWNER, StaffRole.RECEPTION, doing="archive members")
    member = _get(session, member_id)
    member.archived = archived
    action = "member.archive" if archived else "member.unarchive"
    audit.record(session, actor, action, "member", member.id)
    session.flush()
    return _profile(member)


def get_member(session: Session, *, member_id: int) -> MemberProfile:
    return _profile(_get(session, member_id))


def list_members(
    session: Session, *, offset: int = 0, limit: int = 100, include_archived: bool = False
) -> list[MemberProfile]:
    """Members A to Z (by their folded name), a page at a time."""
    query = select(Member).order_by(Member.search_name, Member.id)
    if not include_archived:
        query = query.where(Member.archived.is_(False))
    page = query.offset(max(offset, 0)).limit(max(limit, 0))
    return [_profile(m) for m in session.scalars(page)]


def count_members(session: Session, *, include_archived: bool = False) -> int:
    query = select(func.count()).select_from(Member)
    if not include_archived:
        query = query.where(Member.archived.is_(False))
    return session.scalar(query) or 0


def find_by_phone(session: Session, *, phone: str) -> MemberProfile | None:
    e164 = phones.try_normalise(phone, get_policy(session).phone_region)
    if e164 is None:
        return None
    member = session.scalar(select(Member).where(Member.phone == e164))
    return _profile(member) if member is not None else None


#: The profile's columns, prepared: the WhatsApp path looks a member up for every message.
_PROFILE_COLUMNS = [Member.__table__.c[name] for name in MemberProfile.__dataclass_fields__]
_BY_WHATSAPP_ID = Prepared(
    select(*_PROFILE_COLUMNS).where(Member.__table__.c.whatsapp_id == bindparam("digits"))
)
_BY_PHONE = Prepared(select(*_PROFILE_COLUMNS).where(Member.__table__.c.phone == bindparam("e164")))


def find_by_whatsapp(session: Session, wa_id: str) -> MemberProfile | None:
    """The member writing from `wa_id`: by stored WhatsApp id, else by the phone behind it."""
    digits = phones.digits(wa_id)
    if not digits:
        return None
    session.flush()  # read beside the ORM: it must see pending changes
    row = _BY_WHATSAPP_ID.first(session, {"digits": digits})
    if row is None:
        e164 = phones.from_whatsapp_id(digits)
        if e164 is not None:
            row = _BY_PHONE.first(session, {"e164": e164})
    return MemberProfile(*row) if row is not None else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    session: Session, query: str, *, limit: int = 20, include_archived: bool = False
) -> list[MemberProfile]:
    """Members whose name (any word) starts with `query`, or whose phone matches it.

    Full-name prefix matches come first (indexed), then matches on a later word ("yıl" finds
    "Ayşe Yılmaz"); a typed number is normalised and matched exactly, or by its digits.
    """
    text = query.strip()
    if not text or limit <= 0:
        return []
    if phones.looks_like_phone(text):
        return _search_phone(session, text, limit, include_archived)
    key = search_key(text)
    base = select(Member)
    if not include_archived:
        base = base.where(Member.archived.is_(False))
    # A range on the indexed column is what SQLite can answer from the index; LIKE with the
    # default case-insensitive collation cannot.
    starts = Member.search_name.between(key, key + _AFTER_EVERYTHING)
    later_word = Member.search_name.like(f"% {_escape(key)}%", escape="\\")
    found = list(session.scalars(base.where(starts).order_by(Member.search_name).limit(limit)))
    if len(found) < limit:
        seen = [m.id for m in found]
        more = base.where(later_word, Member.id.not_in(seen)).order_by(Member.search_name)
        found += session.scalars(more.limit(limit - len(found)))
    return [_profile(m) for m in found]


def _search_phone(
    session: Session, text: str, limit: int, include_archived: bool
) -> list[MemberProfile]:
    base = select(Member)
    if not include_archived:
        base = base.where(Member.archived.is_(False))
    e164 = phones.try_normalise(text, get_policy(session).phone_region)
    digits = phones.digits(text).lstrip("0")
    conditions = []
    if e164 is not None:
        conditions.append(Member.phone == e164)
    if len(digits) >= 3:
        conditions.append(Member.phone.like(f"%{digits}%"))
    if not conditions:
        return []
    query = base.where(or_(*conditions)).order_by(Member.search_name).limit(limit)
    return [_profile(m) for m in session.scalars(query)]
