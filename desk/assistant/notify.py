"""Telling members what the waitlist did for them: a held seat, an automatic booking, a lapsed
offer, a waitlist that closed. The sync worker calls `notify_waitlist` every round; it
also passes lapsed offers on to the next member (`waitlist.expire_offers`).

Inside the member's 24-hour window (they wrote to us in the last 24 h) the message is free-form,
with reply buttons for an offer. Outside it WhatsApp only delivers pre-approved templates, so
the two that matter go as templates, and the others are left to the desk's own screens:

``waitlist_offer`` (category utility; languages ``en`` and ``tr``), 3 body parameters and two
quick-reply buttons whose payloads come back to `conversation.handle_inbound` as `reply_id`::

    en: Good news: a spot opened in {{1}}, {{2}}! Want it? We hold it for you until {{3}}.
        [Take the spot]  payload "wl-accept:<waitlist entry id>"
        [Pass]           payload "wl-decline:<waitlist entry id>"
    tr: Müjde: {{2}} {{1}} dersinde yer açıldı! İster misiniz? {{3}} saatine kadar sizin için
        tutuyoruz.   [Yeri al] / [İstemiyorum]  (same payloads)

``waitlist_booked`` (category utility; ``en`` and ``tr``), 2 body parameters, no buttons::

    en: Good news: a spot opened in {{1}}, {{2}}, and you're booked!
    tr: Müjde: {{2}} {{1}} dersinde yer açıldı ve kaydınızı yaptık!

({{1}} = service name, {{2}} = day and time, {{3}} = when the hold ends; register both with
Meta under these names before switching the studio's WhatsApp number on.)

Templates go only to members who agreed to WhatsApp messages or have written to the studio
before. Each notice is queued with the key ``wl-<entry id>-<status>`` and marked notified in the
same transaction, so a crash re-runs it with the same key and the relay sends it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from desk.assistant import lookups, messages, replies
from desk.assistant.dialog import Choice, choice_id
from desk.assistant.replies import Label, Msg
from desk.domain.enums import WaitlistStatus
from desk.services import members, messaging, settings, waitlist
from desk.services.members import MemberProfile
from desk.services.waitlist import WaitlistNotice
from desk.store.types import utcnow

OFFER_TEMPLATE = "waitlist_offer"
BOOKED_TEMPLATE = "waitlist_booked"
WINDOW = timedelta(hours=24)
_SENDABLE = re.compile(r"^[1-9][0-9]{6,14}$")


@dataclass(frozen=True)
class _Reader:
    """Where and how one member is written to."""

    member: MemberProfile
    address: str
    language: str
    in_window: bool
    may_template: bool


def notice_key(notice: WaitlistNotice) -> str:
    return f"wl-{notice.entry_id}-{notice.status.value}"


def notify_waitlist(session: Session, *, now: datetime | None = None) -> int:
    """Queue a message for every waitlist outcome members were not told about yet, and mark
    them told. Returns how many messages were queued.

    Lapsed offers are passed on first (and waitlists past their cutoff closed): nothing else
    runs that between messages, and the next member's offer then goes out in the same round.
    """
    now = now or utcnow()
    tz = settings.get_policy(session).tz
    waitlist.expire_offers(session, now=now)
    notices = waitlist.pending_notifications(session)
    queued = 0
    for notice in notices:
        reader = _reader(session, notice.member_id, now)
        body = _message(notice, reader, tz, now) if reader is not None else None
        key = notice_key(notice)
        if reader is None or body is None or messaging.outbox_status(session, key) is not None:
            continue
        messaging.enqueue(
            session,
            to_wa_id=reader.address,
            body=body,
            preview=messages.preview(body),
            member_id=reader.member.id,
            key=key,
            now=now,
        )
        queued += 1
    waitlist.mark_notified(session, entry_ids=[n.entry_id for n in notices], now=now)
    return queued


def _reader(session: Session, member_id: int, now: datetime) -> _Reader | None:
    member = members.get_member(session, member_id=member_id)
    address = member.whatsapp_id or (member.phone or "").lstrip("+")
    if member.archived or not _SENDABLE.match(address):
        return None
    last = lookups.last_message_at(session, wa_ids=[address])
    language = lookups.dialog_language(session, wa_id=address)
    if language is None:
        language = "tr" if address.startswith("90") else "en"
    return _Reader(
        member=member,
        address=address,
        language=language,
        in_window=last is not None and last > now - WINDOW,
        may_template=member.whatsapp_consent or last is not None,
    )


def _message(
    notice: WaitlistNotice, reader: _Reader, tz: ZoneInfo, now: datetime
) -> dict[str, Any] | None:
    lang = reader.language
    service, slot = notice.service_name, replies.option_title(notice.starts_at, tz, lang)
    if notice.status is WaitlistStatus.OFFERED:
        expires = notice.offer_expires_at
        if expires is None or expires <= now:
            return None  # lapsed already: the "expired" notice follows
        until = _until(expires, tz, now, lang)
        accept = choice_id(Choice.WAITLIST_ACCEPT, notice.entry_id)
        decline = choice_id(Choice.WAITLIST_DECLINE, notice.entry_id)
        if reader.in_window:
            body = replies.say(Msg.WAITLIST_OFFER, lang, service=service, slot=slot, until=until)
            take = messages.Choice(accept, replies.label(Label.TAKE_SPOT, lang))
            skip = messages.Choice(decline, replies.label(Label.PASS, lang))
            return messages.buttons(body, [take, skip])
        if not reader.may_template:
            return None
        return messages.template(
            OFFER_TEMPLATE,
            lang,
            body_params=[service, slot, until],
            quick_replies=[accept, decline],
        )
    if notice.status is WaitlistStatus.PROMOTED:
        if reader.in_window:
            return messages.text(replies.say(Msg.PROMOTED, lang, service=service, slot=slot))
        if not reader.may_template:
            return None
        return messages.template(BOOKED_TEMPLATE, lang, body_params=[service, slot])
    if not reader.in_window:
        return None  # a lapsed offer or a closed waitlist is not worth a template
    msg = Msg.OFFER_LAPSED if notice.status is WaitlistStatus.EXPIRED else Msg.WAITLIST_ENDED
    return messages.text(replies.say(msg, lang, service=service, slot=slot))


def _until(expires: datetime, tz: ZoneInfo, now: datetime, language: str) -> str:
    """The hold's end: a clock time today, else day and time."""
    local = expires.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local:%H:%M}"
    return replies.option_title(expires, tz, language)
