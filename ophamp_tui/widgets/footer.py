"""A footer that is rebuilt only when the keys it shows change.

Textual's Footer rebuilds all its key widgets whenever the focused widget changes (every Tab), which on
a form costs more than the rest of the move. The keys shown rarely change between fields, so this one
compares what it would show first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class QuietFooter(Footer):
    _shown: tuple | None = None

    def compose(self) -> ComposeResult:
        # A FooterKey starts compact and is then bound to the footer's style (not compact): each key
        # was styled again, twice, on every new screen. Give each bound key the footer's style from the
        # start (the command palette's key is not bound: it stays as it is).
        for widget in super().compose():
            if isinstance(widget, FooterKey) and "compact" in (getattr(widget, "_reactive_connect", None) or {}):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def _what_it_shows(self, screen: Screen) -> tuple:
        return tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.action == "command_palette"
        )

    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            self._bindings_ready = True
            return
        shown = self._what_it_shows(screen)
        if self._bindings_ready and shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)
