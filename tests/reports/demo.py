"""A lively, deterministic studio for the reports screen, its screenshots and the PDF test.

Twelve weeks of a real-looking timetable (busy evenings, quiet middays), members who come
regularly, taper off or stop, packages and memberships sold at the desk and online. Written in
one transaction with plain inserts so it takes well under a second.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from desk.domain.enums import (
    BookingStatus,
    Channel,
    LedgerKind,
    ProductKind,
    SaleChannel,
    ServiceKind,
    SessionKind,
    StaffRole,
    WaitlistStatus,
)
from desk.domain.timeutil import local_datetime, zone
from desk.store.db import Database
from desk.store.models import (
    Booking,
    ClassSession,
    LedgerEntry,
    Member,
    Room,
    Sale,
    Service,
    StaffUser,
    StudioSettings,
    Trainer,
    WaitlistEntry,
)

FIRST_NAMES = [
    "Ayşe",
    "Elif",
    "Zeynep",
    "Deniz",
    "Ece",
    "Selin",
    "Merve",
    "Derya",
    "Ebru",
    "Gizem",
    "Aylin",
    "Burcu",
    "Cansu",
    "Defne",
    "İrem",
    "Melis",
    "Nazlı",
    "Pınar",
    "Seda",
    "Tuğba",
    "Can",
    "Emre",
    "Mert",
    "Burak",
    "Kerem",
    "Onur",
    "Barış",
    "Ozan",
    "Serkan",
    "Tolga",
    "Umut",
    "Kaan",
]
LAST_NAMES = [
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Aydın",
    "Öztürk",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Koç",
    "Kurt",
    "Özkan",
    "Polat",
    "Erdem",
    "Güneş",
    "Aksoy",
    "Tekin",
]

#: (service, trainer, room, weekday, start, capacity, popularity 0..1)
TIMETABLE = (
    ("Reformer Pilates", "Ayşe Kaya", "Studio A", 0, time(7, 30), 8, 0.75),
    ("Reformer Pilates", "Ayşe Kaya", "Studio A", 0, time(18, 30), 8, 1.0),
    ("Reformer Pilates", "Ayşe Kaya", "Studio A", 2, time(18, 30), 8, 0.95),
    ("Reformer Pilates", "Deniz Arslan", "Studio A", 4, time(12, 0), 8, 0.35),
    ("Reformer Pilates", "Deniz Arslan", "Studio A", 5, time(10, 0), 8, 0.9),
    ("Mat Pilates", "Deniz Arslan", "Studio B", 1, time(9, 30), 12, 0.45),
    ("Mat Pilates", "Deniz Arslan", "Studio B", 3, time(19, 0), 12, 0.8),
    ("Spinning", "Emre Doğan", "Studio B", 0, time(7, 0), 16, 0.55),
    ("Spinning", "Emre Doğan", "Studio B", 2, time(19, 30), 16, 0.85),
    ("Spinning", "Emre Doğan", "Studio B", 4, time(18, 0), 16, 0.5),
    ("Yoga Flow", "Selin Aydın", "Studio B", 1, time(18, 30), 14, 0.7),
    ("Yoga Flow", "Selin Aydın", "Studio B", 3, time(7, 30), 14, 0.4),
    ("Yoga Flow", "Selin Aydın", "Studio A", 6, time(11, 0), 14, 0.65),
    ("Reformer Pilates", "Ayşe Kaya", "Studio A", 3, time(18, 30), 8, 0.9),
)

PRODUCTS = (
    ("10 Reformer", ProductKind.PACKAGE, 10, 90, 320000),
    ("5 Reformer", ProductKind.PACKAGE, 5, 45, 175000),
    ("8 Classes", ProductKind.PACKAGE, 8, 60, 160000),
    ("5 PT", ProductKind.PACKAGE, 5, 60, 450000),
    ("Monthly Unlimited", ProductKind.MEMBERSHIP, None, 30, 250000),
)


def build_demo_studio(db: Database, *, today: date, weeks: int = 12, seed: int = 7) -> datetime:
    """Fill `db` with `weeks` of history ending the day before `today`; returns a fitting "now"."""
    rng = random.Random(seed)
    tz = zone("Europe/Istanbul")
    start = today - timedelta(weeks=weeks)
    with db.write() as s:
        s.add(StudioSettings(id=1, studio_name="Moda Pilates & Ride", timezone=tz.key))
        owner = StaffUser(name="Nil Owner", role=StaffRole.OWNER, pin_hash="x")
        desk = StaffUser(name="Ece Reception", role=StaffRole.RECEPTION, pin_hash="x")
        s.add_all([owner, desk])
        services = {
            n: Service(name=n, kind=ServiceKind.GROUP, duration_minutes=55, default_capacity=8)
            for n in {row[0] for row in TIMETABLE}
        }
        services["PT 1:1"] = Service(
            name="PT 1:1", kind=ServiceKind.PRIVATE, duration_minutes=60, default_capacity=1
        )
        trainers = {n: Trainer(name=n) for n in {row[1] for row in TIMETABLE}}
        rooms = {n: Room(name=n) for n in {row[2] for row in TIMETABLE}}
        s.add_all([*services.values(), *trainers.values(), *rooms.values()])
        s.flush()
        members = []
        for n in range(90):
            name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n * 7) % len(LAST_NAMES)]}"
            joined = (
                start - timedelta(days=rng.randint(30, 400))
                if n < 78
                else (start + timedelta(days=rng.randint(0, weeks * 7 - 1)))
            )
            members.append(
                Member(
                    full_name=name,
                    search_name=name.lower(),
                    phone=f"+90532{n:07d}",
                    created_at=local_datetime(joined, time(12), tz),
                )
            )
        s.add_all(members)
        s.flush()
        # Habits: how often each member comes per week, and whether they fade or stop.
        habit = {m.id: rng.choice((0.5, 1, 1, 2, 2, 3)) for m in members}
        fading = {m.id for m in rng.sample(members, 8)}
        stopped = {m.id for m in rng.sample(members, 7)} - fading
        sales = _sell(s, rng, members, owner, desk, start, today, tz)
        _classes(
            s,
            rng,
            services,
            trainers,
            rooms,
            members,
            habit,
            fading,
            stopped,
            sales,
            start,
            today,
            tz,
        )
    return local_datetime(today, time(8), tz)


def _record_sale(s, sale: Sale) -> None:
    """The sale and its opening ledger row, as `sales.sell` writes them."""
    s.add(sale)
    s.flush()
    s.add(
        LedgerEntry(
            sale_id=sale.id,
            member_id=sale.member_id,
            kind=LedgerKind.SALE,
            delta=sale.sessions or 0,
            created_at=sale.sold_at,
        )
    )


def _sell(s, rng, members, owner, desk, start, today, tz):
    sales: dict[int, Sale] = {}
    for member in members:
        name, kind, sessions, days, price = rng.choice(PRODUCTS[:3] + PRODUCTS[4:])
        sold_on = start + timedelta(days=rng.randint(-20, 40))
        if member.created_at.date() > sold_on:
            sold_on = member.created_at.astimezone(tz).date()
        sale = Sale(
            member_id=member.id,
            product_name=name,
            kind=kind,
            sessions=sessions,
            valid_days=days,
            price_minor=price,
            currency="TRY",
            seller_id=rng.choice((owner.id, desk.id, desk.id, None)),
            channel=SaleChannel.ONLINE if rng.random() < 0.3 else SaleChannel.DESK,
            sold_at=local_datetime(sold_on, time(rng.randint(9, 20)), tz),
            starts_on=sold_on,
            expires_on=sold_on + timedelta(days=days - 1),
        )
        if sale.seller_id is None:
            sale.channel = SaleChannel.ONLINE
        _record_sale(s, sale)
        sales[member.id] = sale
    for member in rng.sample(members, 6):
        sold_on = today - timedelta(days=rng.randint(1, 40))
        sale = Sale(
            member_id=member.id,
            product_name="5 PT",
            kind=ProductKind.PACKAGE,
            sessions=5,
            valid_days=60,
            price_minor=450000,
            currency="TRY",
            seller_id=owner.id,
            channel=SaleChannel.DESK,
            sold_at=local_datetime(sold_on, time(17), tz),
            starts_on=sold_on,
            expires_on=sold_on + timedelta(days=59),
        )
        _record_sale(s, sale)
    return sales


def _classes(
    s, rng, services, trainers, rooms, members, habit, fading, stopped, sales, start, today, tz
):
    balance = {mid: sale.sessions for mid, sale in sales.items()}
    # Ids handed out here, so the whole history goes in with one flush at the end.
    next_session, next_booking = 1, 1
    ledger: list[LedgerEntry] = []
    day = start
    total_days = (today - start).days
    while day < today:
        progress = (day - start).days / total_days
        for name, trainer, room, weekday, at, capacity, popularity in TIMETABLE:
            if day.weekday() != weekday:
                continue
            starts = local_datetime(day, at, tz)
            session = ClassSession(
                id=next_session,
                kind=SessionKind.CLASS,
                service_id=services[name].id,
                trainer_id=trainers[trainer].id,
                room_id=rooms[room].id,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=55),
                capacity=capacity,
            )
            next_session += 1
            s.add(session)
            # Expect about capacity × popularity takers, spread by each member's habit.
            scale = capacity * popularity * 1.3 / sum(habit.values())
            wanted = []
            for member in members:
                if member.id in stopped and progress > 0.35:
                    continue
                rate = habit[member.id]
                if member.id in fading and progress > 0.6:
                    rate /= 4
                if rng.random() < rate * scale:
                    wanted.append(member)
            rng.shuffle(wanted)
            for seat, member in enumerate(wanted[:capacity], start=1):
                roll = rng.random()
                status = (
                    BookingStatus.COMPLETED
                    if roll < 0.86
                    else BookingStatus.NO_SHOW
                    if roll < 0.93
                    else BookingStatus.LATE_CANCELLED
                    if roll < 0.97
                    else BookingStatus.CANCELLED
                )
                booking = Booking(
                    id=next_booking,
                    member_id=member.id,
                    class_session_id=session.id,
                    seat_no=seat,
                    status=status,
                    channel=Channel.WHATSAPP if roll < 0.4 else Channel.DESK,
                )
                next_booking += 1
                s.add(booking)
                sale = sales.get(member.id)
                if status is BookingStatus.COMPLETED and sale is not None:
                    is_package = sale.kind is ProductKind.PACKAGE
                    if not is_package or balance[member.id] > 0:
                        ledger.append(
                            LedgerEntry(
                                sale_id=sale.id,
                                member_id=member.id,
                                kind=LedgerKind.CONSUME,
                                delta=-1 if is_package else 0,
                                booking_id=booking.id,
                                created_at=starts + timedelta(minutes=50),
                            )
                        )
                        if is_package:
                            balance[member.id] -= 1
            for member in wanted[capacity : capacity + 4]:
                s.add(
                    WaitlistEntry(
                        class_session_id=session.id,
                        member_id=member.id,
                        status=WaitlistStatus.EXPIRED,
                        channel=Channel.WHATSAPP,
                    )
                )
        day += timedelta(days=1)
    s.flush()  # bookings first: the ledger rows point at them
    s.add_all(ledger)


def demo_now(today: date) -> datetime:
    return datetime.combine(today, time(8), tzinfo=UTC)
