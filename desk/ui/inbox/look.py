"""Colours for the Inbox's own widgets (bubbles, list rows), from the current theme's tokens,
so light and dark both work without touching the shared stylesheet."""

from __future__ import annotations

from desk.ui.style import current_theme


def bubble_style(*, from_member: bool, flagged: bool, failed: bool) -> str:
    c = current_theme().colours
    if from_member:
        background, border = c["surface"], c["warn"] if flagged else c["border"]
    else:
        background, border = c["accent_soft"], c["bad"] if failed else c["accent_soft"]
    width = "2px" if flagged or failed else "1px"
    return (
        f"QFrame#Bubble {{ background: {background}; border: {width} solid {border};"
        f" border-radius: 10px; }}"
        f" QFrame#Bubble QLabel {{ background: transparent; border: none; }}"
    )


def row_style(*, selected: bool) -> str:
    c = current_theme().colours
    background = c["accent_soft"] if selected else "transparent"
    return (
        f"QFrame#ConversationRow {{ background: {background}; border: none;"
        f" border-bottom: 1px solid {c['border']}; }}"
    )


def unread_style() -> str:
    c = current_theme().colours
    return (
        f"QLabel {{ background: {c['accent']}; color: {c['on_accent']}; border-radius: 9px;"
        " padding: 1px 7px; font-size: 9pt; font-weight: 600; }"
    )
