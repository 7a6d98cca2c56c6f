"""The fixed parts of the demo studio (see `desk.services.demo` and docs/demo.md)."""

from __future__ import annotations

from datetime import time

from desk.domain.enums import ProductKind, ServiceKind, StaffRole

STUDIO_NAME = "Moda Pilates & Fitness"

#: (sign-in name, role, PIN, trainer's full name or None). Documented in docs/demo.md.
STAFF = (
    ("Owner", StaffRole.OWNER, "1234", None),
    ("Reception", StaffRole.RECEPTION, "0000", None),
    ("Elif", StaffRole.TRAINER, "1111", "Elif Şahin"),
    ("Burak", StaffRole.TRAINER, "2222", "Burak Koç"),
    ("Deniz", StaffRole.TRAINER, "3333", "Deniz Arslan"),
)

TRAINER_COLOURS = {"Elif Şahin": "#C96868", "Burak Koç": "#4F7CAC", "Deniz Arslan": "#6B8F71"}

#: (name, kind, minutes, capacity, colour, description)
SERVICES = (
    ("Reformer Pilates", ServiceKind.GROUP, 50, 8, "#D08C60", "Small-group reformer class"),
    ("Mat Pilates", ServiceKind.GROUP, 55, 12, "#E2B86B", "Pilates on the mat, all levels"),
    ("Spinning", ServiceKind.GROUP, 45, 14, "#5B8DB8", "Indoor cycling to music"),
    ("Yoga", ServiceKind.GROUP, 60, 12, "#7BAE7F", "Vinyasa flow"),
    ("PT 1:1", ServiceKind.PRIVATE, 60, 1, "#8E6C8A", "Personal training, one to one"),
)

ROOMS = ("Reformer Studio", "Studio 1", "Cycle Room")

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

#: (service, trainer, room, weekdays, start). 31 classes a week.
TIMETABLE = (
    ("Reformer Pilates", "Elif Şahin", "Reformer Studio", (MON, TUE, WED, THU, FRI), time(8)),
    ("Reformer Pilates", "Elif Şahin", "Reformer Studio", (MON, WED, FRI), time(18)),
    ("Reformer Pilates", "Elif Şahin", "Reformer Studio", (TUE, THU), time(12, 30)),
    ("Reformer Pilates", "Elif Şahin", "Reformer Studio", (SAT,), time(10)),
    ("Reformer Pilates", "Deniz Arslan", "Reformer Studio", (TUE, THU), time(18)),
    ("Reformer Pilates", "Deniz Arslan", "Reformer Studio", (MON, WED), time(19)),
    ("Yoga", "Deniz Arslan", "Studio 1", (MON, WED, FRI), time(9, 30)),
    ("Yoga", "Deniz Arslan", "Studio 1", (TUE, THU), time(19, 15)),
    ("Yoga", "Deniz Arslan", "Studio 1", (SUN,), time(10)),
    ("Spinning", "Burak Koç", "Cycle Room", (MON, WED, FRI), time(7)),
    ("Spinning", "Burak Koç", "Cycle Room", (TUE, THU), time(19)),
    ("Spinning", "Burak Koç", "Cycle Room", (SAT,), time(11)),
    ("Mat Pilates", "Burak Koç", "Studio 1", (MON, WED), time(12, 30)),
    ("Mat Pilates", "Burak Koç", "Studio 1", (TUE, THU), time(18)),
)

#: Weekly hours for private sessions: trainer -> (weekdays, start, end).
WORKING_HOURS = {
    "Elif Şahin": ((MON, TUE, WED, THU, FRI), time(8), time(20)),
    "Burak Koç": ((MON, TUE, WED, THU, FRI, SAT), time(7), time(21)),
    "Deniz Arslan": ((TUE, WED, THU, FRI, SAT), time(9), time(17)),
}

#: (key, name, kind, sessions, valid days, weekly cap, price in kuruş, services)
PRODUCTS = (
    ("reformer8", "Reformer 8-class pack", ProductKind.PACKAGE, 8, 60, None, 480_000,
     ("Reformer Pilates", "Mat Pilates")),
    ("reformer4", "Reformer 4-class pack", ProductKind.PACKAGE, 4, 30, None, 260_000,
     ("Reformer Pilates", "Mat Pilates")),
    ("spin10", "Spinning 10-class pack", ProductKind.PACKAGE, 10, 90, None, 300_000,
     ("Spinning",)),
    ("yoga_month", "Yoga & Mat monthly", ProductKind.MEMBERSHIP, None, 30, None, 220_000,
     ("Yoga", "Mat Pilates")),
    ("all_access", "All-access monthly (3 a week)", ProductKind.MEMBERSHIP, None, 30, 3, 450_000,
     ("Reformer Pilates", "Mat Pilates", "Spinning", "Yoga")),
    ("pt10", "PT 10 sessions", ProductKind.PACKAGE, 10, 120, None, 1_500_000, ("PT 1:1",)),
    ("pt1", "PT single session", ProductKind.PACKAGE, 1, 30, None, 170_000, ("PT 1:1",)),
    ("trial", "Trial class", ProductKind.PACKAGE, 1, 14, None, 40_000,
     ("Reformer Pilates", "Mat Pilates", "Spinning", "Yoga")),
)  # fmt: skip

#: (first purchase, classes they come to, weight, what they buy when it runs out).
PLANS = (
    ("reformer8", ("Reformer Pilates",), 5, "reformer8"),
    ("reformer4", ("Reformer Pilates", "Mat Pilates"), 3, "reformer8"),
    ("spin10", ("Spinning",), 3, "spin10"),
    ("yoga_month", ("Yoga", "Mat Pilates"), 3, "yoga_month"),
    ("all_access", ("Reformer Pilates", "Spinning", "Yoga"), 3, "all_access"),
    ("pt10", ("PT 1:1",), 2, "pt10"),
    ("trial", ("Yoga", "Mat Pilates"), 1, "yoga_month"),
)

FIRST_NAMES = (
    "Ayşe", "Zeynep", "Elif", "Defne", "Ece", "Selin", "Merve", "Gizem", "İrem", "Buse",
    "Şule", "Özge", "Cansu", "Derya", "Pınar", "Aslı", "Burcu", "Çağla", "Gül", "Nazlı",
    "Mehmet", "Emre", "Can", "Kerem", "Mert", "Oğuz", "Ahmet", "Barış", "Serkan", "Tolga",
    "Ömer", "Kaan", "Onur", "Umut", "İlker",
)  # fmt: skip

SURNAMES = (
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
    "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan",
    "Şimşek", "Polat", "Erdoğan", "Güneş", "Aksoy", "Tekin", "Uçar", "Bulut", "Ekinci",
)  # fmt: skip

#: Members from abroad, with their own country's numbers.
VISITORS = (
    ("Anna Schneider", "+49 151 23456789"),
    ("James Carter", "+44 7911 123456"),
    ("Sofia Rossi", "+39 347 123 4567"),
)

#: Turkish mobile prefixes (after the 0): all valid for `phonenumbers`.
MOBILE_PREFIXES = (
    "530", "532", "533", "535", "536", "537", "538", "539", "541", "542", "543", "544",
    "545", "505", "506", "507", "551", "552", "553", "554", "555",
)  # fmt: skip

NOTES = (
    "Lower back pain: avoid deep flexion.",
    "Pregnant (2nd trimester): prenatal modifications.",
    "Prefers evening classes.",
    "Knee surgery last year; no jumping.",
    "Beginner: first month.",
    "Corporate discount (Moda Tech).",
)
