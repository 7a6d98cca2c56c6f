"""The look: one stylesheet (resources/style.qss) with a light and a dark set of colours.

The stylesheet names colours as `@tokens`; this module fills them for the system's colour scheme
(Qt 6.5+ `styleHints().colorScheme()`) and follows the system when it switches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from desk.resources import resource_path

LIGHT: dict[str, str] = {
    "bg": "#F4F5F7",
    "surface": "#FFFFFF",
    "input_bg": "#FFFFFF",
    "alt_row": "#FAFBFC",
    "text": "#1F2430",
    "muted": "#6B7280",
    "border": "#E4E7EC",
    "border_strong": "#CDD2DA",
    "hover": "#F0F2F5",
    "pressed": "#E6E9EE",
    "scroll": "#D5D9E0",
    "accent": "#2F6F6A",
    "accent_hover": "#285F5B",
    "accent_soft": "#DCEDEB",
    "accent_text": "#1F5753",
    "on_accent": "#FFFFFF",
    "nav_bg": "#1E2A32",
    "nav_text": "#C9D3DA",
    "nav_title": "#FFFFFF",
    "nav_hover": "#2A3943",
    "nav_disabled": "#5F6E78",
    "good": "#2E8B57",
    "good_soft": "#E3F4EA",
    "good_text": "#1E6B40",
    "good_border": "#B9E1C9",
    "warn": "#D08A1E",
    "warn_soft": "#FDF1DC",
    "warn_text": "#8A5A0B",
    "warn_border": "#F2D49C",
    "bad": "#C8443A",
    "bad_soft": "#FBE5E3",
    "bad_text": "#9B2C24",
    "bad_border": "#F0B9B3",
    "neutral_soft": "#ECEEF2",
    "now": "#D9473B",
    "grid_line": "#EBEDF0",
    "grid_hour": "#DDE1E6",
}

DARK: dict[str, str] = {
    **LIGHT,
    "bg": "#15191E",
    "surface": "#1E242B",
    "input_bg": "#171C22",
    "alt_row": "#212830",
    "text": "#E6E9ED",
    "muted": "#9AA4AF",
    "border": "#2C343D",
    "border_strong": "#3A444F",
    "hover": "#262E37",
    "pressed": "#2E3742",
    "scroll": "#3A444F",
    "accent": "#3E9A92",
    "accent_hover": "#47A89F",
    "accent_soft": "#1F3B3A",
    "accent_text": "#8FD3CB",
    "nav_bg": "#11161B",
    "nav_hover": "#1D252C",
    "good_soft": "#1C3326",
    "good_text": "#8BD3A6",
    "good_border": "#2D5A40",
    "warn_soft": "#3A2E17",
    "warn_text": "#F0C577",
    "warn_border": "#6B5320",
    "bad_soft": "#3B1F1D",
    "bad_text": "#F1A29A",
    "bad_border": "#6E302A",
    "neutral_soft": "#2A3139",
    "grid_line": "#232A32",
    "grid_hour": "#2E363F",
}

_TOKEN = re.compile(r"@([a-z_]+)")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class Theme:
    dark: bool
    colours: dict[str, str]

    def colour(self, name: str) -> QColor:
        return QColor(self.colours[name])


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def stylesheet(colours: dict[str, str]) -> str:
    raw = _COMMENT.sub("", resource_path("style.qss").read_text(encoding="utf-8"))
    values = {**colours, "icons": resource_path("ui-icons").as_posix()}
    return _TOKEN.sub(lambda m: values[m.group(1)], raw)


def _palette(colours: dict[str, str]) -> QPalette:
    """The palette matters for what QSS does not reach: painted widgets, the grid, popups."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "bg",
        QPalette.ColorRole.Base: "surface",
        QPalette.ColorRole.AlternateBase: "alt_row",
        QPalette.ColorRole.Text: "text",
        QPalette.ColorRole.WindowText: "text",
        QPalette.ColorRole.ButtonText: "text",
        QPalette.ColorRole.Button: "surface",
        QPalette.ColorRole.Highlight: "accent",
        QPalette.ColorRole.HighlightedText: "on_accent",
        QPalette.ColorRole.PlaceholderText: "muted",
        QPalette.ColorRole.ToolTipBase: "surface",
        QPalette.ColorRole.ToolTipText: "text",
        QPalette.ColorRole.Mid: "border",
        QPalette.ColorRole.Dark: "border_strong",
    }
    for role, token in roles.items():
        palette.setColor(role, QColor(colours[token]))
    return palette


def theme_for(dark: bool) -> Theme:
    return Theme(dark=dark, colours=DARK if dark else LIGHT)


def apply(app: QApplication, *, dark: bool | None = None) -> Theme:
    """Style the whole application; with `dark=None` follow the system (and its changes)."""
    follow = dark is None
    theme = theme_for(system_prefers_dark() if follow else bool(dark))
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(_palette(theme.colours))
    app.setStyleSheet(stylesheet(theme.colours))
    # Kept as Python attributes: plain to read, and unset means the default (light) theme.
    app.desk_theme = theme  # type: ignore[attr-defined]
    if follow and not getattr(app, "desk_follows_scheme", False):
        app.desk_follows_scheme = True  # type: ignore[attr-defined]
        QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply(app))
    return theme


def current_theme() -> Theme:
    """The theme painted widgets should use (the one `apply` chose)."""
    theme = getattr(QApplication.instance(), "desk_theme", None)
    return theme if isinstance(theme, Theme) else theme_for(False)


def polish(widget: QWidget, **properties: object) -> None:
    """Set dynamic style properties (role, kind, tone...) and make the stylesheet see them."""
    for name, value in properties.items():
        widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def fill_tone(booked: int, capacity: int) -> str:
    """Occupancy colour: room to spare, filling up, full."""
    if capacity <= 0 or booked >= capacity:
        return "bad"
    if booked / capacity >= 0.75:
        return "warn"
    return "good"
