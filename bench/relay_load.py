"""Load the relay's webhook endpoint the way Meta does and report acknowledgement latency.

Starts `desk-relay serve` in a subprocess on loopback with its own temporary SQLite database,
then sends signed webhooks at a steady (open-loop) rate from a few client threads. The
baseline, measured in the same run at the same rate, is GET /healthz (the same HTTP stack and
database round trip, no write), so the ratio shows what persisting a delivery costs.

    python -m bench.relay_load --quick
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from bench.whatsapp_side import DESK_TOKEN, RelayProcess, post_webhook, webhook_body

CLIENT_THREADS = 8
DUPLICATE_EVERY = 10  # every 10th delivery is a redelivery of the previous one, as Meta does


def _webhook_body(i: int) -> bytes:
    return webhook_body(
        wa_id=f"3460{i % 500:07d}",
        wamid=f"wamid.BENCH{i}",
        text=f"¿Hay sitio mañana 9:00/10:00? #{i}",
        name="Zoë",
    )


def _open_loop(
    count: int, rate: float, send: Callable[[requests.Session, int], bool]
) -> dict[str, Any]:
    """Send `count` requests scheduled at a fixed rate; latency is measured per request."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    next_index = iter(range(count))
    started = time.perf_counter()

    def worker() -> None:
        nonlocal errors
        with requests.Session() as session:
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)  # the schedule, not a poll
                t0 = time.perf_counter()
                ok = send(session, i)
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    errors += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": count,
        "errors": errors,
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "throughput_rps": round(count / duration, 1),
    }


def _post_webhook(url: str) -> Callable[[requests.Session, int], bool]:
    def send(session: requests.Session, i: int) -> bool:
        body = _webhook_body(i - 1 if i % DUPLICATE_EVERY == 0 and i else i)
        return post_webhook(session, url, body).status_code == 200

    return send


def _get_health(url: str) -> Callable[[requests.Session, int], bool]:
    def send(session: requests.Session, _i: int) -> bool:
        return session.get(f"{url}/healthz", timeout=30).ok

    return send


def _stored_events(url: str) -> int:
    total, cursor = 0, 0
    headers = {"Authorization": f"Bearer {DESK_TOKEN}"}
    while True:
        page = requests.get(
            f"{url}/v1/inbox", params={"after": cursor, "limit": 500}, headers=headers, timeout=30
        ).json()
        if not page["events"]:
            return total
        total += len(page["events"])
        cursor = page["cursor"]


def run(quick: bool) -> dict[str, Any]:
    count, rate = (600, 100.0) if quick else (4000, 200.0)
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as tmp:
        relay = RelayProcess(Path(tmp))
        try:
            relay.wait_ready()
            baseline = _open_loop(count // 2, rate, _get_health(relay.url))
            webhooks = _open_loop(count, rate, _post_webhook(relay.url))
            stored = _stored_events(relay.url)
        finally:
            relay.stop()
    unique = count - len(range(DUPLICATE_EVERY, count, DUPLICATE_EVERY))
    return {
        "name": "relay_load",
        "target_rps": rate,
        "baseline_healthz": baseline,
        "webhook": webhooks,
        "p50_ratio_vs_healthz": round(webhooks["p50_ms"] / max(baseline["p50_ms"], 1e-6), 2),
        "p99_ratio_vs_healthz": round(webhooks["p99_ms"] / max(baseline["p99_ms"], 1e-6), 2),
        "stored_events": stored,
        "expected_events": unique,
    }


def _report(result: dict[str, Any]) -> str:
    web, base = result["webhook"], result["baseline_healthz"]
    return "\n".join(
        [
            f"relay webhook load: {web['requests']} signed deliveries at "
            f"{result['target_rps']:.0f}/s ({CLIENT_THREADS} client threads, 1 in "
            f"{DUPLICATE_EVERY} a redelivery)",
            f"  webhook ack   p50 {web['p50_ms']:.1f} ms  p99 {web['p99_ms']:.1f} ms  "
            f"max {web['max_ms']:.1f} ms  throughput {web['throughput_rps']:.0f}/s  "
            f"errors {web['errors']}",
            f"  healthz base  p50 {base['p50_ms']:.1f} ms  p99 {base['p99_ms']:.1f} ms  "
            f"max {base['max_ms']:.1f} ms",
            f"  ratio webhook/healthz  p50 x{result['p50_ratio_vs_healthz']}  "
            f"p99 x{result['p99_ratio_vs_healthz']}",
            f"  stored events {result['stored_events']} (expected {result['expected_events']})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (a few seconds)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = run(args.quick)
    print(json.dumps(result, indent=2) if args.json else _report(result))
    ok = result["webhook"]["errors"] == 0 and result["stored_events"] == result["expected_events"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
