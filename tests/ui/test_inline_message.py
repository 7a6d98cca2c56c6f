"""Inline messages get their padded box the first time they speak, whatever the kind."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desk.ui.widgets.common import InlineMessage, label

pytestmark = pytest.mark.ui

SHOW = {
    "ok": InlineMessage.show_ok,
    "notice": InlineMessage.show_notice,
    "error": InlineMessage.show_error,
}


def panel(qtbot) -> tuple[QWidget, InlineMessage]:
    """A shown panel with a hidden message in it, as every screen builds one."""
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    message = InlineMessage()
    layout.addWidget(message)
    layout.addStretch(1)
    host.resize(420, 240)
    host.show()
    qtbot.waitExposed(host)
    return host, message


def styled_from_the_start(text: str, role: str) -> QLabel:
    """A label whose role was set before it was first polished: the height it should have."""
    reference = label(text, role=role, wrap=True)
    reference.ensurePolished()
    return reference


@pytest.mark.parametrize("role", sorted(SHOW))
def test_the_first_message_of_a_kind_is_padded(qtbot, role):
    _host, message = panel(qtbot)
    text = "Offer sent to Ayşe"

    SHOW[role](message, text)

    expected = styled_from_the_start(text, role).sizeHint().height()
    plain = QLabel(text).sizeHint().height()
    assert expected > plain  # the stylesheet's padding and border are what is being checked
    assert message.role == role
    assert message.sizeHint().height() == expected
    qtbot.waitUntil(lambda: message.height() == expected)
    margins = message.contentsMargins()
    assert (margins.left(), margins.top()) == (9, 7)  # 6px 8px padding + 1px border


def test_a_message_after_a_clear_and_of_another_kind_keeps_its_box(qtbot):
    _host, message = panel(qtbot)
    message.show_ok("No-show undone")
    message.clear_message()
    assert message.isHidden()

    message.show_error("That seat is taken")

    assert message.role == "error"
    expected = styled_from_the_start("That seat is taken", "error").sizeHint().height()
    assert message.sizeHint().height() == expected
