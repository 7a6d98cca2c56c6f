"""Real-world member messages → intent, language, service and day/time, on a fixed clock.

The clock is Friday 27 November 2026, 14:00 in Istanbul, so: today = Fri 27 Nov, tomorrow =
Sat 28, Sunday = 29, Monday = 30 Nov, Tuesday = 1 Dec ... next week = Mon 30 Nov - Sun 6 Dec.
Expected "when"s use `When.label()`: "2026-11-28 18:00", "2026-11-28 evening",
"2026-11-30..2026-12-06".

Each row is a message as members really type them (typos, emoji, no Turkish letters,
abbreviations); nothing in desk/assistant is keyed to these sentences. The whole table must
pass; the score line is printed for the issue's closing note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from desk.assistant.understand import Intent, ServiceName, Understanding, understand

TZ = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=TZ)
SERVICES = (
    ServiceName(1, "Reformer Pilates", ("reformer", "pilates")),
    ServiceName(2, "Spinning", ("spin", "cycling", "bisiklet")),
    ServiceName(3, "Yoga"),
    ServiceName(4, "PT 1:1", ("pt", "personal training", "özel ders", "kişisel antrenman")),
)
SERVICE_IDS = {"reformer": 1, "spinning": 2, "yoga": 3, "pt": 4}

A, B, C, R = Intent.AVAILABILITY, Intent.BOOK, Intent.CANCEL, Intent.RESCHEDULE
BAL, MINE, HUMAN = Intent.BALANCE, Intent.MY_BOOKINGS, Intent.HUMAN
WJ, WA, WD = Intent.WAITLIST_JOIN, Intent.WAITLIST_ACCEPT, Intent.WAITLIST_DECLINE
YES, NO, PICK = Intent.CONFIRM_YES, Intent.CONFIRM_NO, Intent.PICK_OPTION
HI, THX, UNK = Intent.GREETING, Intent.THANKS, Intent.UNKNOWN


@dataclass(frozen=True)
class Row:
    text: str
    intent: Intent
    lang: str
    service: str | None = None
    when: str | None = None
    target: str | None = None
    option: int | None = None

    def mismatches(self, got: Understanding) -> list[str]:
        expected = {
            "intent": self.intent,
            "language": self.lang,
            "service": SERVICE_IDS[self.service] if self.service else None,
            "when": self.when,
            "target": self.target,
            "option": self.option,
        }
        actual = {
            "intent": got.intent,
            "language": got.language,
            "service": got.service_id,
            "when": got.when.label() if got.when else None,
            "target": got.target_when.label() if got.target_when else None,
            "option": got.option,
        }
        return [
            f"{k}: want {expected[k]!r}, got {actual[k]!r}"
            for k in expected
            if expected[k] != actual[k]
        ]


TABLE = [
    # --- English: availability
    Row("is there reformer tomorrow at 18:00?", A, "en", "reformer", "2026-11-28 18:00"),
    Row("Any spots in spinning on Saturday?", A, "en", "spinning", "2026-11-28"),
    Row("any yoga this evening?", A, "en", "yoga", "2026-11-27 evening"),
    Row("what time is pilates on monday", A, "en", "reformer", "2026-11-30"),
    Row("is the 6pm spin class full?", A, "en", "spinning", "2026-11-27 18:00"),
    Row(
        "Do you have any free spots for Reformer next Monday 9am?",
        A,
        "en",
        "reformer",
        "2026-11-30 09:00",
    ),
    Row("whats on tomorrow morning", A, "en", None, "2026-11-28 morning"),
    Row("Is there space in yoga on sunday evening?? 🙏", A, "en", "yoga", "2026-11-29 evening"),
    Row("REFORMER TOMORROW???", A, "en", "reformer", "2026-11-28"),
    Row("hey, any refomer classes this weekend?", A, "en", "reformer", "2026-11-28..2026-11-29"),
    Row("spots left for spning tmrw 7pm?", A, "en", "spinning", "2026-11-28 19:00"),
    Row("when is yoga next week", A, "en", "yoga", "2026-11-30..2026-12-06"),
    Row("Are there any PT slots on Thursday afternoon?", A, "en", "pt", "2026-12-03 afternoon"),
    Row("is cycling on at 7 tonight", A, "en", "spinning", "2026-11-27 19:00"),
    Row("pilates on the 3rd of december?", A, "en", "reformer", "2026-12-03"),
    Row("reformer dec 5 any space?", A, "en", "reformer", "2026-12-05"),
    Row("Yoga in 3 days?", A, "en", "yoga", "2026-11-30"),
    Row("availability for pilatess on wendesday?", A, "en", "reformer", "2026-12-02"),
    # --- English: booking
    Row("Book me into reformer tomorrow at 6pm please", B, "en", "reformer", "2026-11-28 18:00"),
    Row("I'd like to book spinning on Saturday morning", B, "en", "spinning", "2026-11-28 morning"),
    Row("can i book yoga tmrw 10am pls", B, "en", "yoga", "2026-11-28 10:00"),
    Row("pls book pilates sat 9:30", B, "en", "reformer", "2026-11-28 09:30"),
    Row("Sign me up for spin on monday at 19:00 🚴", B, "en", "spinning", "2026-11-30 19:00"),
    Row("I want to come to yoga this evening", B, "en", "yoga", "2026-11-27 evening"),
    Row("reserve a spot in reformer for sunday 11am", B, "en", "reformer", "2026-11-29 11:00"),
    Row("book PT on wednesday at 5pm", B, "en", "pt", "2026-12-02 17:00"),
    Row("PT tomorrow at 10", B, "en", "pt", "2026-11-28 10:00"),
    Row("can I book a personal training session on Saturday", B, "en", "pt", "2026-11-28"),
    Row(
        "Can I get a personal training session next Tuesday at 8am?",
        B,
        "en",
        "pt",
        "2026-12-01 08:00",
    ),
    Row("refomer tmrw 6pm pls", B, "en", "reformer", "2026-11-28 18:00"),
    Row("spning saturday 10", B, "en", "spinning", "2026-11-28 10:00"),
    Row("I wanna join the 18.30 yoga today", B, "en", "yoga", "2026-11-27 18:30"),
    Row("put me in pilates tomorrow evening", B, "en", "reformer", "2026-11-28 evening"),
    Row("BOOK REFORMER THURSDAY 6PM", B, "en", "reformer", "2026-12-03 18:00"),
    Row("could I book yoga for the day after tomorrow?", B, "en", "yoga", "2026-11-29"),
    Row("book me for reformer on 2/12 at 10:00", B, "en", "reformer", "2026-12-02 10:00"),
    Row("yoga tmr morning pls 🧘", B, "en", "yoga", "2026-11-28 morning"),
    Row(
        "Hi! I'd like to try a spin class next week", B, "en", "spinning", "2026-11-30..2026-12-06"
    ),
    Row("🧘‍♀️ sunday 10am please", B, "en", "yoga", "2026-11-29 10:00"),
    Row("Tomorow 7pm spinnig plz", B, "en", "spinning", "2026-11-28 19:00"),
    # --- English: cancel
    Row("cancel my booking for tomorrow", C, "en", None, "2026-11-28"),
    Row(
        "I can't make it to reformer on saturday, please cancel", C, "en", "reformer", "2026-11-28"
    ),
    Row("pls cancle my spin class tmrw", C, "en", "spinning", "2026-11-28"),
    Row("Cancel yoga monday 🙁", C, "en", "yoga", "2026-11-30"),
    Row("won't be able to come tonight, sorry", C, "en", None, "2026-11-27 evening"),
    Row("i need to cancel", C, "en"),
    # --- English: reschedule
    Row("can I move Saturday to Monday?", R, "en", None, "2026-11-28", "2026-11-30"),
    Row(
        "Could you reschedule my reformer from tomorrow to sunday?",
        R,
        "en",
        "reformer",
        "2026-11-28",
        "2026-11-29",
    ),
    Row(
        "move my 10:00 spin on saturday to 18:00",
        R,
        "en",
        "spinning",
        "2026-11-28 10:00",
        "2026-11-28 18:00",
    ),
    Row("change my pilates to thursday evening", R, "en", "reformer", None, "2026-12-03 evening"),
    Row("can I come monday instead of saturday?", R, "en", None, "2026-11-28", "2026-11-30"),
    Row("resched tues 9am → wed 9am", R, "en", None, "2026-12-01 09:00", "2026-12-02 09:00"),
    Row("postpone my PT to next week", R, "en", "pt", None, "2026-11-30..2026-12-06"),
    # --- English: balance and bookings
    Row("how many sessions do I have left?", BAL, "en"),
    Row("How many classes left on my package??", BAL, "en"),
    Row("whats my balance", BAL, "en"),
    Row("how many pilates credits do i have", BAL, "en", "reformer"),
    Row("when does my membership expire", BAL, "en"),
    Row("remaining sessions pls", BAL, "en"),
    Row("what have I booked?", MINE, "en"),
    Row("show my bookings", MINE, "en"),
    Row("when is my next class", MINE, "en"),
    Row("am i booked for tomorrow?", MINE, "en", None, "2026-11-28"),
    # --- English: waitlist
    Row("put me on the waitlist for saturday spinning", WJ, "en", "spinning", "2026-11-28"),
    Row("Can I join the waiting list?", WJ, "en"),
    Row("let me know if a spot opens up in reformer tomorrow", WJ, "en", "reformer", "2026-11-28"),
    Row("yes I'll take the spot!", WA, "en"),
    Row("I'll take it", WA, "en"),
    Row("accept", WA, "en"),
    Row("no thanks, give it to someone else", WD, "en"),
    Row("I'll pass", WD, "en"),
    Row("remove me from the waitlist pls", WD, "en"),
    # --- English: people, short answers, picks, small talk
    Row("can I talk to a real person", HUMAN, "en"),
    Row("I want to speak to reception", HUMAN, "en"),
    Row("call me please", HUMAN, "en"),
    Row("human!!", HUMAN, "en"),
    Row("yes", YES, "en"),
    Row("Yep 👍", YES, "en"),
    Row("ok sounds good", YES, "en"),
    Row("no", NO, "en"),
    Row("nope, never mind", NO, "en"),
    Row("no don't cancel", NO, "en"),
    Row("the second one", PICK, "en", option=2),
    Row("option 3 pls", PICK, "en", option=3),
    Row("I'll take the 3rd one", PICK, "en", option=3),
    Row("hi", HI, "en"),
    Row("Hello there 👋", HI, "en"),
    Row("thanks a lot!", THX, "en"),
    Row("thx 🙏", THX, "en"),
    # --- Turkish: availability
    Row("yarın akşam reformer var mı?", A, "tr", "reformer", "2026-11-28 evening"),
    Row("Cumartesi 10:00 spinning de yer var mı", A, "tr", "spinning", "2026-11-28 10:00"),
    Row("bugün yoga var mı", A, "tr", "yoga", "2026-11-27"),
    Row("slm yrn pilates var mı", A, "tr", "reformer", "2026-11-28"),
    Row("haftaya salı reformer müsait mi", A, "tr", "reformer", "2026-12-01"),
    Row("pazar sabah yoga kaçta", A, "tr", "yoga", "2026-11-29 morning"),
    Row("bu akşam spin dersi var mı?", A, "tr", "spinning", "2026-11-27 evening"),
    Row("yarin aksam 7 de pilates bos yer var mi", A, "tr", "reformer", "2026-11-28 19:00"),
    Row("perşembe öğleden sonra pt müsait mi", A, "tr", "pt", "2026-12-03 afternoon"),
    Row("hafta sonu yoga programı nedir", A, "tr", "yoga", "2026-11-28..2026-11-29"),
    Row(
        "kişisel antrenman için perşembe sabah müsait misiniz", A, "tr", "pt", "2026-12-03 morning"
    ),
    Row("Günaydın, bugün akşam reformer var mı?", A, "tr", "reformer", "2026-11-27 evening"),
    Row("SPİNNİNG YARIN VAR MI", A, "tr", "spinning", "2026-11-28"),
    Row("3 aralık bisiklet dersi kaçta", A, "tr", "spinning", "2026-12-03"),
    # --- Turkish: booking
    Row(
        "yarın 18:00 reformer için rezervasyon yapmak istiyorum",
        B,
        "tr",
        "reformer",
        "2026-11-28 18:00",
    ),
    Row("cumartesi 10:00 spinning yazar mısın", B, "tr", "spinning", "2026-11-28 10:00"),
    Row("Pazartesi akşam 7'de pilatese gelmek istiyorum", B, "tr", "reformer", "2026-11-30 19:00"),
    Row("yrn sabah 9 yogaya yaz beni lütfen", B, "tr", "yoga", "2026-11-28 09:00"),
    Row("özel ders almak istiyorum çarşamba 17:00", B, "tr", "pt", "2026-12-02 17:00"),
    Row("özel ders yarın 10:00", B, "tr", "pt", "2026-11-28 10:00"),
    Row("bugün 18.30 yoga için yer ayırır mısınız", B, "tr", "yoga", "2026-11-27 18:30"),
    Row("haftaya salı pt randevu almak istiyorum", B, "tr", "pt", "2026-12-01"),
    Row("Cmt 11de reformere katılabilir miyim", B, "tr", "reformer", "2026-11-28 11:00"),
    Row("yarın 6 buçukta spine yazın", B, "tr", "spinning", "2026-11-28 18:30"),
    Row("29 kasım pazar yoga istiyorum", B, "tr", "yoga", "2026-11-29"),
    Row("yarin 18 refomer rezervasyon lutfen", B, "tr", "reformer", "2026-11-28 18:00"),
    # --- Turkish: cancel and reschedule
    Row("yarınki reformer dersimi iptal etmek istiyorum", C, "tr", "reformer", "2026-11-28"),
    Row("cumartesi gelemeyeceğim iptal edebilir misiniz", C, "tr", None, "2026-11-28"),
    Row("iptl yrn spin", C, "tr", "spinning", "2026-11-28"),
    Row("bugünkü yogaya gelemiyorum 😔", C, "tr", "yoga", "2026-11-27"),
    Row("hayır iptal etme", NO, "tr"),
    Row("cumartesi dersimi pazartesiye alabilir miyim", R, "tr", None, "2026-11-28", "2026-11-30"),
    Row("yarınki dersi perşembeye ertele", R, "tr", None, "2026-11-28", "2026-12-03"),
    Row("bugün yerine yarın gelebilir miyim", R, "tr", None, "2026-11-27", "2026-11-28"),
    Row(
        "reformer saatini 18:00'e değiştirebilir miyiz",
        R,
        "tr",
        "reformer",
        None,
        "2026-11-27 18:00",
    ),
    Row(
        "salı 10:00 yerine perşembe 10:00 olur mu",
        R,
        "tr",
        None,
        "2026-12-01 10:00",
        "2026-12-03 10:00",
    ),
    # --- Turkish: balance and bookings
    Row("kaç dersim kaldı", BAL, "tr"),
    Row("Paketimde kaç seans hakkım var?", BAL, "tr"),
    Row("kalan ders sayım nedir", BAL, "tr"),
    Row("bakiyemi öğrenebilir miyim", BAL, "tr"),
    Row("kac ders kaldi abi", BAL, "tr"),
    Row("rezervasyonlarım neler", MINE, "tr"),
    Row("bir sonraki dersim ne zaman", MINE, "tr"),
    Row("randevularımı görebilir miyim", MINE, "tr"),
    # --- Turkish: waitlist, people, short answers
    Row("bekleme listesine yazar mısınız", WJ, "tr"),
    Row("yer açılırsa haber verin", WJ, "tr"),
    Row("kabul ediyorum", WA, "tr"),
    Row("hayır, başkasına verin", WD, "tr"),
    Row("yetkili biriyle görüşmek istiyorum", HUMAN, "tr"),
    Row("beni arar mısınız", HUMAN, "tr"),
    Row("gerçek bir insanla konuşabilir miyim", HUMAN, "tr"),
    Row("evet", YES, "tr"),
    Row("tamam 👍", YES, "tr"),
    Row("hayır", NO, "tr"),
    Row("vazgeçtim", NO, "tr"),
    Row("ikincisi", PICK, "tr", option=2),
    Row("3 numara olsun", PICK, "tr", option=3),
    Row("ilki", PICK, "tr", option=1),
    Row("merhaba", HI, "tr"),
    Row("slm", HI, "tr"),
    Row("teşekkürler 🙏", THX, "tr"),
    Row("tşk", THX, "tr"),
    # --- a hold-out batch, written after the rows above passed: 46 of its first 49 passed
    # --- unchanged; the misses ("at 7pm", "tmrw's", "...misiniz" as a question) and a
    # --- later probe ("on the 30th") led to general fixes, not sentence-specific ones.
    Row("hey is there any spin class on sunday morning", A, "en", "spinning", "2026-11-29 morning"),
    Row("Can you book me for yoga on tuesday at 7pm?", B, "en", "yoga", "2026-12-01 19:00"),
    Row("I'd love to join reformer this saturday at 11", B, "en", "reformer", "2026-11-28 11:00"),
    Row("how many PT sessions have I got left", BAL, "en", "pt"),
    Row("Whats left on my package?", BAL, "en"),
    Row("is tomorrow's 9am pilates full", A, "en", "reformer", "2026-11-28 09:00"),
    Row("need to cancel tmrw's spin sorry!!", C, "en", "spinning", "2026-11-28"),
    Row("can we do thursday instead", R, "en", None, None, "2026-12-03"),
    Row("any slots for personal training next week?", A, "en", "pt", "2026-11-30..2026-12-06"),
    Row("sign me up for the 18:00 class tomorrow", B, "en", None, "2026-11-28 18:00"),
    Row("Reformer on Dec 2nd at 6.30pm?", A, "en", "reformer", "2026-12-02 18:30"),
    Row(
        "good evening, can I book spinning for monday evening?",
        B,
        "en",
        "spinning",
        "2026-11-30 evening",
    ),
    Row(
        "Can I swap my Saturday reformer for Sunday?",
        R,
        "en",
        "reformer",
        "2026-11-28",
        "2026-11-29",
    ),
    Row("wanna do pilates at noon tomorrow", B, "en", "reformer", "2026-11-28 12:00"),
    Row("spin at 19.00 on monday", B, "en", "spinning", "2026-11-30 19:00"),
    Row("is the class on the 30th full", A, "en", None, "2026-11-30"),
    Row("yes please", YES, "en"),
    Row("nah", NO, "en"),
    Row("the first one pls", PICK, "en", option=1),
    Row(
        "Merhaba yarın sabah reformer dersi var mı acaba?",
        A,
        "tr",
        "reformer",
        "2026-11-28 morning",
    ),
    Row(
        "pazartesi 19:00 spin için yer ayırtmak istiyorum", B, "tr", "spinning", "2026-11-30 19:00"
    ),
    Row("Kaç seansım kaldı?", BAL, "tr"),
    Row("paketim ne zaman bitiyor", BAL, "tr"),
    Row("sali aksam pilates musait mi", A, "tr", "reformer", "2026-12-01 evening"),
    Row("ders saatimi değiştirmek istiyorum", R, "tr"),
    Row("cumartesi yerine pazar gelsem olur mu", R, "tr", None, "2026-11-28", "2026-11-29"),
    Row("evet onaylıyorum", YES, "tr"),
    Row("hayır istemiyorum", NO, "tr"),
    Row("2. seçenek", PICK, "tr", option=2),
    Row("üçüncüsü", PICK, "tr", option=3),
    Row("resepsiyonla görüşebilir miyim", HUMAN, "tr"),
    Row("bekleme listesinden çıkmak istiyorum", WD, "tr"),
    Row("yarın öğlen pt alabilir miyim", B, "tr", "pt", "2026-11-28 noon"),
    Row("Perşembe 8'de reformer", B, "tr", "reformer", "2026-12-03 08:00"),
    Row("sabah 10 da yoga var mı yarın", A, "tr", "yoga", "2026-11-28 10:00"),
    Row("pazar günü reformer derslerine bakabilir misiniz", A, "tr", "reformer", "2026-11-29"),
    Row("randevumu iptal etmek istiyorum", C, "tr"),
    Row("Can I book reformer with Ayşe tomorrow at 10?", B, "en", "reformer", "2026-11-28 10:00"),
    Row("thanks Ayşe!", THX, "en"),
    # --- messages that carry no language clue take the conversation's language (here "en")
    Row("2", PICK, "en", option=2),
    Row("#1", PICK, "en", option=1),
    Row("👍", YES, "en"),
    Row("👎", NO, "en"),
    Row("18:00", B, "en", None, "2026-11-27 18:00"),
    # --- not for us: handed to reception
    Row("asdfghjkl", UNK, "en"),
    Row("'; DROP TABLE members; --", UNK, "en"),
    Row("Привет, можно записаться?", UNK, "en"),
    Row("ما هي مواعيد الحصص؟", UNK, "en"),
    Row("🍕🍕🍕", UNK, "en"),
    Row("", UNK, "en"),
]


def _read(text: str) -> Understanding:
    return understand(text, now=NOW, tz=TZ, services=SERVICES)


def test_phrasing_table_scores_every_row() -> None:
    failures = []
    for row in TABLE:
        problems = row.mismatches(_read(row.text))
        if problems:
            failures.append(f"{row.text!r}: " + "; ".join(problems))
    exact = len(TABLE) - len(failures)
    print(f"\nphrasing table: {exact}/{len(TABLE)} exact")
    assert len(TABLE) >= 100
    assert not failures, "\n".join(failures)


def test_table_covers_every_intent_and_both_languages() -> None:
    assert {row.intent for row in TABLE} == set(Intent)
    assert sum(row.lang == "tr" for row in TABLE) >= 40
    assert len({row.text for row in TABLE}) == len(TABLE)


@pytest.mark.parametrize("row", TABLE, ids=lambda row: row.text[:40] or "<empty>")
def test_phrasing(row: Row) -> None:
    assert row.mismatches(_read(row.text)) == []
