"""Configuration from the environment and the `desk-relay` command line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from relay_harness import wait_until

from relay.cli import main
from relay.config import REQUIRED_VARS, ConfigError, RelayConfig

FULL_ENV = {
    "RELAY_DESK_TOKEN": "desk-secret",
    "WHATSAPP_APP_SECRET": "app-secret",
    "WHATSAPP_VERIFY_TOKEN": "verify",
    "WHATSAPP_ACCESS_TOKEN": "EAAG-access",
    "WHATSAPP_PHONE_NUMBER_ID": "1065",
}
RELAY_BIN = Path(sys.executable).parent / "desk-relay"


def test_missing_settings_are_all_named() -> None:
    env = {"WHATSAPP_APP_SECRET": "x", "WHATSAPP_VERIFY_TOKEN": "  "}
    with pytest.raises(ConfigError) as excinfo:
        RelayConfig.from_env(env)
    message = str(excinfo.value)
    for name in ("RELAY_DESK_TOKEN", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_ACCESS_TOKEN"):
        assert name in message
    assert "WHATSAPP_APP_SECRET" not in message


def test_defaults_and_overrides() -> None:
    config = RelayConfig.from_env(FULL_ENV)
    assert config.database_url == "sqlite:///relay.sqlite3"
    assert config.messages_url == "https://graph.facebook.com/v21.0/1065/messages"
    assert config.retention_days == 7

    custom = RelayConfig.from_env(
        FULL_ENV
        | {
            "WHATSAPP_API_BASE": "http://127.0.0.1:9/",
            "WHATSAPP_API_VERSION": "22.0",
            "RELAY_RETENTION_DAYS": "3",
            "RELAY_DATABASE_URL": "postgresql://relay:pw@db/relay",
        }
    )
    assert custom.messages_url == "http://127.0.0.1:9/v22.0/1065/messages"
    assert custom.retention_days == 3
    assert custom.database_url == "postgresql://relay:pw@db/relay"


def test_bad_numbers_are_refused_with_the_variable_name() -> None:
    with pytest.raises(ConfigError, match="RELAY_RETENTION_DAYS"):
        RelayConfig.from_env(FULL_ENV | {"RELAY_RETENTION_DAYS": "a week"})
    with pytest.raises(ConfigError, match="RELAY_RETENTION_DAYS"):
        RelayConfig.from_env(FULL_ENV | {"RELAY_RETENTION_DAYS": "-1"})


def test_repr_never_shows_secrets() -> None:
    config = RelayConfig.from_env(FULL_ENV | {"RELAY_DATABASE_URL": "postgresql://u:pw@h/db"})
    text = repr(config)
    for secret in ("desk-secret", "app-secret", "EAAG-access", "pw@"):
        assert secret not in text


def test_config_is_frozen() -> None:
    config = RelayConfig.from_env(FULL_ENV)
    with pytest.raises(AttributeError):
        config.desk_token = "other"  # type: ignore[misc]


def test_cli_refuses_to_start_naming_missing_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in REQUIRED_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RELAY_DESK_TOKEN", "set")

    assert main(["serve", "--port", "0"]) == 2

    err = capsys.readouterr().err
    assert err.startswith("desk-relay: error: missing required settings")
    assert "WHATSAPP_APP_SECRET" in err and "RELAY_DESK_TOKEN" not in err


def test_console_script_help_and_usage_errors() -> None:
    help_run = subprocess.run([RELAY_BIN, "serve", "--help"], capture_output=True, text=True)
    assert help_run.returncode == 0
    assert "--host" in help_run.stdout and "--port" in help_run.stdout

    no_command = subprocess.run([RELAY_BIN], capture_output=True, text=True)
    assert no_command.returncode != 0
    assert "usage:" in no_command.stderr

    bad_port = subprocess.run(
        [RELAY_BIN, "serve", "--port", "eighty"], capture_output=True, text=True
    )
    assert bad_port.returncode != 0 and "invalid int value" in bad_port.stderr


def test_console_script_with_missing_env_exits_nonzero(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED_VARS}
    run = subprocess.run([RELAY_BIN, "serve"], capture_output=True, text=True, env=env)
    assert run.returncode == 2
    assert all(name in run.stderr for name in REQUIRED_VARS)


def test_check_command_creates_the_database(tmp_path: Path) -> None:
    env = os.environ | FULL_ENV | {"RELAY_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    run = subprocess.run([RELAY_BIN, "check"], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "r.db").exists()


@pytest.mark.e2e
def test_serve_runs_until_terminated(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | FULL_ENV | {"RELAY_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    process = subprocess.Popen(
        [RELAY_BIN, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def healthy() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
            except requests.ConnectionError:
                return process.poll() is not None  # stop waiting if it died

        wait_until(healthy, timeout=20, what="desk-relay serve")
        assert process.poll() is None
        params = {"hub.mode": "subscribe", "hub.verify_token": "verify", "hub.challenge": "42"}
        assert (
            requests.get(f"http://127.0.0.1:{port}/webhook", params=params, timeout=5).text == "42"
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises SIGTERM (systemd counts that as clean).
    assert process.returncode in (0, -signal.SIGTERM)
    assert "relay stopped" in stderr
    # Neither the verify token (a query parameter) nor other secrets reach the log.
    assert "verify_token" not in stderr and "EAAG-access" not in stderr
    assert "GET /webhook 200" in stderr
