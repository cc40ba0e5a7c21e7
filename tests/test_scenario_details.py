"""Small things a class notices: each scenario's name in the list, a suspect status that follows the
outcome, RUI in the leaflet, and training references that say they are training."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ophamp_tui.app import OpHampApp
from ophamp_tui.data import choices as C
from ophamp_tui.data.edits import case_from_form, new_case_id
from ophamp_tui.data.leaflet import what_to_expect
from ophamp_tui.data.scenarios import install_training, load_scenarios, scenario_names, scenario_titles

from .ui_helpers import SERGEANT, fixed_clock, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


async def test_the_training_list_names_each_scenario(tmp_path):
    from ophamp_tui.data.identity import save_identity

    save_identity(tmp_path / "config", SERGEANT)
    store = install_training(tmp_path / "training", NOW, clock=fixed_clock(NOW))
    app = OpHampApp(store, config_dir=tmp_path / "config", clock=fixed_clock(NOW), training=True)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        text = screen_text(pilot)
        assert "Scenario" in text
        names = scenario_names()
        assert len(names) == len(scenario_titles())
        for name in names.values():
            assert name in text, name  # each scenario's short name, whole, in its row


def test_every_scenario_suspect_status_follows_its_story():
    for s in load_scenarios(NOW):
        case = s.case
        changes = [h for h in case.history if h.field == "suspect.status"]
        if changes:
            assert changes[-1].new == case.suspect.status, s.key  # the history ends where the case is
        events = [e.kind for e in case.status_history]
        if events:
            assert events[-1] == case.suspect.status, s.key
        outcome = case.steps["outcome"].fields.get("outcome")
        if outcome == "convicted":
            assert case.suspect.status in {"convicted", "sentenced"}, s.key
            assert C.label(C.SUSPECT_STATUSES, case.suspect.status) != "Charged"


def test_the_leaflet_names_rui_and_explains_it_while_the_suspect_is_on_it():
    scenarios = {s.case_id: s.case for s in load_scenarios(NOW)}
    hate = what_to_expect(scenarios["OH-TRAIN-PCSO"])
    assert "released under investigation" not in hate  # NFA now: no paragraph about being on RUI
    assert "release on bail or under investigation (RUI)" in hate
    on_rui = scenarios["OH-TRAIN-PCSO"].model_copy(
        update={"suspect": scenarios["OH-TRAIN-PCSO"].suspect.model_copy(update={"status": "rui"})}
    )
    on_rui.status_history = [e for e in on_rui.status_history if e.kind != "nfa"]
    text = what_to_expect(on_rui)
    assert "The suspect was released under investigation (RUI) on " in text
    assert "no time limit and no conditions" in text


def test_training_case_references_say_so():
    assert all(s.case_id.startswith("OH-TRAIN-") for s in load_scenarios(NOW))
    assert re.fullmatch(r"OH-TRAIN-261123-[A-Z2-9]{4}", new_case_id(NOW, training=True))
    assert re.fullmatch(r"OH-261123-[A-Z2-9]{4}", new_case_id(NOW))  # live references as they were
    values = {"victim.name": "PC Pat Example", "victim.number": "9999", "incident.occurred_at": "2026-11-23T12:00:00Z"}
    case = case_from_form(values, SERGEANT, NOW, training=True)
    assert case.id.startswith("OH-TRAIN-261123-")
    assert case_from_form(values, SERGEANT, NOW).id.startswith("OH-261123-")
