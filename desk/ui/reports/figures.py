"""The headline numbers over a report: a row of small cards ("Fill rate 74.5%")."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desk.reports.model import Figure
from desk.ui.style import current_theme
from desk.ui.widgets.common import Card, clear_layout, label

TONE_TOKENS = {"bad": "bad_text", "warn": "warn_text", "good": "good_text"}


class FigureCard(Card):
    def __init__(self, figure: Figure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.body.setContentsMargins(14, 10, 14, 10)
        self.body.setSpacing(2)
        self.caption = label(figure.label, role="muted")
        self.value = QLabel(figure.value)
        # The app stylesheet sets every font size, so the big number has to say so there too.
        token = TONE_TOKENS.get(figure.tone)
        colour = f" color: {current_theme().colours[token]};" if token else ""
        self.value.setStyleSheet(f"font-size: 17pt; font-weight: 600;{colour}")
        self.note = label(figure.note, role="muted")
        self.note.setToolTip(figure.note)
        for widget in (self.caption, self.value, self.note):
            self.body.addWidget(widget)


class FigureStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(10)
        self.cards: list[FigureCard] = []

    def show_figures(self, figures: tuple[Figure, ...]) -> None:
        clear_layout(self.row)
        self.cards = [FigureCard(f) for f in figures]
        for card in self.cards:
            self.row.addWidget(card, 1)

    def values(self) -> dict[str, str]:
        return {c.caption.text(): c.value.text() for c in self.cards}
