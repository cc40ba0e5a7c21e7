"""What every save-as-you-go form screen shares: a field saved the moment the user leaves it.

Two people may have the same case open. A save merges with whatever is in the store, and is refused
only if someone else changed that same field since this user was shown it (each row remembers the
value it showed). After a save the form shows the merged record, so nobody edits a stale value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import getters, on
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label

from ..data.checklist import FieldDef
from ..data.clock import fmt_local
from ..data.edits import Edit, field_changed, is_conflict_on, stored
from ..data.models import Case
from ..data.store_api import CaseStore, ConflictError, StoreError
from ..data.validation import parse_field
from ..widgets.fields import FieldRow
from ..widgets.focus_styles import LocalFocusStyles
from ..widgets.fresh_screen import FreshScreen

if TYPE_CHECKING:
    from ..app import OpHampApp


def _ophamp_app() -> type[OpHampApp]:
    from ..app import OpHampApp  # noqa: PLC0415 - the app imports every screen: named here only for type checks

    return OpHampApp


class FormScreen(FreshScreen, LocalFocusStyles, Screen[None]):
    """Subclasses compose the rows; ``step_key`` says whose fields they are (None: the case's details)."""

    if TYPE_CHECKING:
        app = getters.app(_ophamp_app)

    AUTO_FOCUS = ""  # on_mount puts the cursor in the first field without scrolling the title away

    #: A step key: the first field saved marks that step in progress (see Store.update).
    start_step: str | None = None
    #: The step whose fields this form shows; None for the case's own details.
    step_key: str | None = None

    def __init__(self, store: CaseStore, case_id: str) -> None:
        super().__init__()
        self.store = store
        self.case_id = case_id
        self.case: Case = store.load(case_id)

    def value_of(self, fdef: FieldDef) -> Any:
        return stored(self.case, fdef, self.step_key)

    def form_values(self) -> dict[str, Any]:
        """Every field of this form as stored: for checks between fields and what is shown."""
        return {row.fdef.key: self.value_of(row.fdef) for row in self.query(FieldRow)}

    def apply_visibility(self) -> None:
        """Show each field only where its ``shown_if`` holds, for the values as they are now on screen."""
        rows = list(self.query(FieldRow))
        values = {row.fdef.key: row.raw() for row in rows}
        for row in rows:
            row.display = row.fdef.is_shown(values)

    def after_save(self) -> None:
        """Refresh whatever shows the case, after a successful save."""

    # --- saving ------------------------------------------------------------------------------------

    def save(self, edit: Edit, *, row: FieldRow | None = None, start: bool = True) -> bool:
        """Save now: True if it is in the store (or queued behind another ophamp's save, to be saved
        in order). Problems are shown, never raised."""
        user = self.app.require_user()
        if user is None:
            return False
        outcome: list[bool] = []

        def done(case: Case | None, error: Exception | None) -> None:
            outcome.append(error is None)
            self._saved(case, error, row)

        self.app.saver.save(
            self.store,
            self.case_id,
            user,
            done,
            sets=edit.sets,
            appends=edit.appends,
            expect=edit.expect,
            start_step=self.start_step if start else None,
        )
        return outcome[0] if outcome else True  # not done yet: queued, saved in the background

    def _saved(self, case: Case | None, error: Exception | None, row: FieldRow | None) -> None:
        suggested = row is not None and row.suggested
        if row is not None:
            row.pending = max(0, row.pending - 1)
            row.suggested = False
            if error is not None and not isinstance(error, ConflictError):
                row.mark_changed()  # still to be saved: tried again when left, and named on quitting
        if not self.is_attached:  # the user has moved on: the save still happened, or is told here
            if error is not None and not (suggested and isinstance(error, ConflictError)):
                self.app.notify(str(error), title="Not saved", severity="error", markup=False, timeout=20)
            return
        if isinstance(error, ConflictError):
            self._conflict(error, quiet=suggested)
            return
        if isinstance(error, StoreError):
            self.notify(str(error), title="Not saved", severity="error", markup=False, timeout=20)
            return
        if isinstance(error, OSError):
            self.notify(
                f"Not saved: {error.strerror or 'the store could not be written'}. What was saved before is kept.",
                title="Not saved",
                severity="error",
                markup=False,
                timeout=20,
            )
            return
        if error is not None:
            raise error
        assert case is not None
        self.case = case
        if row is not None and not row.pending:
            if row.dirty:  # typed on since this was sent: keep the typing; it is checked against this
                row.shown = self.value_of(row.fdef)
                row.prefilled = False
            else:
                row.show_value(self.value_of(row.fdef))
        self.show_merged()
        self._saved_label(f"Saved {fmt_local(self.app.clock())}")
        self.after_save()

    def _conflict(self, exc: ConflictError, *, quiet: bool = False) -> None:
        """Show their value in each field both changed. ``quiet``: the value refused was only the
        suggestion of the current user (see ``prefill``), so theirs simply stands."""
        try:
            self.case = self.store.load(self.case_id)
        except StoreError as again:
            self.notify(str(again), severity="error", markup=False, timeout=20)
            return
        for row in self.query(FieldRow):
            if is_conflict_on(exc.fields, row.fdef, self.step_key):
                # Show their value, and keep what this user typed in the message so nothing is lost
                # silently; the field is no longer "changed", so leaving it does not overwrite theirs.
                yours = str(row.raw() or "")
                row.show_value(self.value_of(row.fdef))
                row.mark_saved()
                if not quiet:
                    row.show_error(f"{exc} You had entered: {yours[:300]}" if yours else str(exc))
        self.show_merged()
        if quiet:
            return
        self.notify(str(exc), title="Changed by someone else", severity="warning", markup=False, timeout=15)

    def store_changed(self) -> None:
        """Someone saved (see OpHampApp._watch_store): if this case changed, show their values in the fields
        this user is not changing, so a stale form never saves over them."""
        if not self.is_mounted:
            return  # not drawn yet: it shows the case as it is when it is
        try:
            now = self.store.load(self.case_id)
        except StoreError:
            return  # said when the user next saves
        if now.rev != self.case.rev and not any(row.pending for row in self.query(FieldRow)):
            self.case = now
            self.show_merged()
            self.after_save()

    def show_merged(self) -> None:
        """Show the stored value in every field the user is not changing: others' changes appear."""
        changed = []
        for row in self.query(FieldRow):
            stored = self.value_of(row.fdef)
            if not row.dirty and stored != row.shown:
                row.show_value(stored)
                changed.append(row.fdef.label)
        if changed:
            self.notify(
                "Changed by someone else meanwhile, now shown: " + ", ".join(changed) + ".",
                title="Updated",
                markup=False,
                timeout=10,
            )

    def _saved_label(self, text: str) -> None:
        for label in self.query("#saved").results(Label):
            label.update(Content(text))

    @on(FieldRow.Edited)
    def _field_edited(self, event: FieldRow.Edited) -> None:
        self.save_row(event.row)

    def save_row(self, row: FieldRow) -> bool:
        self.apply_visibility()
        value, problem = parse_field(row.fdef, row.raw(), self.case, self.app.clock(), others=self.form_values())
        row.show_error(problem)
        if problem:
            return False
        # Checked against what this user was shown, or, while their own earlier save of this field
        # is still on its way, against what that save will have written.
        base = row.last_sent if row.pending else row.shown
        if base == value:
            row.mark_saved()
            return True
        row.show_value(value, shown=False)  # as it will be saved; ``shown`` stays what the store held
        row.mark_sent(value)
        saved = self.save(field_changed(row.fdef, value, base, self.step_key), row=row)
        if saved:
            self.save_prefilled()
        return saved

    def prefill(self) -> None:
        """Fill empty "usually you" fields (FieldDef.prefill) with the current user, as a suggestion."""
        user = self.app.user
        if user is None:
            return
        for row in self.query(FieldRow):
            if row.fdef.prefill and self.value_of(row.fdef) in (None, ""):
                row.prefill(getattr(user, row.fdef.prefill))

    def save_prefilled(self) -> None:
        """The suggestions stand once the user saves anything else on the form."""
        for row in self.query(FieldRow):
            if row.prefilled and not row.pending:
                row.prefilled = False
                row.suggested = True  # if someone else filled it meanwhile, theirs stands, quietly
                row.mark_changed()
                self.save_row(row)

    def flush(self, *, with_suggestions: bool = False) -> bool:
        """Save every field that was changed but not yet left (and the suggestions filled in, if asked).
        False if any could not be saved."""
        if with_suggestions:
            for row in self.query(FieldRow):
                if row.prefilled:
                    row.prefilled = False
                    row.mark_changed()
        ok = True
        for row in self.query(FieldRow):
            if row.dirty and row.display:
                ok = self.save_row(row) and ok
        return ok

    def not_valid(self) -> list[str]:
        """Save what can be saved; the labels of what could not (it was not valid)."""
        return [] if self.flush() else [row.fdef.label for row in self.query(FieldRow) if row.dirty]

    def unsaved(self) -> list[str]:
        """For quitting: save what can be saved; what could not, in words."""
        return [f"'{label}' (not valid)" for label in self.not_valid()]

    def leave(self) -> None:
        """Escape always goes back: save what can be saved, and say plainly what could not."""
        unsaved = self.not_valid()
        app = self.app
        app.pop_screen()
        if unsaved:  # told on the screen we go back to, so it stays in view
            app.notify(
                "Not saved (it was not valid): " + ", ".join(unsaved) + ". Everything else is saved.",
                title="Some changes were not saved",
                severity="warning",
                markup=False,
                timeout=12,
            )
