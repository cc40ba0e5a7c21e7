"""Issue 15, the managers' figures (``data.report``, ``ophamp report``): every figure checked against a
hand-built store whose answers were worked out by hand (the literals below), on both backends."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Actor, Incident, LogEntry, Victim
from ophamp_tui.data.report import Period, as_json, as_markdown, as_text, build_report, parse_period
from ophamp_tui.data.store_api import CaseStore

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # Wed 13:00 BST
SGT = Actor(name="PS Dana Holt", number="PS 4521", role="sergeant")
JUNE = Period(date(2026, 6, 1), date(2026, 6, 30), "month")
NAMES = ["Alex Morgan", "Bea Quinn", "Cal Doyle", "Dee Patel", "Eve Stone", "Hal Brook", "Ida Frost", "Kit Lowe"]


def t(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


@pytest.fixture(params=["tinydb", "postgresql"])
def opener(request, tmp_path) -> Callable[[datetime], CaseStore]:
    if request.param == "tinydb":
        from ophamp_tui.data.store import Store

        return lambda now: Store(tmp_path / "store", clock=lambda: now)
    from ophamp_tui.data.store_pg import PgStore

    dsn = request.getfixturevalue("pg_dsn")
    return lambda now: PgStore(dsn, clock=lambda: now)


def _case(cid, name, number, at, offence, context="", location="", injury="none", role="police_officer", **kw):
    case = new_case(
        victim=Victim(name=name, number=number, role=role),
        incident=Incident(occurred_at=at, offence=offence, context=context, location_type=location, injury=injury),
        by=SGT,
        now=at,
        case_id=cid,
        **kw,
    )
    return case


def _right4(case):
    at = case.incident.occurred_at
    case.referrals.append(LogEntry(at=at, by=SGT, recorded_at=at, kind="victim_support", done_at=at))
    return case


def build(opener) -> CaseStore:
    store = opener(NOW)
    a = _right4(_case("OH-260601-AAAA", NAMES[0], "PC 1", t("2026-06-01"), "aew_s1", "arrest", "street"))
    b = _right4(
        _case("OH-260602-BBBB", NAMES[1], "PC 2", t("2026-06-02"), "abh_s47", "custody", "custody", "minor",
              hate_crime=True)
    )  # fmt: skip
    c = _case("OH-260603-CCCC", NAMES[0], "PC 1", t("2026-06-03"), "aew_s1", "arrest", "street")  # no Right 4
    d = _right4(
        _case("OH-260609-DDDD", NAMES[3], "PCSO 4", t("2026-06-09", 20), "gbh_s20", "public_order", "licensed", "abh",
              role="pcso")
    )  # fmt: skip
    h = _right4(_case("OH-260605-HHHH", NAMES[5], "PC 8", t("2026-06-05"), "aew_s1"))  # context, location missing
    e = _right4(_case("OH-251020-EEEE", NAMES[1], "PC 2", t("2025-10-20"), "aew_s1", "arrest", "street"))
    i = _right4(_case("OH-260501-IIII", NAMES[6], "PC 11", t("2026-05-01"), "aew_s1", "custody", "custody"))
    k = _right4(_case("OH-260502-KKKK", NAMES[7], "PC 12", t("2026-05-02"), "aew_s1", "custody", "custody"))
    for case in (a, b, c, d, h, e, i, k):
        store.create(case)
    wc = "steps.welfare_contact"
    store.update(a.id, SGT, sets={f"{wc}.fields.contact_at": "2026-06-01T15:00:00Z", f"{wc}.status": "done"})
    store.update(b.id, SGT, sets={f"{wc}.fields.contact_at": "2026-06-03T21:00:00Z", f"{wc}.status": "done"})
    out = "steps.outcome.fields"
    store.update(
        a.id,
        SGT,
        sets={f"{out}.outcome": "charged", f"{out}.decided_at": "2026-06-05T10:00:00Z",
              f"{out}.victim_told_at": "2026-06-05T12:00:00Z"},
    )  # fmt: skip
    store.update(
        b.id,
        SGT,
        sets={f"{out}.outcome": "evidential_supports", f"{out}.decided_at": "2026-06-08T10:00:00Z",
              f"{out}.victim_told_at": "2026-06-08T11:00:00Z", f"{out}.vrr_requested": "yes",
              f"{out}.vrr_result": "pending"},
    )  # fmt: skip
    store.update(c.id, SGT, sets={"suspect.status": "rui"},
                 appends={"status_history": LogEntry(at=t("2026-06-04", 10), by=SGT, kind="rui")})  # fmt: skip
    store.update(c.id, SGT, appends={"updates": LogEntry(at=t("2026-06-05", 10), by=SGT, summary="Told of RUI")})
    store.update(h.id, SGT, sets={"closed_reason": "Logged twice"})
    store.update(e.id, SGT, sets={"suspect.status": "rui"},
                 appends={"status_history": LogEntry(at=t("2025-11-01"), by=SGT, kind="rui")})  # fmt: skip
    nine = [
        "supervisor_aware", "welfare_contact", "support_handover", "statement", "crime_recorded",
        "oic_assigned", "kept_informed", "longer_term", "outcome",
    ]  # fmt: skip
    for case, hours in ((i, 48), (k, 10)):
        opener(NOW - timedelta(hours=hours)).update(case.id, SGT, sets={f"steps.{s}.status": "done" for s in nine})
    return opener(NOW)


def rows(breakdown) -> dict[str, int]:
    return {f.key: f.n for f in breakdown.rows if f.n}


def test_every_figure_of_a_hand_built_store(opener):
    r = build_report(build(opener), JUNE, NOW)
    assert r.cases == 5
    assert rows(r.by_offence) == {"aew_s1": 3, "abh_s47": 1, "gbh_s20": 1}
    assert rows(r.by_context) == {"arrest": 2, "custody": 1, "public_order": 1, "not_recorded": 1}
    assert rows(r.by_location) == {"street": 2, "custody": 1, "licensed": 1, "not_recorded": 1}
    assert rows(r.injury) == {"injury": 2, "no_injury": 3} and r.injury.of == 5
    assert (r.hate.n, r.hate.of) == (1, 5)
    assert (r.repeat_cases.n, r.repeat_cases.of) == (2, 5)  # C (after A), B (after E in 2025)
    assert (r.repeat_victims.n, r.repeat_victims.of) == (2, 4)
    assert rows(r.outcomes) == {"positive": 1, "nfa": 1, "open": 2, "closed_no_outcome": 1}
    assert (r.vrr_requests.of, rows(r.vrr_requests)) == (1, {"yes": 1})
    assert (r.vrr_results.of, rows(r.vrr_results)) == (1, {"pending": 1})
    assert (r.welfare.count, r.welfare.of, r.welfare.none_yet) == (2, 5, 3)
    assert r.welfare.median_h == pytest.approx(21.0) and r.welfare.p90_h == pytest.approx(33.0)
    clocks = {x.key: (x.on_time, x.late, x.missed) for x in r.timeliness}
    assert clocks == {
        "welfare": (1, 1, 1),  # A on time, B late (36 h), C missed; D not due yet; H closed
        "told": (1, 0, 0),  # C told of RUI the next day
        "right4": (4, 0, 1),  # C never referred
        "referral": (0, 0, 0),
        "outcome_told": (2, 0, 0),
    }
    assert [x.key for x in r.attrition] == ["welfare", "right4"]
    assert r.timeliness[0].on_time_rate == pytest.approx(1 / 3)
    # now, whatever the period
    assert (r.store_cases, r.damaged) == (8, 0)
    assert (r.rui.of, rows(r.rui)) == (2, {"under 1 month": 1, "6 to 12 months": 1})
    assert (r.rui_over_6_months.n, r.rui_over_6_months.of) == (1, 2)
    assert (r.bail.of, rows(r.bail)) == (0, {})
    assert (r.review.of, r.review.count, r.review.none_yet) == (2, 2, 0)
    assert r.review.median_h == pytest.approx(29.0) and r.review.longest_h == pytest.approx(48.0)


def test_an_empty_period_and_a_role_filter(opener):
    store = build(opener)
    empty = build_report(store, parse_period("2025-01-01..2025-01-31", NOW), NOW)
    assert empty.cases == 0 and empty.welfare.median_h is None and empty.welfare.p90_h is None
    assert empty.hate.share is None and empty.repeat_victims.of == 0 and empty.attrition == ()
    assert all(x.on_time_rate is None for x in empty.timeliness)
    assert empty.store_cases == 8  # the "now" figures still count
    as_text(empty), as_markdown(empty), json.loads(as_json(empty))  # noqa: B018 - none of them fails
    pcso = build_report(store, JUNE, NOW, role="pcso")
    assert (pcso.cases, pcso.store_cases, rows(pcso.by_offence)) == (1, 1, {"gbh_s20": 1})
    assert pcso.rui.of == 0 and pcso.review.of == 0


def test_an_empty_store(opener):
    r = build_report(opener(NOW), JUNE, NOW)
    assert (r.cases, r.store_cases, r.review.median_h, r.rui_over_6_months.share) == (0, 0, None, None)


def test_periods():
    assert parse_period("month", NOW) == Period(date(2026, 6, 1), date(2026, 6, 30), "month")
    assert parse_period("quarter", NOW) == Period(date(2026, 4, 1), date(2026, 6, 30), "quarter")
    assert parse_period("year", NOW) == Period(date(2026, 1, 1), date(2026, 12, 31), "year")
    # Just after midnight on 1 July in London is still 30 June in UTC: London decides.
    assert parse_period("month", datetime(2026, 6, 30, 23, 30, tzinfo=UTC)).first == date(2026, 7, 1)
    assert JUNE.start == datetime(2026, 5, 31, 23, 0, tzinfo=UTC) and JUNE.end == datetime(
        2026, 6, 30, 23, 0, tzinfo=UTC
    )
    for bad in ("week", "2026-06-10..2026-06-01", "2026-02-30..2026-03-01"):
        with pytest.raises(ValueError):
            parse_period(bad, NOW)


def test_ophamp_report_in_three_formats_has_nothing_personal(tmp_path):
    from ophamp_tui.data.store import Store

    store = Store(tmp_path / "s")
    build(lambda now: Store(tmp_path / "s", clock=lambda: now))
    del store

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "ophamp_tui", "report", "--store", str(tmp_path / "s"),
             "--period", "2026-06-01..2026-06-30", *args],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    text, md, js = run(), run("--format", "md"), run("--format", "json")
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "RUI over 6 months" in text and "5 cases by incident date" in text
    assert "| --- | ---: | ---: |" in md and md.startswith("# Op Hampshire report")
    data = json.loads(js)
    assert data["cases"] == 5 and data["period"]["first"] == "2026-06-01"
    for output in (text, md, js):
        for secret in (*NAMES, "PC 1", "PCSO 4", "PC 12", "OH-26", "Logged twice", "Told of RUI", "Holt", "4521"):
            assert secret not in output
    bad = subprocess.run([sys.executable, "-m", "ophamp_tui", "report", "--period", "week", "--store",
                          str(tmp_path / "s")], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 2 and "--period" in bad.stderr
