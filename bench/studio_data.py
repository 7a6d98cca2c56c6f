"""The fixed parts of the benchmark studio: catalog, 60-class weekly timetable, products, names.

A large city studio: a reformer room, a big main studio and a cycle room, six trainers, about
1,700 group seats a week plus private training. Capacities are sized so that ten years of a
realistic member base (about 900 active at a time, two visits a week) come to about a million
booking rows with cancellations and no-shows.
"""

from __future__ import annotations

from datetime import time

from desk.domain.enums import ProductKind, ServiceKind, StaffRole

STUDIO_NAME = "Kadıköy Movement Lab"
TIMEZONE = "Europe/Istanbul"
CURRENCY = "TRY"

#: (sign-in name, role, PIN, trainer's full name or None)
STAFF = (
    ("Owner", StaffRole.OWNER, "1234", None),
    ("Reception", StaffRole.RECEPTION, "0000", None),
    ("Evening desk", StaffRole.RECEPTION, "0001", None),
    ("Elif", StaffRole.TRAINER, "1111", "Elif Şahin"),
    ("Deniz", StaffRole.TRAINER, "2222", "Deniz Arslan"),
    ("Selin", StaffRole.TRAINER, "3333", "Selin Aydın"),
    ("Zeynep", StaffRole.TRAINER, "4444", "Zeynep Kaya"),
    ("Burak", StaffRole.TRAINER, "5555", "Burak Koç"),
    ("Mert", StaffRole.TRAINER, "6666", "Mert Yıldız"),
)

TRAINER_COLOURS = ("#C96868", "#4F7CAC", "#6B8F71", "#B07BAC", "#D08C60", "#5B8DB8")

#: (name, kind, minutes, capacity, colour)
SERVICES = (
    ("Reformer Pilates", ServiceKind.GROUP, 50, 12, "#D08C60"),
    ("Mat Pilates", ServiceKind.GROUP, 55, 35, "#E2B86B"),
    ("Yoga", ServiceKind.GROUP, 60, 35, "#7BAE7F"),
    ("Barre", ServiceKind.GROUP, 50, 30, "#C98BB9"),
    ("HIIT", ServiceKind.GROUP, 45, 35, "#D9685B"),
    ("Spinning", ServiceKind.GROUP, 45, 40, "#5B8DB8"),
    ("PT 1:1", ServiceKind.PRIVATE, 60, 1, "#8E6C8A"),
)
PT = "PT 1:1"

ROOMS = ("Reformer Studio", "Main Studio", "Cycle Room")

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = (MON, TUE, WED, THU, FRI)

#: (service, trainer, room, weekdays, start). Each trainer teaches in one room, so the rooms'
#: own sequences keep trainers from being double-booked. 60 classes a week.
TIMETABLE = (
    ("Reformer Pilates", "Elif Şahin", "Reformer Studio", WEEKDAYS, time(8)),
    ("Reformer Pilates", "Deniz Arslan", "Reformer Studio", WEEKDAYS, time(12, 30)),
    ("Reformer Pilates", "Elif Şahin", "Reformer Studio", (MON, WED, FRI), time(18)),
    ("Reformer Pilates", "Deniz Arslan", "Reformer Studio", (TUE, THU), time(18)),
    ("Reformer Pilates", "Deniz Arslan", "Reformer Studio", (MON, WED), time(19, 15)),
    ("Reformer Pilates", "Elif Şahin", "Reformer Studio", (TUE, THU), time(19, 15)),
    ("Reformer Pilates", "Elif Şahin", "Reformer Studio", (SAT,), time(10)),
    ("Reformer Pilates", "Deniz Arslan", "Reformer Studio", (SUN,), time(10, 30)),
    ("Yoga", "Selin Aydın", "Main Studio", WEEKDAYS, time(9, 30)),
    ("Mat Pilates", "Zeynep Kaya", "Main Studio", (MON, WED, FRI), time(12, 30)),
    ("Barre", "Selin Aydın", "Main Studio", (TUE, THU), time(12, 30)),
    ("HIIT", "Zeynep Kaya", "Main Studio", (MON, WED), time(18)),
    ("Barre", "Selin Aydın", "Main Studio", (TUE, THU), time(18)),
    ("Mat Pilates", "Zeynep Kaya", "Main Studio", (FRI,), time(18)),
    ("Yoga", "Selin Aydın", "Main Studio", (MON, WED), time(19, 15)),
    ("Yoga", "Zeynep Kaya", "Main Studio", (TUE, THU), time(19, 15)),
    ("HIIT", "Zeynep Kaya", "Main Studio", (SAT,), time(9, 30)),
    ("Yoga", "Selin Aydın", "Main Studio", (SAT,), time(11)),
    ("Mat Pilates", "Zeynep Kaya", "Main Studio", (SUN,), time(11)),
    ("Spinning", "Burak Koç", "Cycle Room", WEEKDAYS, time(7)),
    ("Spinning", "Mert Yıldız", "Cycle Room", (TUE, THU), time(12, 15)),
    ("Spinning", "Mert Yıldız", "Cycle Room", WEEKDAYS, time(18, 30)),
    ("Spinning", "Burak Koç", "Cycle Room", (MON, WED, FRI), time(19, 30)),
    ("Spinning", "Burak Koç", "Cycle Room", (SAT,), time(9, 30)),
    ("Spinning", "Mert Yıldız", "Cycle Room", (SUN,), time(10)),
)

