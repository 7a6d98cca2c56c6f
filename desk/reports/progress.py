"""Progress and cancellation for long exports, shared by the CLI and the screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Called with (steps done, steps in all, what is being written).
ProgressCallback = Callable[[int, int, str], None]
#: Returns True once the user asked to stop.
CancelCheck = Callable[[], bool]


class ExportCancelled(Exception):
    """The user stopped the export; nothing half-written is left behind."""

    def __init__(self) -> None:
        super().__init__("Export cancelled; no file was written.")


@dataclass
class Progress:
    report: ProgressCallback | None = None
    cancelled: CancelCheck | None = None

    def step(self, done: int, total: int, label: str) -> None:
        """Tell the caller how far we are, and stop here if they cancelled."""
        if self.report is not None:
            self.report(done, total, label)
        if self.cancelled is not None and self.cancelled():
            raise ExportCancelled()
