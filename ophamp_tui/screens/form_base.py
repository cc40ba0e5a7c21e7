"""What every save-as-you-go form screen shares: a field saved the moment the user leaves it."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.screen import Screen
from textual.widgets import Label
from textual.content import Content

from ..data.checklist import FieldDef
from ..data.clock import fmt_local
from ..data.models import Case
from ..data.rules import parse_field
from ..data.store import ConflictError, Store, StoreError
from ..widgets.fields import FieldRow


class FormScreen(Screen[None]):
    """Subclasses say where each field lives in the case (``path_for``) and compose the rows."""

    def __init__(self, store: Store, case_id: str) -> None:
        super().__init__()
        self.store = store
        self.case_id = case_id
        self.case: Case = store.load(case_id)

    def path_for(self, fdef: FieldDef) -> str:
        raise NotImplementedError

    def value_of(self, fdef: FieldDef) -> Any:
        node: Any = self.case.model_dump(mode="json")
        for part in self.path_for(fdef).split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def extra_sets(self) -> dict[str, Any]:
        """Changes that go with any field saved here (e.g. marking a step in progress)."""
        return {}

    def after_save(self) -> None:
        """Refresh whatever shows the case, after a successful save."""

    def save(self, sets: dict[str, Any], appends: dict[str, Any] | None = None) -> bool:
        """Save now; True if it is in the store. Problems are shown, never raised."""
        user = self.app.require_user()
        if user is None:
            return False
        try:
            self.case = self.store.update(self.case_id, user, sets=sets, appends=appends, base_rev=self.case.rev)
        except ConflictError as exc:
            self.case = self.store.load(self.case_id)
            for row in self.query(FieldRow):
                if self.path_for(row.fdef) in exc.fields:
                    # Show their value, and keep what this user typed in the message so nothing is lost
                    # silently; the field is no longer "changed", so leaving it does not overwrite theirs.
                    yours = str(row.raw() or "")
                    row.show_value(self.value_of(row.fdef))
                    row.mark_saved()
                    row.show_error(f"{exc} You had entered: {yours[:300]}" if yours else str(exc))
            self.notify(str(exc), title="Changed by someone else", severity="warning", markup=False, timeout=15)
            return False
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False, timeout=20)
            return False
        except OSError as exc:
            self.notify(f"Not saved: {exc.strerror or 'the store could not be written'}. What was saved before is kept.",
                        title="Not saved", severity="error", markup=False, timeout=20)
            return False
        self._saved_label(f"Saved {fmt_local(self.app.clock())}")
        self.after_save()
        return True

    def _saved_label(self, text: str) -> None:
        for label in self.query("#saved").results(Label):
            label.update(Content(text))

    @on(FieldRow.Edited)
    def _field_edited(self, event: FieldRow.Edited) -> None:
        self.save_row(event.row)

    def save_row(self, row: FieldRow) -> bool:
        value, problem = parse_field(row.fdef, row.raw(), self.case, self.app.clock())
        row.show_error(problem)
        if problem:
            return False
        path = self.path_for(row.fdef)
        if self.value_of(row.fdef) == value:
            row.mark_saved()
            return True
        if not self.save({path: value, **self.extra_sets()}):
            return False
        row.mark_saved()
        row.show_value(value)
        return True

    def flush(self) -> bool:
        """Save every field that was changed but not yet left. False if any could not be saved."""
        ok = True
        for row in self.query(FieldRow):
            if row.dirty:
                ok = self.save_row(row) and ok
        return ok

    def leave(self) -> None:
        """Escape always goes back: save what can be saved, and say plainly what could not."""
        unsaved = [] if self.flush() else [row.fdef.label for row in self.query(FieldRow) if row.dirty]
        app = self.app
        app.pop_screen()
        if unsaved:  # told on the screen we go back to, so it stays in view
            app.notify(
                "Not saved (it was not valid): " + ", ".join(unsaved) + ". Everything else is saved.",
                title="Some changes were not saved", severity="warning", markup=False, timeout=12,
            )