#: Private training hours: trainer -> (weekdays, start, end). PT fits around their classes.
PT_HOURS = {
    "Elif Şahin": (WEEKDAYS, time(9), time(20)),
    "Deniz Arslan": ((MON, TUE, WED, THU, FRI, SAT), time(8), time(18)),
    "Burak Koç": ((MON, TUE, WED, THU, FRI, SAT), time(8), time(21)),
    "Mert Yıldız": (WEEKDAYS, time(7), time(18)),
}

GROUP_ALL = ("Reformer Pilates", "Mat Pilates", "Yoga", "Barre", "HIIT", "Spinning")
#: Reformer is the premium class: memberships cover everything else.
STUDIO_AND_CYCLE = ("Mat Pilates", "Yoga", "Barre", "HIIT", "Spinning")
MAT_YOGA = ("Mat Pilates", "Yoga", "Barre")

#: (key, name, kind, sessions, valid days, weekly cap, price in kuruş, services)
PRODUCTS = (
    ("reformer10", "Reformer 10-class pack", ProductKind.PACKAGE, 10, 60, None, 600_000,
     ("Reformer Pilates", "Mat Pilates")),
    ("reformer5", "Reformer 5-class pack", ProductKind.PACKAGE, 5, 30, None, 320_000,
     ("Reformer Pilates", "Mat Pilates")),
    ("spin10", "Spinning 10-class pack", ProductKind.PACKAGE, 10, 90, None, 300_000,
     ("Spinning", "HIIT")),
    ("studio8", "Studio 8-class pack", ProductKind.PACKAGE, 8, 60, None, 280_000, MAT_YOGA),
    ("yoga_month", "Yoga, Mat & Barre monthly", ProductKind.MEMBERSHIP, None, 30, None, 250_000,
     MAT_YOGA),
    ("all_access", "All-access monthly (3 a week)", ProductKind.MEMBERSHIP, None, 30, 3, 450_000,
     STUDIO_AND_CYCLE),
    ("unlimited", "Unlimited monthly", ProductKind.MEMBERSHIP, None, 30, None, 650_000,
     STUDIO_AND_CYCLE),
    ("pt10", "PT 10 sessions", ProductKind.PACKAGE, 10, 120, None, 1_500_000, (PT,)),
    ("pt1", "PT single session", ProductKind.PACKAGE, 1, 30, None, 170_000, (PT,)),
    ("trial", "Trial class", ProductKind.PACKAGE, 1, 14, None, 40_000, GROUP_ALL),
)  # fmt: skip

#: (plan, services the member comes to, weight, product bought when nothing pays, visits a week)
PLANS = (
    ("reformer", ("Reformer Pilates",), 13, "reformer10", (1.5, 3.9)),
    ("reformer_light", ("Reformer Pilates", "Mat Pilates"), 7, "reformer5", (1.2, 2.7)),
    ("spin", ("Spinning", "HIIT"), 24, "spin10", (2.2, 5.1)),
    ("studio", MAT_YOGA, 11, "studio8", (1.7, 3.9)),
    ("yoga_month", MAT_YOGA, 12, "yoga_month", (2.7, 5.7)),
    ("all_access", STUDIO_AND_CYCLE, 18, "all_access", (2.3, 3.3)),
    ("unlimited", STUDIO_AND_CYCLE, 8, "unlimited", (4.2, 8.2)),
    ("pt", (PT,), 4, "pt10", (0.8, 1.8)),
    ("pt_casual", (PT,), 2, "pt1", (0.3, 0.8)),
)

FIRST_NAMES = (
    "Ayşe", "Zeynep", "Elif", "Defne", "Ece", "Selin", "Merve", "Gizem", "İrem", "Buse",
    "Şule", "Özge", "Cansu", "Derya", "Pınar", "Aslı", "Burcu", "Çağla", "Gül", "Nazlı",
    "Ebru", "Sibel", "Tuba", "Yasemin", "Nil", "Damla", "Esra", "Hande", "Melis", "Ceren",
    "Mehmet", "Emre", "Can", "Kerem", "Mert", "Oğuz", "Ahmet", "Barış", "Serkan", "Tolga",
    "Ömer", "Kaan", "Onur", "Umut", "İlker", "Cem", "Hakan", "Murat", "Eren", "Deniz",
    "Anna", "Sofia", "Maria", "James", "Lena", "Nina", "Ali", "Leyla", "Yusuf", "Arda",
)  # fmt: skip

SURNAMES = (
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
    "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan",
    "Şimşek", "Polat", "Erdoğan", "Güneş", "Aksoy", "Tekin", "Uçar", "Bulut", "Ekinci",
    "Acar", "Aktaş", "Altun", "Avcı", "Bayram", "Bozkurt", "Coşkun", "Duman", "Eren", "Güler",
    "Işık", "Karaca", "Keskin", "Korkmaz", "Önal", "Özer", "Sarı", "Sönmez", "Tan", "Ünal",
    "Yavuz", "Yücel", "Schneider", "Rossi", "Carter", "Novak",
)  # fmt: skip

#: Turkish mobile prefixes (after the 0), all valid for `phonenumbers`.
MOBILE_PREFIXES = (
    "530", "532", "533", "535", "536", "537", "538", "539", "541", "542", "543", "544",
    "545", "505", "506", "507", "551", "552", "553", "554", "555",
)  # fmt: skip

NOTES = (
    "Lower back pain: avoid deep flexion.",
    "Pregnant: prenatal modifications.",
    "Prefers evening classes.",
    "Knee surgery; no jumping.",
    "Corporate discount.",
    "Asked for a towel every visit.",
)
