"""Packages and money known answers: March 2024 in an Istanbul studio selling in TRY (kuruş)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from desk.domain.enums import LedgerKind, ProductKind, SaleChannel, StaffRole
from desk.domain.errors import InvalidInput
from desk.services.reports.balances import session_value
from desk.services.reports.packages import packages
from tests.reports.studio import Studio

MARCH_1, MARCH_31 = date(2024, 3, 1), date(2024, 3, 31)
LATER = datetime(2024, 6, 1, tzinfo=UTC)
PKG, MEMBERSHIP = ProductKind.PACKAGE, ProductKind.MEMBERSHIP


@dataclass
class Shop:
    studio: Studio
    sales: dict[str, int]


@pytest.fixture
def shop(db) -> Shop:
    st = Studio(db)
    service, trainer, room = st.service("Reformer"), st.trainer("Tan"), st.room("Floor")
    selin, olga = st.staff("Selin"), st.staff("Olga", StaffRole.OWNER)
    classes: dict[date, int] = {}

    def use(sale: int, member: int, day: date) -> int:
        if day not in classes:
            classes[day] = st.session(service, trainer, room, day, time(9), capacity=30)
        return st.visit(sale, classes[day], member, on=day)

    m = {n: st.member(n) for n in "ABCDEFGHIJ"}
    ten = dict(sessions=10, valid_days=90)
    s = {}
    # A: 3000.00 TRY for 10, sold 2 Mar; used 5, 12, 19 Mar, the 19th restored on the 20th.
    s["A"] = st.sale(
        m["A"], "10 Reformer", **ten, price_minor=300000, sold_on=date(2024, 3, 2), seller=selin
    )
    use(s["A"], m["A"], date(2024, 3, 5))
    use(s["A"], m["A"], date(2024, 3, 12))
    b19 = use(s["A"], m["A"], date(2024, 3, 19))
    st.ledger(s["A"], LedgerKind.RESTORE, +1, on=date(2024, 3, 20), booking_id=b19)
    # B: discounted 2750.00 online, sold Sun 10 Mar; +1 goodwill session on the 11th.
    s["B"] = st.sale(
        m["B"],
        "10 Reformer",
        **ten,
        price_minor=275000,
        sold_on=date(2024, 3, 10),
        seller=olga,
        channel=SaleChannel.ONLINE,
    )
    st.ledger(s["B"], LedgerKind.ADJUST, +1, on=date(2024, 3, 11))
    # C: 5 PT for 1000.00, sold 1 Feb for 60 days → last day 31 Mar; used 10 Feb, 20 Feb, 3 Mar.
    s["C"] = st.sale(
        m["C"],
        "5 PT",
        sessions=5,
        valid_days=60,
        price_minor=100000,
        sold_on=date(2024, 2, 1),
        seller=selin,
    )
    for day in (date(2024, 2, 10), date(2024, 2, 20), date(2024, 3, 3)):
        use(s["C"], m["C"], day)
    # D: 3 sessions for 1000.00 (333.33⅓ each), sold 15 Mar for 30 days → 13 Apr; used 16 Mar.
    s["D"] = st.sale(
        m["D"],
        "3 Spin",
        sessions=3,
        valid_days=30,
        price_minor=100000,
        sold_on=date(2024, 3, 15),
        seller=selin,
    )
    use(s["D"], m["D"], date(2024, 3, 16))
    # E: 5 PT sold 5 Jan for 60 days → 4 Mar; one used in January; expiry row on 5 Mar.
    s["E"] = st.sale(
        m["E"],
        "5 PT",
        sessions=5,
        valid_days=60,
        price_minor=100000,
        sold_on=date(2024, 1, 5),
        seller=selin,
    )
    use(s["E"], m["E"], date(2024, 1, 15))
    st.ledger(s["E"], LedgerKind.EXPIRE, -4, on=date(2024, 3, 5))
    # F: a membership, 1500.00, sold 20 Mar for 30 days → 18 Apr; visits 21 and 22 Mar.
    s["F"] = st.sale(
        m["F"],
        "Monthly Unlimited",
        sessions=None,
        valid_days=30,
        kind=MEMBERSHIP,
        price_minor=150000,
        sold_on=date(2024, 3, 20),
        seller=olga,
    )
    use(s["F"], m["F"], date(2024, 3, 21))
    use(s["F"], m["F"], date(2024, 3, 22))
    # G: voided sale.
    s["G"] = st.sale(
        m["G"],
        "5 PT",
        sessions=5,
        valid_days=60,
        price_minor=100000,
        sold_on=date(2024, 3, 25),
        seller=selin,
        voided=True,
    )
    # H: 10 Reformer sold 2 Jan for 60 days → 1 Mar, paused 10 Feb–15 Mar (35 days) → 5 Apr.
    s["H"] = st.sale(
        m["H"],
        "10 Reformer",
        sessions=10,
        valid_days=60,
        price_minor=300000,
        sold_on=date(2024, 1, 2),
        seller=selin,
    )
    for day in (3, 10, 17, 24):
        use(s["H"], m["H"], date(2024, 1, day))
    st.pause(s["H"], date(2024, 2, 10), date(2024, 3, 15))
    # I: an open-ended 5-session card, 500.00, sold 8 Mar.
    s["I"] = st.sale(
        m["I"],
        "Drop-in card",
        sessions=5,
        price_minor=50000,
        sold_on=date(2024, 3, 8),
        seller=selin,
    )
    # J: activates on first visit (not yet), online with no seller, sold 28 Mar.
    s["J"] = st.sale(
        m["J"],
        "10 Reformer",
        **ten,
        price_minor=300000,
        sold_on=date(2024, 3, 28),
        channel=SaleChannel.ONLINE,
        activation_on_first_visit=True,
    )
    return Shop(st, s)


def report(db, **kw):
    kw.setdefault("now", LATER)
    with db.read() as s:
        return packages(s, date_from=MARCH_1, date_to=MARCH_31, **kw)


def test_session_value_rounds_half_up_per_sale():
    assert session_value(2, 100000, 3) == 66667  # 66 666.67
    assert session_value(1, 100000, 3) == 33333  # 33 333.33
    assert session_value(1, 5, 2) == 3  # 2.5 → 3
    assert session_value(0, 100000, 3) == 0
    assert session_value(11, 275000, 10) == 302500


def test_sales_by_product_seller_channel(db, shop):
    rep = report(db)
    # In March: A 3000, B 2750, D 1000, F 1500, I 500, J 3000 (G voided) → 6 sales, 11 750.00
    assert (rep.sales, rep.revenue_minor, rep.voided_sales) == (6, 1175000, 1)
    assert rep.currency == "TRY"
    assert [(g.name, g.sales, g.revenue_minor, g.sessions_sold) for g in rep.by_product] == [
        ("10 Reformer", 3, 875000, 30),  # A + B + J
        ("Monthly Unlimited", 1, 150000, 0),
        ("3 Spin", 1, 100000, 3),
        ("Drop-in card", 1, 50000, 5),
    ]
    assert [(g.name, g.sales, g.revenue_minor) for g in rep.by_seller] == [
        ("Selin", 3, 450000),  # A 3000 + D 1000 + I 500
        ("Olga", 2, 425000),  # B 2750 + F 1500
        ("—", 1, 300000),  # J, sold online with nobody at the desk
    ]
    assert [(g.name, g.sales, g.revenue_minor) for g in rep.by_channel] == [
        ("Desk", 4, 600000),  # A + D + F + I
        ("Online", 2, 575000),  # B + J
    ]


def test_sessions_sold_vs_used(db, shop):
    rows = [
        (u.product, u.kind, u.sales, u.sessions_sold, u.sessions_used, u.adjusted)
        for u in report(db).usage
    ]
    assert rows == [
        # A used 3 and got 1 back (2); B +1 adjusted; H's use was in January
        ("10 Reformer", PKG, 3, 30, 2, 1),
        ("3 Spin", PKG, 1, 3, 1, 0),  # D on 16 Mar
        ("5 PT", PKG, 0, 0, 1, 0),  # C on 3 Mar; E's expiry row is not a use
        ("Drop-in card", PKG, 1, 5, 0, 0),
        ("Monthly Unlimited", MEMBERSHIP, 1, 0, 2, 0),  # F's two visits (cost nothing)
    ]


def test_outstanding_liability(db, shop):
    rep = report(db)
    left = {s.member: (s.remaining, s.value_minor) for s in rep.outstanding}
    assert left == {
        "A": (8, 240000),  # 10 − 3 + 1 = 8 × 300.00
        "B": (11, 302500),  # 10 + 1 = 11 × 275.00
        "C": (2, 40000),  # 5 − 3, valid through 31 Mar (the as-of day) × 200.00
        "D": (2, 66667),  # 2 × 333.33⅓ = 666.67 (rounded once, per sale)
        "H": (6, 180000),  # 10 − 4, expiry moved to 5 Apr by the pause
        "I": (5, 50000),  # open-ended
        "J": (10, 300000),  # not activated yet: all ten still owed
    }  # E expired, F is a membership, G was voided
    # 2400 + 3025 + 400 + 666.67 + 1800 + 500 + 3000 = 11 791.67 TRY
    assert rep.liability_minor == 1179167
    assert [(p.product, p.sales, p.sessions_left, p.value_minor) for p in rep.liability] == [
        ("10 Reformer", 4, 35, 1022500),  # A + B + H + J: 8 + 11 + 6 + 10
        ("3 Spin", 1, 2, 66667),
        ("Drop-in card", 1, 5, 50000),
        ("5 PT", 1, 2, 40000),
    ]


def test_expiring_soon_and_breakage(db, shop):
    rep = report(db)
    # Renewals due by 14 Apr: C (31 Mar), H (5 Apr, after its pause), D (13 Apr).
    # F's membership runs to 18 Apr: outside the 14 days.
    assert [(s.member, s.expires_on, s.remaining) for s in rep.expiring] == [
        ("C", MARCH_31, 2),
        ("H", date(2024, 4, 5), 6),
        ("D", date(2024, 4, 13), 2),
    ]
    assert [s.member for s in report(db, expiring_within_days=20).expiring] == [
        "C",
        "H",
        "D",
        "F",
    ]
    # E expired on 4 Mar with 4 sessions unused: 4 × 200.00 = 800.00 of breakage
    assert [(s.member, s.expires_on, s.remaining, s.value_minor) for s in rep.breakage] == [
        ("E", date(2024, 3, 4), 4, 80000),
    ]
    assert (rep.breakage_sessions, rep.breakage_minor) == (4, 80000)


def test_as_of_today_inside_the_period(db, shop):
    rep = report(db, now=shop.studio.at(date(2024, 3, 12), time(18)))
    assert rep.as_of == date(2024, 3, 12)
    # Balances as of 12 Mar: A has used 5 and 12 Mar → 8 left (the 19th is still ahead);
    # D, F and J were not sold yet.
    left = {s.member: s.remaining for s in rep.outstanding}
    assert left == {"A": 8, "B": 11, "C": 2, "H": 6, "I": 5}
    # The horizon is 26 Mar; the nearest expiry (C, 31 Mar) is beyond it.
    assert rep.expiring == ()


def test_weeks(db, shop):
    weeks = report(db).weeks
    assert [(w.week_of, w.sales, w.revenue_minor, w.sessions_used) for w in weeks] == [
        (date(2024, 2, 26), 1, 300000, 1),  # A sold 2 Mar; C used 3 Mar
        (date(2024, 3, 4), 2, 325000, 1),  # I (8 Mar) + B (Sun 10 Mar); A used 5 Mar
        (date(2024, 3, 11), 1, 100000, 2),  # D; A 12 Mar + D 16 Mar
        (date(2024, 3, 18), 1, 150000, 2),  # F; A 19 (restored 20) + F 21 + F 22
        (date(2024, 3, 25), 1, 300000, 0),  # J (G voided)
    ]


def test_bad_window(db):
    with db.read() as s, pytest.raises(InvalidInput):
        packages(s, date_from=MARCH_1, date_to=MARCH_31, expiring_within_days=-1)
