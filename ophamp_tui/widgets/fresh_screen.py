"""A new screen styled and laid out once as it opens, not three times.

Textual 8.2 does, for every screen pushed: style each widget as it is mounted; restyle the whole screen
as it comes into view (``ScreenResume``, to catch what changed while it was hidden); lay it out; then,
on the Resize its own first layout sends it, set its width classes (``HORIZONTAL_BREAKPOINTS``,
restyling the whole screen again if they change) and lay it out again at the same size. On a form of
60-70 widgets that doubled the cost of opening it.

Here the width classes are set as the screen is made (so its widgets are styled with them), the first
``ScreenResume`` does not restyle what was styled a moment before, and the first Resize is skipped when
it only repeats the layout just done. Later resumes and real resizes are Textual's, unchanged.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import active_app
from textual.geometry import Size


class FreshScreen:
    """A mixin for a Screen (before Screen in the bases)."""

    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None
    VERTICAL_BREAKPOINTS: list[tuple[int, str]] | None
    _resumed_before = False
    _resized_before = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            size = active_app.get().size
        except LookupError:
            return
        for name, on in self._breakpoint_classes(size).items():
            self.set_class(on, name, update=False)  # type: ignore[attr-defined]

    def _breakpoint_classes(self, size: Size) -> dict[str, bool]:
        """The width and height classes for ``size``, as Screen._on_resize sets them."""
        app = active_app.get()
        horizontal = (
            app.HORIZONTAL_BREAKPOINTS if self.HORIZONTAL_BREAKPOINTS is None else self.HORIZONTAL_BREAKPOINTS
        ) or []
        vertical = (app.VERTICAL_BREAKPOINTS if self.VERTICAL_BREAKPOINTS is None else self.VERTICAL_BREAKPOINTS) or []
        classes = {name: False for _, name in horizontal + vertical}
        for dimension, breakpoints in ((size.width, horizontal), (size.height, vertical)):
            for name in self._get_breakpoint_classes(dimension, breakpoints):  # type: ignore[attr-defined]
                classes[name] = True
        return classes

    # Textual calls each class's handler, subclass first; prevent_default() stops it calling Screen's.

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False  # styled as it was mounted, a moment ago

    async def _on_resize(self, event: events.Resize) -> None:
        if self._resized_before:
            return
        self._resized_before = True
        app = active_app.get()
        classes = self._breakpoint_classes(event.size)
        if (
            event.size == app.size == self._compositor.size  # type: ignore[attr-defined]
            and all((name in self.classes) == on for name, on in classes.items())  # type: ignore[attr-defined]
        ):
            event.stop()
            event.prevent_default()  # laid out at this size already, with these classes
