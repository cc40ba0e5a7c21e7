"""Restyle only what a focus change can restyle, on screens full of fields.

On every focus change Textual 8 restyles every widget on the screen (it walks from the app down to
the first ancestor with focus within, which is the app itself), so on a form of ~300 widgets each Tab
cost more than the rest of the move. ophamp's styles depend on focus only through the focused widget,
its descendants (``Select:focus > SelectCurrent``) and its ancestors (``:focus-within``), so those are
restyled, for the widget focused and the one left.
"""

from __future__ import annotations

from textual.app import active_app
from textual.dom import DOMNode
from textual.widget import Widget


class LocalFocusStyles:
    """A mixin for a Screen; Textual 8.2's ``Screen._update_focus_styles``, narrowed."""

    def _update_focus_styles(self, focused: Widget | None = None, blurred: Widget | None = None) -> None:
        widgets: set[DOMNode] = set()
        for widget in (focused, blurred):
            if widget is not None:
                widgets.update(widget.walk_children(with_self=True))
                widgets.update(widget.ancestors)
        if widgets:
            active_app.get().stylesheet.update_nodes(widgets, animate=True)
