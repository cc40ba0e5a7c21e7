"""A light, high-contrast theme for projectors and bright rooms (F10 switches to it and back)."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="ophamp-high-contrast",
    primary="#00306e",
    secondary="#4b1f73",
    accent="#7a2e00",
    foreground="#000000",
    background="#ffffff",
    surface="#ffffff",
    panel="#e6e6e6",
    boost="#f0f0f0",
    warning="#6b3f00",
    error="#a00000",
    success="#005000",
    dark=False,
    variables={
        "block-cursor-foreground": "#ffffff",
        "block-cursor-background": "#00306e",
        "input-selection-background": "#00306e 40%",
        "footer-key-foreground": "#00306e",
    },
)
DEFAULT = "textual-dark"
