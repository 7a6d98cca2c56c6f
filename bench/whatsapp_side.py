"""Everything outside the desk for the relay and sync benchmarks: the relay in its own process,
and a fake WhatsApp (members posting signed webhooks + the Graph API receiving replies) in
another, so the desk process being measured runs nothing but the desk.

The fake WhatsApp process is `python -m bench.whatsapp_side --port P --relay URL`:

- `POST /{version}/{phone_number_id}/messages` — the Graph API: accepts a reply and notes when
  it reached WhatsApp, by recipient;
- `POST /burst` `{"count", "run", "text", "rate"}` — members 0..count-1 each send one message
  (all at once, or paced at `rate` per second), from a few client threads;
- `GET /stats` — what was posted and what arrived, with times on the machine's monotonic clock
  (shared by every process on Linux, so the desk process can read them against its own).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests
from fastapi import FastAPI, Request

SECRET = "bench-app-secret"
PHONE_NUMBER_ID = "100200300"
DESK_TOKEN = "bench-desk-token"
POST_THREADS = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_body(*, wa_id: str, wamid: str, text: str, name: str) -> bytes:
    """One inbound text message the way Meta serializes it: compact, ASCII- and '/'-escaped."""
    message = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }
    serialized = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return serialized.replace("/", "\\/").encode("ascii")


def post_webhook(http: requests.Session, relay_url: str, body: bytes) -> requests.Response:
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return http.post(
        f"{relay_url}/webhook",
        data=body,
        timeout=30,
        headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"},
    )


def wait_healthy(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited during startup")
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not become healthy")


class _Child:
    """A server in a subprocess with its log in the work folder."""

    def __init__(self, workdir: Path, name: str, command: list[str], env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._name = name
        self._log = open(workdir / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", *command, "--port", str(self.port)],
            env=os.environ | env,
            stdout=self._log,
            stderr=self._log,
        )

    def wait_ready(self) -> None:
        wait_healthy(self.url, self.process, self._name)

    def cpu_seconds(self) -> float | None:
        """User + system CPU the server has used so far (Linux /proc; None elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # utime and stime are fields 14 and 15 of stat(5); after the ")" they are 12th and 13th.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


class RelayProcess(_Child):
    """`desk-relay serve` on loopback with a temporary database, sending to `graph_url`."""

    def __init__(self, workdir: Path, graph_url: str = "http://127.0.0.1:9") -> None:
        env = {
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
        super().__init__(workdir, "relay", ["relay.cli", "serve", "--log-level", "warning"], env)


class FakeWhatsApp(_Child):
    """This module as a server process: members on one side, the Graph API on the other."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir, "whatsapp", ["bench.whatsapp_side"], {})

    def point_at(self, relay_url: str) -> None:
        requests.post(f"{self.url}/relay", json={"url": relay_url}, timeout=10).raise_for_status()

    def burst(self, *, count: int, run: str, text: str, rate: float = 0.0) -> None:
        body = {"count": count, "run": run, "text": text, "rate": rate}
        requests.post(f"{self.url}/burst", json=body, timeout=10).raise_for_status()

    def stats(self, *, full: bool = False) -> dict[str, Any]:
        params = {"full": "1"} if full else {}
        response = requests.get(f"{self.url}/stats", params=params, timeout=10)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def member_wa_id(i: int) -> str:
    return f"90532{i:07d}"


# --- the fake WhatsApp server (runs in its own process) ----------------------------------------


class _World:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.relay_url = ""
        self.posted: dict[str, float] = {}  # wa_id -> when its message was accepted
        self.arrived: dict[str, float] = {}  # wa_id -> when its first reply reached WhatsApp
        self.calls = 0
        self.failures = 0
        self.sent_ids = 0  # never reset: Graph message ids are unique for ever

    def send_burst(self, count: int, run: str, text: str, rate: float) -> None:
        pending = iter(range(count))
        started = time.monotonic()

        def poster() -> None:
            with requests.Session() as http:
                while True:
                    with self.lock:
                        i = next(pending, None)
                    if i is None:
                        return
                    if rate > 0:
                        time.sleep(max(0.0, started + i / rate - time.monotonic()))
                    self._post_one(http, i, run, text)

        for _ in range(POST_THREADS):
            threading.Thread(target=poster, daemon=True).start()

    def _post_one(self, http: requests.Session, i: int, run: str, text: str) -> None:
        wa_id = member_wa_id(i)
        body = webhook_body(wa_id=wa_id, wamid=f"wamid.{run}.{i}", text=text, name=f"Member {i}")
        sent_at = time.monotonic()
        try:
            ok = post_webhook(http, self.relay_url, body).status_code == 200
        except requests.RequestException:
            ok = False
        with self.lock:
            if ok:
                self.posted[wa_id] = sent_at
            else:
                self.failures += 1


def _app(world: _World) -> FastAPI:
    api = FastAPI()

    @api.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.post("/relay")
    async def relay(request: Request) -> dict[str, str]:
        world.relay_url = str((await request.json())["url"])
        return {"status": "ok"}

    @api.post("/burst")
    async def burst(request: Request) -> dict[str, str]:
        spec = await request.json()
        with world.lock:
            world.posted.clear()
            world.arrived.clear()
            world.calls = world.failures = 0
        world.send_burst(int(spec["count"]), str(spec["run"]), str(spec["text"]), spec["rate"])
        return {"status": "started"}

    @api.get("/stats")
    def stats(full: str = "") -> dict[str, Any]:
        with world.lock:
            result: dict[str, Any] = {
                "posted": len(world.posted),
                "arrived": len(world.arrived),
                "calls": world.calls,
                "failures": world.failures,
            }
            if full:
                result["posted_at"] = dict(world.posted)
                result["arrived_at"] = dict(world.arrived)
        return result

    @api.post("/{version}/{phone_number_id}/messages")
    async def messages(version: str, phone_number_id: str, request: Request) -> Any:
        body = await request.json()
        to = str(body["to"]).lstrip("+")
        with world.lock:
            world.calls += 1
            world.sent_ids += 1
            world.arrived.setdefault(to, time.monotonic())
            number = world.sent_ids
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": to}],
            "messages": [{"id": f"wamid.OUT{number}"}],
        }

    return api


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description="fake WhatsApp for the sync benchmark")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    uvicorn.run(_app(_World()), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
