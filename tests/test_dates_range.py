"""Issue 10 item 6: a date far outside what a case can hold is refused with a message, and a store that
already holds one still opens."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ophamp_tui.data.checklist import CASE_FORM, step
from ophamp_tui.data.store import Store
from ophamp_tui.data.validation import parse_field

from .ui_helpers import make_app, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
INCIDENT = next(f for f in CASE_FORM if f.key == "incident.occurred_at")


@pytest.mark.parametrize(
    "typed",
    ["01/01/0001 00:00 UTC", "01/01/0001 00:00", "31/12/9999 23:59", "01/01/1989 10:00", "01/06/2035 10:00 GMT"],
)
def test_dates_outside_1990_to_a_few_years_ahead_are_refused(make_case, typed):
    case = make_case()
    for fdef in (INCIDENT, step("supervisor_aware").field("aware_at")):
        value, problem = parse_field(fdef, typed, case, NOW)
        assert value is None and "is outside the dates ophamp takes (1990 to 2029). Check the year." in problem


def test_a_store_holding_a_year_one_date_still_opens(tmp_path, make_case):
    """Written by hand or by an older ophamp: that case is refused, named; the others open."""
    store = Store(tmp_path / "store")
    store.create(make_case(case_id="OH-GOOD"))
    store.create(make_case(case_id="OH-YEAR1"))
    path = store.case_path("OH-YEAR1")
    data = json.loads(path.read_text())
    data["case"]["1"]["incident"]["occurred_at"] = "0001-01-01T00:00:00Z"
    path.write_text(json.dumps(data))
    fresh = Store(tmp_path / "store")
    assert not fresh.summary("OH-GOOD").damaged
    assert "incident.occurred_at" in fresh.summary("OH-YEAR1").damaged
    assert fresh.load("OH-GOOD").id == "OH-GOOD"


async def test_a_year_one_incident_time_is_refused_on_the_form_not_a_crash(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        from .ui_helpers import error_of, type_text

        await type_text(pilot, "incident.occurred_at", "01/01/0001 00:00 UTC")
        assert "is outside the dates ophamp takes" in error_of(pilot, "incident.occurred_at")
        assert pilot.app.is_running and "New case" in screen_text(pilot)
