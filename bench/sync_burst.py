"""A burst of WhatsApp booking requests through relay -> desk -> relay -> (fake) Graph API.

N members each write "book me into reformer tomorrow at 18:00" at once. Signed webhooks go to
a real relay (`desk-relay serve` in its own process, its send throttle lifted so the desk is
what is measured), the desk's real SyncWorker pulls them on its two threads, the assistant books
each member a seat (one transaction per message with the reply), and the replies go back
through the relay to a fake Graph API on loopback. The clock stops when the Nth reply reaches
the fake Graph.

Baseline, in the same run: the same burst answered by a trivial handler (store the message,
queue a fixed reply): the plumbing without the assistant's understanding and booking.

    python bench/sync_burst.py --quick
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
import uvicorn
from fastapi import FastAPI, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.assistant.conversation import handle_inbound
from desk.domain.enums import BookingStatus, ProductKind, ServiceKind, StaffRole
from desk.domain.timeutil import local_datetime
from desk.services import catalog, members, messaging, sales, settings, staff, timetable, trainers
from desk.services.actor import Actor
from desk.services.messaging import InboundPayload
from desk.store import migrate
from desk.store.db import Database
from desk.store.models import Booking, InboundEvent
from desk.store.types import utcnow
from desk.sync.relay_client import RelayClient, RelayConfig
from desk.sync.worker import SyncWorker

SECRET = "bench-app-secret"
PHONE_NUMBER_ID = "100200300"
DESK_TOKEN = "bench-desk-token"
POST_THREADS = 8
TEXT = "book me into reformer tomorrow at 18:00 please"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeGraph:
    """POST /{version}/{phone_number_id}/messages: accepts, and notes when each key arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.calls = 0
        self.lock = threading.Lock()
        api = FastAPI()

        @api.post("/{version}/{phone_number_id}/messages")
        async def messages(version: str, phone_number_id: str, request: Request) -> Any:
            body = await request.json()
            with self.lock:
                self.calls += 1
                self.arrived.setdefault(body["biz_opaque_callback_data"], time.perf_counter())
                number = self.calls
            return {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"].lstrip("+")}],
                "messages": [{"id": f"wamid.OUT{number}"}],
            }

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(api, host="127.0.0.1", port=self.port, log_config=None)
        config.access_log = False
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> FakeGraph:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Graph API did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


