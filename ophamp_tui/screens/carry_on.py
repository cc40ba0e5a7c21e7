"""On start: carry on with a new case that was being typed (a draft), or with the case and step the user
was on when ophamp last closed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from ..data.checklist import VICTIM_NAME
from ..data.checklist import step as step_def
from ..data.clock import fmt_local, from_iso, to_london
from ..data.identity import Place, save_place
from ..data.store import StoreError
from ..data.text import normalise_number
from .case import CaseScreen
from .confirm import ConfirmScreen
from .new_case import NewCaseScreen
from .step import StepScreen

if TYPE_CHECKING:
    from ..app import OpHampApp


def draft_owner(app: OpHampApp) -> str:
    return normalise_number(app.user.number) if app.user else ""


def draft_words(draft: dict[str, Any], now) -> str:
    """``You were logging an assault on PC Alex Morgan at 03:10.``"""
    fields = draft.get("fields") or {}
    victim = str(fields.get(VICTIM_NAME.key) or "a colleague")
    try:
        saved = from_iso(draft.get("saved_at"))
    except (TypeError, ValueError):
        saved = None
    when = ""
    if saved is not None:
        same_day = to_london(saved).date() == to_london(now).date()
        when = f" at {to_london(saved):%H:%M}" if same_day else f" on {fmt_local(saved, with_day=True)}"
    return f"You were logging an assault on {victim}{when}."


def offer_to_carry_on(app: OpHampApp, place: Place | None) -> None:
    """A draft first (unsaved work); otherwise ``place``, where the user left off last time. Only while the
    case list is on view: someone who has already moved on is not interrupted."""
    if app.screen.__class__.__name__ != "HomeScreen":
        return
    owner = draft_owner(app)
    draft = app.store.load_draft(owner) if owner else None
    if draft and draft.get("kind") == "new_case":
        question = ConfirmScreen(
            draft_words(draft, app.clock()),
            yes="Carry on",
            no="Discard",
            default_yes=True,
            detail="Esc: decide later (the draft is kept).",
        )
        app.push_screen(question, lambda answer: _draft_answer(app, owner, draft, answer))
        return
    _offer_place(app, place)


def _draft_answer(app: OpHampApp, owner: str, draft: dict[str, Any], answer: bool | None) -> None:
    if answer is True:
        app.push_screen(NewCaseScreen(app.store, draft))
    elif answer is False:
        app.store.discard_draft(owner)
        app.notify("Draft thrown away.", markup=False)


def _offer_place(app: OpHampApp, place: Place | None) -> None:
    summary = app.store.summary(place.case_id) if place else None
    if place is None or summary is None or summary.damaged or not summary.is_open:
        return
    where = f"{summary.id}, {summary.victim_name}"
    if place.step:
        sdef = step_def(place.step)
        where += f", step {sdef.number}: {sdef.title}"
    question = ConfirmScreen(f"Carry on where you left off? {where}", yes="Carry on", no="Not now", default_yes=True)
    app.push_screen(question, lambda answer: _place_answer(app, place, answer))


def _place_answer(app: OpHampApp, place: Place, answer: bool | None) -> None:
    if not answer:
        return
    try:
        screens: list[Screen] = [CaseScreen(app.store, place.case_id)]
        if place.step:
            screens.append(StepScreen(app.store, place.case_id, place.step))
    except (StoreError, KeyError):
        app.notify("That case cannot be opened now.", severity="warning", markup=False)
        return
    for screen in screens:
        app.push_screen(screen)


def remember_place(app: OpHampApp, screen: Screen) -> None:
    """Called whenever the screen changes: the case and step on view, or nowhere (the case list)."""
    if isinstance(screen, StepScreen):
        save_place(app.config_dir, Place(case_id=screen.case_id, step=screen.sdef.key))
    elif isinstance(screen, CaseScreen):
        save_place(app.config_dir, Place(case_id=screen.case_id))
    elif screen.__class__.__name__ == "HomeScreen":
        save_place(app.config_dir, None)
