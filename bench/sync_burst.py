"""WhatsApp booking requests through relay -> desk -> relay -> (fake) Graph API, end to end.

N members each write "book me into reformer tomorrow at 18:00". The relay runs as
`desk-relay serve` in its own process (its send throttle lifted, so the desk is what is
measured); a fake WhatsApp in a third process posts the signed webhooks and plays the Graph API
(bench/whatsapp_side.py). This process runs only what the desk runs: the real SyncWorker on its
two threads, the assistant booking each member a seat (one transaction per batch of messages,
each message with its reply), the replies going back through the relay. Three runs:

- baseline burst: all N at once, answered by a trivial handler (store the message, queue a
  fixed reply): the plumbing without the assistant's understanding and booking;
- assistant burst: all N at once, through the assistant; the clock stops when the Nth reply
  reaches the fake Graph API;
- assistant at WhatsApp's pace: N more requests (for the 19:00 class) arriving at 80 per second,
  WhatsApp's own ceiling per number; reply latency per message shows whether the desk keeps up.

    python -m bench.sync_burst --quick
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.whatsapp_side import DESK_TOKEN, FakeWhatsApp, RelayProcess, member_wa_id
from desk.assistant.conversation import handle_inbound
from desk.domain.enums import BookingStatus, ProductKind, ServiceKind, StaffRole
from desk.domain.timeutil import local_datetime
from desk.services import catalog, members, messaging, sales, settings, staff, timetable, trainers
from desk.services.actor import Actor
from desk.services.messaging import InboundPayload
from desk.store import migrate
from desk.store.db import Database
from desk.store.models import Booking
from desk.store.types import utcnow
from desk.sync.relay_client import RelayClient, RelayConfig
from desk.sync.worker import SyncWorker

TEXT = "book me into reformer tomorrow at {hour}:00 please"
#: WhatsApp Cloud API's default throughput per business phone number.
WHATSAPP_PACE = 80.0


def build_studio(path: Path, count: int) -> Database:
    """`count` members with a Reformer package, and classes tomorrow at 18:00 to seat them."""
    db = Database.open_file(path)
    migrate.upgrade(db, backup=False)
    system = Actor.system()
    with db.write() as s:
        owner = staff.create_staff(
            s, name="Bench Owner", role=StaffRole.OWNER, pin="1234", actor=system
        )
        desk = Actor.staff(owner.id, StaffRole.OWNER, owner.name)
        tz = settings.get_policy(s).tz
        reformer = catalog.create_service(
            s,
            name="Reformer Pilates",
            kind=ServiceKind.GROUP,
            duration_minutes=50,
            default_capacity=count,
            actor=desk,
        )
        room = catalog.create_room(s, name="Studio A", actor=desk)
        trainer = trainers.create_trainer(s, name="Marta", actor=desk)
        tomorrow = (utcnow().astimezone(tz) + timedelta(days=1)).date()
        for hour in (18, 19):
            timetable.add_class(
                s,
                service_id=reformer.id,
                trainer_id=trainer.id,
                room_id=room.id,
                starts_at=local_datetime(tomorrow, clock_time(hour), tz),
                capacity=count,
                actor=desk,
            )
        pack = catalog.create_product(
            s,
            name="Reformer 10",
            kind=ProductKind.PACKAGE,
            service_ids=[reformer.id],
            price_minor=250_000,
            sessions=10,
            valid_days=90,
            actor=desk,
        )
        for i in range(count):
            member = members.add_member(
                s, full_name=f"Bench Member {i:04d}", phone="+" + member_wa_id(i), actor=desk
            )
            sales.sell(s, member_id=member.id, product_id=pack.id, actor=desk)
    return db


def echo(session: Session, payload: InboundPayload) -> None:
    """The baseline: store the message and queue a fixed reply, no understanding."""
    event = messaging.record_inbound(session, payload, member_id=None)
    messaging.enqueue(
        session,
        to_wa_id=payload.wa_id,
        body={"kind": "text", "text": "Thanks, got it!"},
        preview="Thanks, got it!",
        inbound_event_id=event.id,
        key="echo-" + hashlib.sha256(payload.wamid.encode()).hexdigest()[:24],
    )


def _burst(
    db: Database,
    relay: RelayProcess,
    whatsapp: FakeWhatsApp,
    handler: Callable[[Session, InboundPayload], None],
    *,
    count: int,
    run: str,
    hour: int,
    rate: float = 0.0,
) -> dict[str, Any]:
    client = RelayClient(RelayConfig(relay.url, DESK_TOKEN))
    worker = SyncWorker(db, client, handler, long_poll_seconds=5.0, push_interval=0.05)
    worker.start()
    cpu_before = time.process_time()
    relay_before = relay.cpu_seconds()
    try:
        whatsapp.burst(count=count, run=run, text=TEXT.format(hour=hour), rate=rate)
        deadline = time.monotonic() + 60 + count
        while time.monotonic() < deadline:
            if whatsapp.stats()["arrived"] >= count:
                break
            time.sleep(0.2)  # an HTTP call to the other process; arrival times are its own
        desk_cpu = time.process_time() - cpu_before
        relay_after = relay.cpu_seconds()
    finally:
        worker.stop()
        client.close()
    stats = whatsapp.stats(full=True)
    sent, arrived = stats["posted_at"], stats["arrived_at"]
    latencies = sorted(arrived[k] - sent[k] for k in arrived if k in sent)
    first, last = min(sent.values(), default=0.0), max(arrived.values(), default=0.0)
    return {
        "messages": count,
        "replies": len(arrived),
        "unanswered": sorted(set(sent) - set(arrived))[:10],
        "graph_calls": stats["calls"],
        "post_failures": stats["failures"],
        "paced_per_s": rate or None,
        "seconds": round(last - first, 2),
        "msgs_per_s": round(len(arrived) / max(last - first, 1e-6), 1),
        # CPU of this process (all threads: sync, assistant, HTTP client), per message: what
        # one core of the studio PC can answer, whatever the relay costs on this shared machine.
        "desk_cpu_ms_per_msg": round(desk_cpu * 1000 / count, 2),
        "desk_capacity_per_s": round(count / max(desk_cpu, 1e-6), 1),
        "relay_cpu_ms_per_msg": round((relay_after - relay_before) * 1000 / count, 2)
        if relay_after is not None and relay_before is not None
        else None,
        "reply_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "reply_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1)
        if latencies
        else None,
    }


def _booked(db: Database) -> int:
    with db.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Booking)
                .where(Booking.status == BookingStatus.BOOKED)
            )
            or 0
        )


def _assistant(session: Session, payload: InboundPayload) -> None:
    handle_inbound(session, payload)


def run(quick: bool) -> dict[str, Any]:
    count = 100 if quick else 400
    with tempfile.TemporaryDirectory(prefix="sync-burst-") as tmp:
        workdir = Path(tmp)
        db = build_studio(workdir / "studio.sqlite3", count)
        whatsapp = FakeWhatsApp(workdir)
        relay = RelayProcess(workdir, whatsapp.url)
        try:
            whatsapp.wait_ready()
            relay.wait_ready()
            whatsapp.point_at(relay.url)
            baseline = _burst(db, relay, whatsapp, echo, count=count, run="echo", hour=18)
            burst = _burst(db, relay, whatsapp, _assistant, count=count, run="book", hour=18)
            paced = _burst(
                db, relay, whatsapp, _assistant, count=count, run="pace", hour=19,
                rate=WHATSAPP_PACE,
            )  # fmt: skip
            booked = _booked(db)
        finally:
            relay.stop()
            whatsapp.stop()
            db.dispose()
        result = {
            "name": "sync_burst",
            "messages": count,
            "baseline_echo": baseline,
            "assistant_booking": burst,
            "assistant_paced": paced,
            "bookings": booked,
            "graph_calls": baseline["graph_calls"] + burst["graph_calls"] + paced["graph_calls"],
            "ratio_assistant_vs_echo": round(
                burst["msgs_per_s"] / max(baseline["msgs_per_s"], 1e-6), 2
            ),
        }
        if not complete(result):  # keep the servers' logs: they say what went missing
            kept = Path(tempfile.mkdtemp(prefix="sync-burst-logs-"))
            for kept_file in [*workdir.glob("*.log"), *workdir.glob("*.sqlite3")]:
                shutil.copy(kept_file, kept / kept_file.name)
            result["logs"] = str(kept)
    return result


def _report(result: dict[str, Any]) -> str:
    base, real = result["baseline_echo"], result["assistant_booking"]
    paced = result["assistant_paced"]
    count = result["messages"]
    return "\n".join(
        [
            f"sync burst: {count} booking requests, relay -> desk -> relay -> fake Graph API "
            "(relay send throttle lifted; relay and fake WhatsApp in their own processes)",
            f"  assistant, all at once:  {real['msgs_per_s']:.1f} messages/s end to end, "
            f"{real['replies']} replies in {real['seconds']} s, "
            f"p50 reply {real['reply_p50_ms']} ms",
            f"    desk CPU per message {real['desk_cpu_ms_per_msg']} ms (all its threads) = "
            f"{real['desk_capacity_per_s']:.0f} messages/s on one core; "
            f"relay CPU per message {real['relay_cpu_ms_per_msg']} ms",
            f"  baseline, all at once:   {base['msgs_per_s']:.1f} messages/s "
            "(store + fixed reply), "
            f"{base['replies']} replies in {base['seconds']} s, "
            f"desk CPU per message {base['desk_cpu_ms_per_msg']} ms",
            f"  assistant at {WHATSAPP_PACE:.0f}/s:     {paced['msgs_per_s']:.1f} messages/s, "
            f"reply p50 {paced['reply_p50_ms']} ms, p99 {paced['reply_p99_ms']} ms",
            f"  ratio assistant/baseline x{result['ratio_assistant_vs_echo']}; "
            f"bookings made {result['bookings']} (expected {2 * count}); Graph calls "
            f"{result['graph_calls']} (expected {3 * count})",
        ]
    )


def complete(result: dict[str, Any]) -> bool:
    """Every message answered once, every booking made, nothing sent twice."""
    count = result["messages"]
    runs = [result[k] for k in ("baseline_echo", "assistant_booking", "assistant_paced")]
    answered = all(r["replies"] == count and r["post_failures"] == 0 for r in runs)
    return answered and result["graph_calls"] == 3 * count and result["bookings"] == 2 * count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="100 messages instead of 400")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = run(args.quick)
    print(json.dumps(result, indent=2) if args.json else _report(result))
    return 0 if complete(result) else 1


if __name__ == "__main__":
    sys.exit(main())
