"""What a member wants, from the words they used: weighted phrase patterns in English and
Turkish over the folded, typo-corrected text (see `lexicon`), plus a few rules for the short
answers ("yes", "2", "ikincisi") a conversation is full of."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from desk.assistant.lexicon import word_set


class Intent(StrEnum):
    GREETING = "greeting"
    AVAILABILITY = "availability"
    BOOK = "book"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    BALANCE = "balance"
    MY_BOOKINGS = "my_bookings"
    WAITLIST_JOIN = "waitlist_join"
    WAITLIST_ACCEPT = "waitlist_accept"
    WAITLIST_DECLINE = "waitlist_decline"
    CONFIRM_YES = "confirm_yes"
    CONFIRM_NO = "confirm_no"
    PICK_OPTION = "pick_option"
    HUMAN = "human"
    THANKS = "thanks"
    UNKNOWN = "unknown"


def _p(
    intent: Intent, weight: float, *patterns: str
) -> list[tuple[Intent, float, re.Pattern[str]]]:
    return [(intent, weight, re.compile(p)) for p in patterns]


It = Intent
#: (intent, weight, pattern). A message's score for an intent is the sum of its matches.
_PATTERNS = [
    *_p(It.CANCEL, 3.0, r"\bcancel\w*", r"\b(?:cncl|cxl)\b", r"\biptal\w*",
        r"\b(?:cant|cannot|can not|wont|will not|not able to|unable to) (?:be able to )?"
        r"(?:make it|come|attend|go|be there|join|make)\b",
        r"\bnot (?:coming|gonna make it|going to make it)\b",
        r"\b(?:gelemeye|gelemi|gelemiy|katilamay|katilamiy)\w*", r"\bgelemem\b"),
    *_p(It.RESCHEDULE, 3.5, r"\b(?:reschedul\w*|resched|rebook\w*|postpon\w*|move|moving|shift|"
        r"switch|swap)\b", r"\bertele\w*", r"\bdegis\w*", r"\bkaydir\w*"),
    *_p(It.RESCHEDULE, 2.5, r"\bchange\w*(?! (?:of )?my mind)", r"\btasi(?:r|yabilir|mak|yalim)\w*",
        r"\b(?:different|another|other) (?:day|time|date|slot)\b",
        r"\bbaska (?:gun|saat|zaman)\w*"),
    *_p(It.RESCHEDULE, 3.5, r"\binstead of\b", r"\byerine\b"),
    *_p(It.RESCHEDULE, 2.0, r"\binstead\b(?! of)"),
    *_p(It.BALANCE, 3.0,
        r"\bhow many (?:\w+ )?(?:sessions?|classes|class|credits?|lessons?|visits?|times|pt)\b",
        r"\b(?:sessions?|classes|credits?|lessons?) (?:do i have |i have )?(?:left|remaining)\b",
        r"\bbalance\b", r"\bremaining\b", r"\bkac (?:\w+ )?(?:ders|seans|hak|giris|kredi)\w*",
        r"\bkalan (?:ders|seans|hak)\w*", r"\bbakiye\w*", r"\bhakki\w*", r"\bhakkim\w*"),
    *_p(It.BALANCE, 2.0, r"\b(?:my|the) (?:package|membership|pack|plan|credits)\b",
        r"\bhow many (?:do i have )?left\b", r"\bpaket\w*", r"\buyelig\w*"),
    *_p(It.BALANCE, 1.5, r"\bleft\b", r"\bkald\w*", r"\bexpir\w*", r"\bbit(?:iyor|ecek|er)\w*"),
    *_p(It.MY_BOOKINGS, 3.0,
        r"\bmy (?:\w+ )?(?:bookings?|reservations?|classes|sessions|appointments?|schedule)\b",
        r"\bwhat (?:have|did) i (?:book|booked|reserve)\w*", r"\bam i (?:booked|registered|in)\b",
        r"\bwhen is my\b", r"\b(?:rezervasyonlar|randevular|derslerim|seanslar)\w*",
        r"\b(?:rezervasyonum|randevum|dersim|seansim) (?:var mi|ne zaman|hangi|kacta)",
        r"\bne zaman (?:dersim|randevum|rezervasyonum|seansim)\b",
        r"\bsonraki (?:dersim|randevum|seansim)\w*", r"\bkayitli mi\w*"),
    *_p(It.MY_BOOKINGS, 2.0, r"\bupcoming\b", r"\bbooked\b"),
    *_p(It.BOOK, 3.0, r"\bbook (?:me|a|an|for|in|the|it|that|this)\b",
        r"\b(?:sign|signing) (?:me )?up\b", r"\bput me (?:in|down|on)\b",
        r"\b(?:save|hold|grab|get|reserve) (?:me )?(?:a )?(?:spot|place|seat|slot)\b",
        r"\bcount me in\b", r"\bmake a (?:booking|reservation|appointment)\b",
        r"\brezervasyon (?:yap|olustur|istiyorum|alabilir)\w*",
        r"\brandevu (?:al|olustur|ayarla)\w*",
        r"\bbeni (?:de )?(?:yaz|ekle|kaydet)\w*", r"\byer (?:ayir|ayirt)\w*"),
    *_p(It.BOOK, 2.5, r"\bbook\b", r"\breserve\b", r"\badd me\b",
        r"\b(?:i want|i wanna|i would like|id like|i need|can i|could i|may i|let me) (?:to )?"
        r"(?:come|join|attend|take|do|go|have|get|book|try)\b",
        r"\b(?:yaz|yazar|yazabilir|yazin|kaydet|kaydeder|kaydedebilir|ayir|ayirt|ayirabilir)\w*",
        r"\b(?:katilmak|katilabilir|gelmek istiyorum|gelebilir miyim|gelecegim|gelicem)\w*",
        r"\b(?:almak|alabilir|yapmak) (?:istiyorum|miyim)\b"),
    *_p(It.BOOK, 1.5, r"\bjoin\b", r"\b(?:booking|reservation|appointment)\b", r"\brezerv\w*",
        r"\brandevu\w*", r"\bistiyorum\b", r"\b(?:i want|i wanna|i would like|id like)\b"),
    *_p(It.AVAILABILITY, 2.5, r"\bavailab\w*",
        r"\b(?:free|open|empty) (?:spots?|places?|seats?|slots?)\b",
        r"\b(?:what|which) (?:time|times|classes|sessions|slots|days)\b", r"\bwhats on\b",
        r"\bmusait\w*", r"\bbos (?:yer|kontenjan|mu|var)\w*", r"\byer var\w*", r"\bkacta\b",
        r"\bsaat kac\w*", r"\bhangi (?:gun|saat)\w*"),
    *_p(It.AVAILABILITY, 2.0, r"\b(?:is|are) there\b", r"\bschedule\b", r"\btimetable\b",
        r"\bvar mi\w*", r"\bvarmi\w*", r"\bvar mu\b", r"\bprogram\w*", r"\bdolu mu\w*",
        r"\bkontenjan\w*", r"\bwhen (?:is|are) (?:the )?(?!my\b)\w+"),
    *_p(It.AVAILABILITY, 1.0, r"\bany\b", r"\b(?:spots?|space|places?|seats?)\b", r"\bfull\b",
        r"\bne zaman\b"),
    *_p(It.WAITLIST_JOIN, 4.0, r"\bwait(?:ing)?(?: -)? ?list\w*", r"\bbekleme ?liste\w*",
        r"\b(?:let me know|tell me|notify me|message me|text me) (?:if|when) (?:a )?"
        r"(?:spot|place|seat|space)\w*"),
    *_p(It.WAITLIST_JOIN, 3.0, r"\bsiraya\w*", r"\byer acil\w*", r"\bbosal\w*"),
    *_p(It.WAITLIST_ACCEPT, 3.5,
        r"\b(?:ill|i will|i ll|yes i ll|let me) take (?:it|the spot|the place|the seat|that)\b",
        r"\btake the (?:spot|place|seat)\b", r"\baccept\w*", r"\bkabul\w*",
        r"\b(?:yeri|yer) (?:aliyorum|alirim|istiyorum)\b"),
    *_p(It.WAITLIST_DECLINE, 3.5, r"\bdecline\w*", r"\b(?:ill|i will|i ll|i) pass\b",
        r"\bpass on (?:it|this|that)\b", r"\bgive it to (?:someone|somebody) else\b",
        r"\b(?:dont|do not) (?:want|need) (?:it|the spot|that spot|the place|the seat)\b",
        r"\bbaskasina ver\w*", r"\breddet\w*"),
    *_p(It.WAITLIST_DECLINE, 5.0, r"\b(?:remove|take) me (?:off|from|out of) the wait\w*",
        r"\bbekleme ?listesinden\w*"),
    *_p(It.HUMAN, 4.0, r"\b(?:real|actual|live) (?:person|human|people|agent)\b",
        r"\b(?:call me|phone me|give me a call|ring me)\b", r"\byetkili\w*",
        r"\b(?:canli destek|gercek (?:kisi|biri|insan)\w*|musteri hizmet\w*|temsilci\w*)",
        r"\bbeni ara\w*", r"\barar mi\w*", r"\barayabilir\w*"),
    *_p(It.HUMAN, 3.5, r"\b(?:talk|speak|chat) (?:to|with)\b", r"\bhuman\b",
        r"\b(?:receptionist|reception|front desk|operator|manager)\b",
        r"\b(?:biriyle|birisiyle|insanla|resepsiyon\w*)", r"\b(?:gorus|konus)\w*"),
    *_p(It.HUMAN, 2.0, r"\b(?:someone|somebody)\b"),
    *_p(It.THANKS, 2.0, r"\b(?:thanks|thank|thx|thnx|thnks|thanx|ty|tysm|tyvm|cheers)\b",
        r"\bappreciate\w*",
        r"\b(?:tesekkur\w*|tsk\w*|tskr|sagol\w*|sag ol\w*|eyvallah|eyv|mersi|merci)\b"),
    *_p(It.GREETING, 2.0, r"\b(?:hi+|hello|helo|hey+|heya|hiya|hallo|howdy|yo)\b",
        r"\bgood (?:morning|afternoon|evening|day)\b",
        r"\b(?:merhaba\w*|mrb|mrhb|mrhaba|slm|selam\w*)\b",
        r"\b(?:sa|selamun aleykum|gunaydin|iyi gunler|iyi aksamlar|iyi geceler)\b"),
]  # fmt: skip

#: Tie-break order, most decisive first: asking for a person beats everything.
_PRIORITY = (
    It.HUMAN, It.WAITLIST_DECLINE, It.WAITLIST_JOIN, It.RESCHEDULE, It.CANCEL, It.WAITLIST_ACCEPT,
    It.BALANCE, It.MY_BOOKINGS, It.BOOK, It.AVAILABILITY,
)  # fmt: skip
_STRONG_SCORE = 2.0

_YES = word_set(
    """
    yes yess yea yeah yep yup ya ye y sure ok okay okey okie k kk confirm confirmed correct
    right perfect great fine alright absolutely definitely please evet evt tamam tmm tamamdir
    olur onay onayla onayliyorum aynen uygun super harika peki tabi tabii tabiki elbette
    kesinlikle
    """
)
_YES_PHRASES = re.compile(r"^(?:go ahead|do it|sounds good|lets do it|book it|that works)\b")
_NO = word_set("no nope nah nay n hayir yok istemiyorum bosver nvm nevermind vazgectim vazgec")
_NO_PHRASES = re.compile(r"^(?:never mind|not now|no thanks|gerek yok|changed my mind|vazgec\w*)\b")
_QUESTION_PARTICLES = word_set(
    "mi mu misin misiniz miyim miyiz musun musunuz muyum muyuz midir mudur"
)
_QUESTION_WORDS = word_set(
    "is are do does can could any what when which how mi mu misin miyim musun musunuz var"
)


@dataclass(frozen=True)
class Reading:
    intent: Intent
    confidence: float


def decide(
    flat: str,
    words: Sequence[str],
    *,
    has_slots: bool,
    option: int | None,
    option_only: bool,
    move_hint: bool = False,
) -> Reading:
    """Pick the intent. `words` are the message's word tokens (no punctuation); `move_hint`
    says the days/times read as "from one to another"."""
    scores = _scores(flat)
    if move_hint:
        scores[It.RESCHEDULE] = scores.get(It.RESCHEDULE, 0.0) + 3.0
    best = max(_PRIORITY, key=lambda i: (scores.get(i, 0.0), -_PRIORITY.index(i)))
    top = scores.get(best, 0.0)
    if option_only:
        return Reading(It.PICK_OPTION, 0.85)
    short_answer = _short_answer(flat, words, best if top >= _STRONG_SCORE else None)
    if short_answer is not None:
        return Reading(short_answer, 0.9)
    if option is not None and (top < _STRONG_SCORE or best in (It.BOOK, It.WAITLIST_ACCEPT)):
        return Reading(It.PICK_OPTION, 0.85)
    if top >= _STRONG_SCORE:
        runner_up = max((s for i, s in scores.items() if i != best and i in _PRIORITY), default=0.0)
        return Reading(best, round(min(0.95, 0.5 + 0.08 * top + 0.08 * (top - runner_up)), 2))
    if has_slots:
        intent = It.AVAILABILITY if _is_question(flat, words) else It.BOOK
        return Reading(intent, 0.6)
    for intent in (It.THANKS, It.GREETING):
        if scores.get(intent, 0.0) > 0:
            return Reading(intent, 0.9)
    return Reading(It.UNKNOWN, 0.0)


def _scores(flat: str) -> dict[Intent, float]:
    scores: dict[Intent, float] = {}
    for intent, weight, pattern in _PATTERNS:
        if pattern.search(flat):
            scores[intent] = scores.get(intent, 0.0) + weight
    return scores


def _short_answer(flat: str, words: Sequence[str], strong: Intent | None) -> Intent | None:
    """ "yes", "ok 👍", "no thanks", "hayır iptal etme": a reply to a question we asked."""
    if not words or len(words) > 6:
        return None
    first = words[0]
    if first in _NO or _NO_PHRASES.match(flat):
        # "no, don't cancel" answers our question; "no thanks, give it to someone else" does not.
        if strong is None or (strong is It.CANCEL and len(words) <= 3):
            return It.CONFIRM_NO
        return None
    if first in _YES or _YES_PHRASES.match(flat):
        decisive = (It.BOOK, It.AVAILABILITY)
        return It.CONFIRM_YES if strong is None or strong in decisive else None
    return None


def _is_question(flat: str, words: Sequence[str]) -> bool:
    if "?" in flat:
        return True
    return bool(words) and (
        words[0] in _QUESTION_WORDS or any(w in _QUESTION_PARTICLES for w in words)
    )
