"""Where the desk keeps its database by default: the OS user data directory."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "StudioDesk"


def default_database_path() -> Path:
    folder = user_data_path(APP_NAME, appauthor=False, ensure_exists=True)
    return folder / "studio.sqlite3"
