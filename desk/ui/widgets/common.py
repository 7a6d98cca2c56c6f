"""Building blocks every screen uses, so errors, badges and empty states look the same."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desk.ui.style import polish
from desk.ui.worker import message_of


def label(text: str = "", *, role: str | None = None, wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    return widget


def button(
    text: str, *, kind: str | None = None, on_click: Callable[[], object] | None = None
) -> QPushButton:
    widget = QPushButton(text)
    if kind:
        widget.setProperty("kind", kind)
    if on_click is not None:
        widget.clicked.connect(lambda _checked=False: on_click())
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    # Only the button a dialog names as its default answers Enter, never whichever has focus.
    widget.setAutoDefault(False)
    return widget


class Badge(QLabel):
    """A small pill: "3 left" (good), "expires in 2 days" (warn), "no package" (bad)."""

    def __init__(self, text: str = "", tone: str = "neutral", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setProperty("role", "badge")
        self.tone = tone
        self.set(text, tone)

    def set(self, text: str, tone: str = "neutral") -> None:
        self.setText(text)
        self.setVisible(bool(text))
        self.tone = tone
        polish(self, tone=tone)


class InlineMessage(QLabel):
    """A message shown right where the action happened; hidden until there is something to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = ""
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_error(self, error: BaseException | str) -> None:
        text = error if isinstance(error, str) else message_of(error)
        self._show(text, "error")

    def show_notice(self, text: str) -> None:
        self._show(text, "notice")

    def show_ok(self, text: str) -> None:
        self._show(text, "ok")

    def _show(self, text: str, role: str) -> None:
        self.role = role
        polish(self, role=role)
        # Re-polishing recolours the label, but a QFrame only re-reads the stylesheet's padding
        # and border on a StyleChange: without it the message keeps the box of the role it was
        # first polished with (none: the label starts hidden), 16 px tall and unpadded.
        QApplication.sendEvent(self, QEvent(QEvent.Type.StyleChange))
        self.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.setText("")
        self.role = ""
        self.hide()


class Card(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 14, 16, 14)
        self.body.setSpacing(8)


class EmptyState(QFrame):
    """Says what is missing and what to do about it, with an optional button to do it."""

    def __init__(
        self,
        title: str,
        hint: str = "",
        *,
        action: str | None = None,
        on_action: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EmptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 28, 24, 28)
        layout.setSpacing(6)
        layout.addStretch(1)
        self.title = label(title, role="h2")
        self.hint = label(hint, role="muted", wrap=True)
        for widget in (self.title, self.hint):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(widget)
        self.action: QPushButton | None = None
        if action:
            row = QHBoxLayout()
            row.addStretch(1)
            self.action = button(action, kind="primary", on_click=on_action)
            row.addWidget(self.action)
            row.addStretch(1)
            layout.addSpacing(6)
            layout.addLayout(row)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_text(self, title: str, hint: str = "") -> None:
        self.title.setText(title)
        self.hint.setText(hint)


def confirm(parent: QWidget, title: str, text: str, *, action: str, danger: bool = False) -> bool:
    """Ask before doing something that cannot be taken back silently."""
    box = QMessageBox(parent)
    box.setObjectName("Confirm")
    box.setIcon(QMessageBox.Icon.Warning if danger else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
    if danger:
        yes.setProperty("kind", "danger")
    box.setDefaultButton(yes)
    box.exec()
    return box.clickedButton() is yes


def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        inner = item.layout()
        if widget is not None:
            widget.deleteLater()
        elif inner is not None:
            clear_layout(inner)
