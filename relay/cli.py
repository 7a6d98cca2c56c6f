"""`desk-relay` command line: serve the relay, or check its configuration."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from relay import __version__
from relay.config import ConfigError, RelayConfig

PROG = "desk-relay"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The Studio Desk WhatsApp relay. Configuration comes from environment "
        "variables (see docs/relay.md).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind (default: %(default)s)")
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="(default: %(default)s)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="reverse proxies trusted for X-Forwarded-* headers (default: %(default)s)",
    )

    commands.add_parser("check", help="validate the configuration and the database, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = RelayConfig.from_env(os.environ)
    except ConfigError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check":
        return _check(config)
    return _serve(config, args)


def _check(config: RelayConfig) -> int:
    from relay.db import Database

    try:
        db = Database(config.database_url)
        db.create_schema()
        db.dispose()
    except Exception as exc:
        print(f"{PROG}: error: database unusable: {type(exc).__name__}", file=sys.stderr)
        return 1
    print(f"configuration ok for phone number id {config.phone_number_id}")
    return 0


def _serve(config: RelayConfig, args: argparse.Namespace) -> int:
    import uvicorn

    from relay.app import create_app

    if not 0 < args.port < 65536:
        print(f"{PROG}: error: invalid port {args.port}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    uvicorn.run(
        create_app(config),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        # Our own access log leaves out query strings (the verify token travels in one).
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        server_header=False,
        # One process: the long-poll wake-up and the sender live in this process.
        workers=None,
        timeout_graceful_shutdown=35,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
