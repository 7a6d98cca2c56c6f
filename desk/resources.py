"""One place that knows where bundled files live, in a source tree and in a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def base_dir() -> Path:
    """The folder holding `resources/` and `migrations/`.

    A frozen PyInstaller bundle unpacks them under `sys._MEIPASS`; from source they sit at the
    repository root, one level above the `desk` package.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    return base_dir().joinpath("resources", *parts)


def migrations_dir() -> Path:
    return base_dir() / "migrations"
