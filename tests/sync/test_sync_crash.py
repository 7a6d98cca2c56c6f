"""Crash safety: the sync process SIGKILLed at random points, round after round, with several
messages in flight each time. Afterwards every message was processed exactly once (one inbound
row and one effect per wamid) and every reply reached the Graph API exactly once."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time

import pytest
from sqlalchemy import func, select

from desk.domain.enums import OutboxStatus
from desk.services import members, messaging
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import InboundEvent, OutboxMessage
from desk.sync.relay_client import RelayClient, RelayConfig
from desk.sync.worker import SyncWorker

from . import crash_worker
from .conftest import AYSE_WA, BORA_WA
from .support import DESK_TOKEN, RelayStack, calls_by_key, wait_for
from .sync_handlers import echo_handler, effects_by_wamid, reply_key

pytestmark = [pytest.mark.e2e, pytest.mark.concurrency]

ROUNDS = 32
CEM_WA = "905327778899"
MEMBERS = (AYSE_WA, BORA_WA, CEM_WA)
PRELOAD = ["desk.sync.worker", "desk.services.members", "sync.crash_worker"]


def _forkserver() -> multiprocessing.context.BaseContext:
    """Children forked from a process that has the desk imported: a kill round costs ~0.1 s."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _progress(db: Database) -> tuple[int, int]:
    def read(s):
        done = s.scalar(select(func.count()).select_from(InboundEvent)) or 0
        return done, messaging.waiting_count(s)

    return db.query(read)


def _kill_round(ctx, db, db_path, relay: RelayStack, mode: str, moment) -> None:
    """Start a sync process and SIGKILL it when `moment(done_so_far)` says so."""
    ready = ctx.Event()
    process = ctx.Process(
        target=crash_worker.run_worker,
        args=(str(db_path), relay.url, DESK_TOKEN, mode, 0.005, ready),
        daemon=True,
    )
    process.start()
    assert ready.wait(30), "the sync process did not start"
    started, deadline = _progress(db)[0], time.monotonic() + 20
    while not moment(_progress(db)[0] - started) and time.monotonic() < deadline:
        time.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    assert process.exitcode == -signal.SIGKILL


def _kill_moment(rng: random.Random, backlog: int):
    """When to kill, whatever the machine's speed: after a random number of the waiting
    messages were processed (mid-batch, mid-push), or at a random time once idle."""
    target = rng.randint(0, backlog)
    jitter = rng.uniform(0.0, 0.03)
    idle = rng.uniform(0.05, 0.6) if target == backlog and rng.random() < 0.4 else 0.0
    reached: list[float] = []

    def moment(done: int) -> bool:
        if done < target:
            return False
        reached.append(reached[0] if reached else time.monotonic())
        return time.monotonic() - reached[0] >= jitter + idle

    return moment


def _settle(db: Database, relay: RelayStack, expected: int) -> None:
    """A clean worker finishes what the killed ones left: everything processed, nothing waiting."""
    client = RelayClient(RelayConfig(relay.url, DESK_TOKEN))
    worker = SyncWorker(db, client, echo_handler)
    try:
        for _ in range(50):
            worker.run_once()
            if _progress(db) == (expected, 0):
                return
        raise AssertionError(f"not settled: {_progress(db)} of {expected}")
    finally:
        client.close()


def test_sigkill_at_random_points_loses_nothing_and_sends_nothing_twice(
    db, db_path, relay, graph, ayse, capsys
):
    with db.write() as s:
        for name, wa_id in (("Bora Demir", BORA_WA), ("Cem Kaya", CEM_WA)):
            members.add_member(s, full_name=name, phone="+" + wa_id, actor=Actor.system())
    rng = random.Random(20261127)
    ctx = _forkserver()
    posted: list[tuple[str, str, str]] = []
    in_flight_kills = progressed = 0
    for round_no in range(ROUNDS):
        batch = [
            (rng.choice(MEMBERS), f"wamid.C{round_no}.{n}", f"round {round_no} message {n}")
            for n in range(rng.randint(3, 6))
        ]
        relay.member_writes_many(batch)
        posted += batch
        if rng.random() < 0.3:  # Meta delivers an old message again
            relay.member_writes(*rng.choice(posted))
        mode = "threads" if round_no % 2 == 0 else "rounds"
        before = _progress(db)[0]
        moment = _kill_moment(rng, backlog=len(posted) - before)
        _kill_round(ctx, db, db_path, relay, mode, moment)
        done, waiting = _progress(db)
        progressed += done > before
        if (done, waiting) != (len(posted), 0):
            in_flight_kills += 1

    _settle(db, relay, len(posted))
    expected_keys = {reply_key(wamid) for _, wamid, _ in posted}
    wait_for(lambda: set(calls_by_key(graph)) >= expected_keys, timeout=30, what="every reply")
    time.sleep(0.5)  # anything sent twice would show up by now

    sent = calls_by_key(graph)
    with db.read() as s:
        events = s.scalars(select(InboundEvent.wamid)).all()
        effects = effects_by_wamid(s)
        replies = dict(s.execute(select(OutboxMessage.key, OutboxMessage.status)).all())
    wamids = {wamid for _, wamid, _ in posted}
    assert sorted(events) == sorted(wamids)  # one row per message, none missing
    assert effects == dict.fromkeys(wamids, 1)
    assert set(replies) == expected_keys
    assert set(sent) == expected_keys and set(sent.values()) == {1}
    assert all(status is not OutboxStatus.PENDING for status in replies.values())
    with capsys.disabled():
        print(
            f"\ncrash test: {ROUNDS} SIGKILL rounds ({in_flight_kills} killed with work in flight, "
            f"{progressed} after processing some), "
            f"{len(posted)} messages -> {len(events)} processed once, "
            f"{sum(sent.values())} replies sent once each"
        )
    # The kills really did land mid-work, and the killed processes really did work.
    assert in_flight_kills >= ROUNDS // 4 and progressed >= ROUNDS // 4
