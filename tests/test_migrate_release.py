"""A store written by release 0.1.0 (schema 2) opens in this one with every value it had.

``fixtures/store-0.1.0.tar.gz`` was written by the 0.1.0 code itself (commit 266f8fa): 40 seeded
cases and one case whose medical care and offence were answered differently at steps 2 and 5 than on
the case (schema 2 asked twice). Nothing in it was made by this release.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ophamp_tui.data.models import SCHEMA_VERSION, Actor
from ophamp_tui.data.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "store-0.1.0.tar.gz"
# Where schema 2 kept a value that schema 3 keeps elsewhere.
MOVED = {
    "steps.welfare_contact.fields.medical": "incident.medical",
    "steps.crime_recorded.fields.offence": "incident.offence",
}


@pytest.fixture
def old_store(tmp_path) -> Path:
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "store-0.1.0"


def leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list) and node:
        for index, value in enumerate(node):
            yield from leaves(value, f"{path}.{index}")
    else:
        yield path, node


def at(node: Any, path: str) -> Any:
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_every_value_of_a_release_0_1_0_store_survives_the_upgrade(old_store):
    before = {p.stem: json.loads(p.read_text())["case"]["1"] for p in (old_store / "cases").glob("*.json")}
    assert len(before) == 41 and all(rec["schema_version"] == 2 for rec in before.values())
    store = Store(old_store)
    assert len(store) == 41 and not [s for s in store.summaries() if s.damaged]
    checked = 0
    for case_id, old in before.items():
        case = store.load(case_id)
        assert case.schema_version == SCHEMA_VERSION
        new = case.model_dump(mode="json")
        changed_history = {h["field"]: h for h in new["history"][len(old["history"]) :]}
        for path, value in leaves(old):
            if path == "schema_version":
                continue
            if path == "incident.method":
                assert value in new["incident"]["methods"], case_id
            elif path in MOVED:
                assert at(new, MOVED[path]) == value, (case_id, path)
            elif path in MOVED.values() and at(new, path) != value:
                # The case's own answer gave way to the step's: it is kept in the history.
                assert changed_history[path]["old"] == value, (case_id, path)
            else:
                assert at(new, path) == value, (case_id, path)
            checked += 1
    assert checked > 4000


def test_a_case_answered_differently_twice_keeps_both_answers(old_store):
    case = Store(old_store).load("OH-261117-MIGR")
    assert case.incident.methods == ["bite"]
    assert (case.incident.medical, case.incident.offence) == ("ae", "abh_s47")  # the later answers, at steps 2 and 5
    kept = {h.field: (h.old, h.new, h.by.name) for h in case.history if h.field.startswith("incident.")}
    assert kept == {
        "incident.medical": ("first_aid", "ae", "PS Dana Holt"),
        "incident.offence": ("aew_s1", "abh_s47", "PS Dana Holt"),
    }
    assert "medical" not in case.steps["welfare_contact"].fields
    assert "offence" not in case.steps["crime_recorded"].fields


def test_an_upgraded_case_saves_in_the_new_schema_and_reads_back(old_store):
    store = Store(old_store)
    who = Actor(name="PS Kay Brown", number="PS 3002")
    store.update("OH-261117-MIGR", who, sets={"steps.welfare_contact.notes": "Called back"})
    on_disk = json.loads((old_store / "cases" / "OH-261117-MIGR.json").read_text())["case"]["1"]
    assert on_disk["schema_version"] == SCHEMA_VERSION and "method" not in on_disk["incident"]
    again = Store(old_store).load("OH-261117-MIGR")
    assert again.steps["welfare_contact"].notes == "Called back" and again.incident.medical == "ae"