class RelayProcess:
    """`desk-relay serve` on loopback with a temporary database, sending to the fake Graph."""

    def __init__(self, workdir: Path, graph_url: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {
            "RELAY_DATABASE_URL": f"sqlite:///{workdir / 'relay.sqlite3'}",
            "RELAY_DESK_TOKEN": DESK_TOKEN,
            "WHATSAPP_APP_SECRET": SECRET,
            "WHATSAPP_VERIFY_TOKEN": "bench-verify",
            "WHATSAPP_ACCESS_TOKEN": "bench-access",
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE": graph_url,
            # Lift WhatsApp's own ceilings (80/s, 1 per 6 s per member): measure the desk.
            "RELAY_SEND_RATE_PER_SECOND": "5000",
            "RELAY_RECIPIENT_INTERVAL_SECONDS": "0",
        }
        self._log = open(workdir / "relay.log", "w")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-m", "relay.cli", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--log-level", "warning"], env=env, stdout=self._log, stderr=self._log
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("desk-relay exited during startup")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("desk-relay did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def _wa_id(i: int) -> str:
    return f"90532{i:07d}"


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
        timetable.add_class(
            s,
            service_id=reformer.id,
            trainer_id=trainer.id,
            room_id=room.id,
            starts_at=local_datetime(tomorrow, clock_time(18), tz),
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
                s, full_name=f"Bench Member {i:04d}", phone="+" + _wa_id(i), actor=desk
            )
            sales.sell(s, member_id=member.id, product_id=pack.id, actor=desk)
    return db


def _webhook(i: int, run: str) -> bytes:
    wa_id = _wa_id(i)
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": PHONE_NUMBER_ID},
                            "contacts": [{"profile": {"name": f"Member {i}"}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": f"wamid.{run}.{i}",
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": TEXT},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
    return text.encode("ascii")


def _post_burst(url: str, count: int, run: str) -> dict[int, float]:
    """Every member writes at once (a few client threads); returns when each was accepted."""
    posted: dict[int, float] = {}
    lock = threading.Lock()
    pending = iter(range(count))

    def poster() -> None:
        with requests.Session() as http:
            while True:
                with lock:
                    i = next(pending, None)
                if i is None:
                    return
                body = _webhook(i, run)
                sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                sent_at = time.perf_counter()
                response = http.post(
                    f"{url}/webhook",
                    data=body,
                    timeout=30,
                    headers={"X-Hub-Signature-256": sig, "Content-Type": "application/json"},
                )
                response.raise_for_status()
                with lock:
                    posted[i] = sent_at

    threads = [threading.Thread(target=poster) for _ in range(POST_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return posted


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
    graph: FakeGraph,
    count: int,
    run: str,
    handler: Callable[[Session, InboundPayload], None],
) -> dict[str, Any]:
    client = RelayClient(RelayConfig(relay.url, DESK_TOKEN))
    worker = SyncWorker(db, client, handler, long_poll_seconds=5.0, push_interval=0.05)
    with graph.lock:
        before = len(graph.arrived)
    inbound_before = db.query(_inbound_count)
    worker.start()
    try:
        started = time.perf_counter()
        posted = _post_burst(relay.url, count, run)
        ingest_done = time.perf_counter()
        deadline = time.monotonic() + 60 + count
        processed_at = None
        while True:
            with graph.lock:
                arrived = len(graph.arrived) - before
            if processed_at is None and db.query(_inbound_count) - inbound_before >= count:
                processed_at = time.perf_counter()
            if arrived >= count or time.monotonic() > deadline:
                break
            time.sleep(0.005)
        finished = time.perf_counter()
    finally:
        worker.stop()
        client.close()
    with graph.lock:
        times = sorted(graph.arrived.values())[before:]
    latencies = sorted(t - posted[0] for t in times)  # rough: from the first post
    per_message = [t - s for t, s in zip(sorted(times), sorted(posted.values()), strict=False)]
    elapsed = finished - started
    return {
        "messages": count,
        "replies": arrived,
        "seconds": round(elapsed, 2),
        "msgs_per_s": round(arrived / elapsed, 1),
        "webhooks_posted_per_s": round(count / (ingest_done - started), 1),
        "desk_processed_s": round((processed_at or finished) - started, 2),
        "reply_p50_ms": round(statistics.median(per_message) * 1000, 1) if per_message else None,
        "last_reply_s": round(latencies[-1], 2) if latencies else None,
    }


def _inbound_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(InboundEvent)) or 0)


def run(quick: bool) -> dict[str, Any]:
    count = 100 if quick else 400
    with tempfile.TemporaryDirectory(prefix="sync-burst-") as tmp:
        workdir = Path(tmp)
        db = build_studio(workdir / "studio.sqlite3", count)
        graph = FakeGraph().start()
        relay = RelayProcess(workdir, graph.url)
        try:
            relay.wait_ready()
            baseline = _burst(db, relay, graph, count, "echo", echo)
            assistant = _burst(db, relay, graph, count, "book", lambda s, p: handle_inbound(s, p))
            with db.read() as s:
                booked = s.scalar(
                    select(func.count())
                    .select_from(Booking)
                    .where(Booking.status == BookingStatus.BOOKED)
                )
        finally:
            relay.stop()
            graph.stop()
            db.dispose()
    return {
        "name": "sync_burst",
        "messages": count,
        "baseline_echo": baseline,
        "assistant_booking": assistant,
        "bookings": booked,
        "graph_calls": graph.calls,
        "ratio_assistant_vs_echo": round(
            assistant["msgs_per_s"] / max(baseline["msgs_per_s"], 1e-6), 2
        ),
    }


def _report(result: dict[str, Any]) -> str:
    base, real = result["baseline_echo"], result["assistant_booking"]
    return "\n".join(
        [
            f"sync burst: {result['messages']} booking requests at once, relay -> desk -> relay -> "
            "fake Graph API (relay send throttle lifted)",
            f"  assistant (understand + book a seat + reply): {real['msgs_per_s']:.1f} messages/s "
            f"end to end, all {real['replies']} replies in {real['seconds']} s, "
            f"p50 reply {real['reply_p50_ms']} ms",
            f"  baseline (store + fixed reply):              {base['msgs_per_s']:.1f} messages/s, "
            f"{base['replies']} replies in {base['seconds']} s",
            f"  ratio assistant/baseline x{result['ratio_assistant_vs_echo']}; "
            f"bookings made {result['bookings']}; Graph calls {result['graph_calls']} "
            f"(expected {2 * result['messages']})",
            "  WhatsApp's own ceiling is ~80 messages/s per number.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="100 messages instead of 400")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = run(args.quick)
    print(json.dumps(result, indent=2) if args.json else _report(result))
    complete = result["assistant_booking"]["replies"] == result["messages"]
    exact = result["graph_calls"] == 2 * result["messages"]
    return 0 if complete and exact and result["bookings"] == result["messages"] else 1


if __name__ == "__main__":
    sys.exit(main())
