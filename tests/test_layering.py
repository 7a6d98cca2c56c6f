"""Qt only in desk/ui: the layers below it load without PySide6.

Each package is imported with every one of its modules in a fresh interpreter, so whatever an
import drags in shows up in sys.modules. `desk report` reaches the Qt PDF writer in desk/ui only
when a PDF is asked for, so the report CLI module belongs to the Qt-free side too.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

QT_FREE = (
    "desk.domain",
    "desk.store",
    "desk.services",
    "desk.assistant",
    "desk.sync",
    "desk.reports",
)

PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps({"modules": names, "qt": qt}))
"""


def _imported(package: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, package], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("package", QT_FREE)
def test_package_imports_without_qt(package: str) -> None:
    found = _imported(package)
    assert found["modules"], f"{package} has no modules to import"
    assert found["qt"] == [], f"importing {package} loads Qt"


def test_the_probe_sees_qt_when_it_is_imported() -> None:
    found = _imported("desk.ui.reports")
    assert "desk.ui.reports.pdf_export" in found["modules"]
    assert "PySide6.QtCharts" in found["qt"]
