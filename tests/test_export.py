"""Issue 15, items 3 and 4: ``ophamp export`` (cases as CSV/JSON, one case's Markdown handover, the national
return). Built on a hand-made store full of hostile text; every name, number and piece of free text put
in is searched for in every anonymised output."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from datetime import UTC, datetime, timedelta

import pytest

from ophamp_tui.__main__ import main
from ophamp_tui.data import export as X
from ophamp_tui.data.edits import new_case, status_sets
from ophamp_tui.data.models import Actor, Incident, LogEntry, StepStatus, Victim
from ophamp_tui.data.store import Store

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 6, 8, 8, 0, tzinfo=UTC)  # Mon 09:00 BST

# Every name and number is made of digits no date, time or count in the output can hold (no 0, 1 or 2).
SGT = Actor(name='PS Dana "Holt", =HYPERLINK()', number="PS 45837", role="sergeant")
OIC_NAME, OIC_NO = "DC Lee [b]Marsh[/b]", "DC 73954"
INSP_NAME, INSP_NO = "Insp Ruth\nVance, @SUM(A1)", "Insp 68457"
WELFARE_NAME, WELFARE_NO = "+Kit Oyelaran", "PS 98736"
VICTIMS = [
    ("PC Sam 'Okafor', -cmd|' /C calc'!A0", "PC 36549", "W 87394"),
    ("PCSO Jo [red]Reed[/red]", "PCSO 59368", ""),
]
FREE = [
    'He said, "I\'ll find you"; =cmd() then\nleft',  # notes: commas, quotes, a newline, a formula
    "Shaken, not sleeping; <script>alert(1)</script>",
    "Northgate custody, cell 4 [b]bold[/b]",
    "CAD 4471/23NOV",
    "CR/49312/26 =1+1",
    "HS-REF-77834",
    "Broken tooth, | pipe | and `code`",
    "Wife worried, kids asking questions",
    "Told the victim about the arrest, =WEBSERVICE(x)",
    "Bail conditions: not to enter Eastfield",
    "Occupational Health asked for a call",
    "Duties to PC Q Hartwell-Smythe",
    "Logged twice by mistake elsewhere",
]


def _case(case_id, victim, hours, **incident):
    name, number, staff = victim
    case = new_case(
        victim=Victim(
            name=name,
            number=number,
            staff_no=staff,
            role="pcso" if number.startswith("PCSO") else "police_officer",
            age_band="25_34",
            service_band="5_10",
        ),
        incident=Incident(occurred_at=T0 + timedelta(hours=hours), offence="abh_s47", **incident),
        by=SGT,
        now=T0 + timedelta(hours=hours),
        case_id=case_id,
    )
    return case


@pytest.fixture
def hostile_store(tmp_path, monkeypatch):
    monkeypatch.setenv("OPHAMP_CONFIG", str(tmp_path / "config"))
    store = Store(tmp_path / "store", clock=lambda: NOW)
    fill(store)
    return store


def fill(store):
    """Four cases: A and B are two colleagues in one incident (B logged twice: B and B2), C is A's victim
    again, another day. Every typed text is from FREE."""
    a = _case(
        "OH-260608-AAAA",
        VICTIMS[0],
        0,
        location=FREE[2],
        location_type="custody",
        context="arrest",
        methods=["punch", "spit"],
        injury="abh",
        medical="ae",
        single_crewed=True,
        cad_ref=FREE[3],
        impact_notes=FREE[7],
        linked=["OH-260608-BBBB"],
    )
    b = _case("OH-260608-BBBB", VICTIMS[1], 0, methods=["kick"], context="arrest", location_type="custody")
    b2 = _case("OH-260608-BBB2", VICTIMS[1], 0, methods=["kick"], linked=["OH-260608-BBBB"])
    c = _case("OH-260609-CCCC", VICTIMS[0], 24, methods=["bite"], injury="none", on_duty=False)
    for case in (a, b, b2, c):
        store.create(case)
    f = "steps.{}.fields.{}".format
    store.update(
        a.id,
        SGT,
        sets={
            f("supervisor_aware", "supervisor_name"): SGT.name,
            f("supervisor_aware", "supervisor_number"): SGT.number,
            f("supervisor_aware", "inspector_name"): INSP_NAME,
            f("supervisor_aware", "inspector_number"): INSP_NO,
            f("supervisor_aware", "aware_at"): "2026-06-08T08:30:00+00:00",
            f("supervisor_aware", "hs_report"): FREE[5],
            "steps.supervisor_aware.notes": FREE[0],
            **status_sets("supervisor_aware", StepStatus.DONE, SGT, NOW),
            f("welfare_contact", "contact_at"): "2026-06-08T11:00:00+00:00",
            f("welfare_contact", "contact_method"): "phone",
            f("welfare_contact", "how_are_you"): FREE[1],
            f("welfare_contact", "injuries"): FREE[6],
            **status_sets("welfare_contact", StepStatus.DONE, SGT, NOW),
            f("support_handover", "handed_to"): FREE[11],
            f("support_handover", "welfare_officer_name"): WELFARE_NAME,
            f("support_handover", "welfare_officer_number"): WELFARE_NO,
            f("crime_recorded", "crime_ref"): FREE[4],
            f("oic_assigned", "oic_name"): OIC_NAME,
            f("oic_assigned", "oic_number"): OIC_NO,
            f("kept_informed", "frequency"): "7",
        },
    )
    store.update(
        a.id, SGT, appends={"updates": LogEntry(at=T0 + timedelta(hours=30), by=SGT, method="phone", summary=FREE[8])}
    )
    store.update(
        a.id,
        SGT,
        appends={"status_history": LogEntry(kind="bail", at=T0 + timedelta(hours=26), by=SGT, summary=FREE[9])},
    )
    store.update(
        a.id, SGT, appends={"referrals": LogEntry(kind="occupational_health", at=T0, by=SGT, summary=FREE[10])}
    )
    store.update(
        c.id,
        SGT,
        sets={"closed_reason": FREE[12], **status_sets("statement", StepStatus.NOT_APPLICABLE, SGT, NOW, FREE[6])},
    )
    store.update(b.id, SGT, sets={"incident.linked": ["OH-260608-AAAA"]})


def secrets_of() -> list[str]:
    """Every name, number and free text put into the store, and the parts of them a leak would show."""
    people = [(SGT.name, SGT.number), (OIC_NAME, OIC_NO), (INSP_NAME, INSP_NO), (WELFARE_NAME, WELFARE_NO)]
    people += [(n, num) for n, num, _ in VICTIMS]
    out: list[str] = []
    for name, number in people:
        out += [name, number, re.sub(r"\D", "", number)]
        out += [w for w in re.findall(r"[A-Za-z]{4,}", name) if w not in ("Insp", "PCSO", "HYPERLINK", "calc")]
    out += [VICTIMS[0][2], re.sub(r"\D", "", VICTIMS[0][2])]
    for text in FREE:
        out += [text, *[line for line in text.splitlines() if len(line) > 6]]
        out += re.findall(r"[A-Za-z]{7,}", text)
    return [s for s in set(out) if s]


def leaks(text: str) -> list[str]:
    low = text.casefold()
    found = [s for s in secrets_of() if s.casefold() in low]
    # Words that are also in our own labels or codes are not leaks (e.g. "arrest" in a status code).
    return [s for s in found if s.casefold() not in OUR_WORDS]


OUR_WORDS = {
    "arrest",
    "custody",
    "occupational",
    "victim",
    "questions",
    "conditions",
    "mistake",
    "elsewhere",
    "sleeping",
    "worried",
    "injuries",
}


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the case export ------------------------------------------------------------------------------------


def test_csv_parses_into_the_documented_columns_and_round_trips_hostile_text(hostile_store, capsys):
    code, out, err = run(["export", "--store", str(hostile_store.root)], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    header = next(csv.reader(io.StringIO(out, newline="")))
    assert header == X.case_columns(False)
    assert [r["reference"] for r in rows] == ["OH-260608-AAAA", "OH-260608-BBB2", "OH-260608-BBBB", "OH-260609-CCCC"]
    a = rows[0]
    assert a["victim_name"] == VICTIMS[0][0]  # quotes, commas and a formula inside: kept as they are
    assert a["victim_number"] == "PC 36549" and a["victim_staff_no"] == "W 87394"
    assert a["supervisor_aware.notes"] == FREE[0]  # commas, quotes and the newline survive
    assert a["created_by"] == 'PS Dana "Holt", =HYPERLINK() (PS 45837)'
    assert a["supervisor_aware.inspector_name"] == INSP_NAME
    assert a["support_handover.welfare_officer_name"] == "'+Kit Oyelaran"
    assert a["crime_recorded.crime_ref"] == FREE[4] and a["location"] == FREE[2]
    assert a["methods"] == "punch;spit" and a["injury"] == "abh" and a["injury_split"] == "with_injury"
    assert a["single_crewed"] == "yes" and a["on_duty"] == "yes" and a["medical"] == "ae"
    assert a["supervisor_aware.status"] == "done" and a["supervisor_aware.aware_at"] == "2026-06-08T08:30:00Z"
    assert a["hours_to_welfare_contact"] == "3.0"
    assert a["suspect_status"] == "bail" and a["suspect_events"] == "1" and a["referrals_waiting"] == "1"
    assert a["linked_cases"] == "OH-260608-BBBB" and a["training"] == ""
    assert a["age_band"] == "25_34" and a["service_band"] == "5_10"
    c = rows[3]
    assert c["state"] == "closed" and c["closed_reason"] == FREE[12] and c["on_duty"] == "no"
    assert c["statement.status"] == "not_applicable" and c["statement.na_reason"] == FREE[6]
    assert c["injury_split"] == "without_injury"
    # No cell a spreadsheet would run: every one starting with = + - @ has a ' in front.
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_every_documented_column_is_named_in_the_module_documentation():
    doc = X.__doc__ or ""
    for name in X.NATIONAL_COLUMNS + [c for c in X.case_columns(False) if "." not in c]:
        assert f"``{name}``" in doc, name


def test_json_parses_with_the_same_columns_and_json_types(hostile_store, capsys):
    code, out, err = run(["export", "--store", str(hostile_store.root), "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["columns"] == X.case_columns(False) and data["anonymised"] is False and data["training"] is False
    a = data["rows"][0]
    assert list(a) == data["columns"]
    assert a["methods"] == ["punch", "spit"] and a["single_crewed"] is True and a["suspects"] == 1
    assert a["victim_name"] == VICTIMS[0][0]  # JSON is not a spreadsheet: no formula guard
    assert a["supervisor_aware.notes"] == FREE[0]


def test_anonymised_and_national_outputs_hold_no_name_number_or_free_text(hostile_store, capsys, tmp_path):
    root = str(hostile_store.root)
    outputs = {}
    for name, args in {
        "csv": ["--anonymise"],
        "json": ["--anonymise", "--format", "json"],
        "md": ["--anonymise", "--case", "OH-260608-AAAA"],
        "national": ["--national"],
        "national-json": ["--national", "--format", "json"],
    }.items():
        code, out, err = run(["export", "--store", root, *args], capsys)
        assert code == 0, err
        outputs[name] = out
    # The check itself finds them where they are (the plain export and the handover).
    assert len(leaks(run(["export", "--store", root], capsys)[1])) > 20
    assert VICTIMS[0][1] in run(["export", "--store", root, "--case", "OH-260608-AAAA"], capsys)[1]
    for name, text in outputs.items():
        assert leaks(text) == [], name
        assert "OH-2606" not in text, name  # case references are pseudonyms too
    rows = list(csv.DictReader(io.StringIO(outputs["csv"], newline="")))
    assert list(rows[0]) == X.case_columns(True)
    assert rows[0]["victim"] == rows[3]["victim"] != rows[1]["victim"]  # the same victim, the same pseudonym
    assert rows[0]["victim"].startswith("P-") and rows[0]["reference"].startswith("C-")
    assert rows[0]["created_by"] == rows[0]["supervisor_aware.supervisor"]  # the sergeant, in both roles
    assert rows[0]["methods"] == "punch;spit" and rows[0]["location_type"] == "custody"
    assert rows[0]["linked_cases"] == rows[2]["reference"]


def test_the_national_return_is_one_row_per_victim_per_incident(hostile_store, capsys):
    code, out, err = run(["export", "--store", str(hostile_store.root), "--national"], capsys)
    assert code == 0, err
    reader = csv.DictReader(io.StringIO(out, newline=""))
    assert reader.fieldnames == X.NATIONAL_COLUMNS
    rows = list(reader)
    # A, B and B2 are one incident (B2 is B's victim again: one row); C is another incident.
    assert len(rows) == 3
    by_incident: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_incident.setdefault(row["incident"], []).append(row)
    sizes = sorted(len(v) for v in by_incident.values())
    assert sizes == [1, 2]
    shared = next(v for v in by_incident.values() if len(v) == 2)
    assert {r["victims_in_incident"] for r in shared} == {"2"}
    first = next(r for r in shared if r["methods"] == "punch;spit")
    assert first["home_office_category"] == "constable_with_injury"
    assert first["single_crewed"] == "yes" and first["medical"] == "ae" and first["context"] == "arrest"
    assert first["age_band"] == "25_34" and first["service_band"] == "5_10" and first["incident_date"] == "2026-06-08"
    pcso = next(r for r in shared if r is not first)
    assert pcso["home_office_category"] == "emergency_worker_without_injury"
    alone = next(v for v in by_incident.values() if len(v) == 1)[0]
    assert alone["victim"] == first["victim"] and alone["on_duty"] == "no"


def test_fictional_cases_are_marked_and_left_out_of_a_live_national_return(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPHAMP_CONFIG", str(tmp_path / "config"))
    store = Store(tmp_path / "s", clock=lambda: NOW)
    real = _case("OH-260608-REAL", VICTIMS[1], 0)
    made_up = _case("OH-260608-FAKE", VICTIMS[0], 0).model_copy(update={"fictional": True})
    store.create_many([real, made_up])
    code, out, err = run(["export", "--store", str(store.root)], capsys)
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [r["training"] for r in rows] == ["TRAINING", ""]
    code, out, err = run(["export", "--store", str(store.root), "--national"], capsys)
    assert code == 0 and len(list(csv.DictReader(io.StringIO(out, newline="")))) == 1
    assert "1 fictional case(s) left out" in err
    (store.root / "TRAINING").write_text("")  # the training store: every case marked, none left out
    code, out, err = run(["export", "--store", str(store.root), "--national", "--format", "json"], capsys)
    data = json.loads(out)
    assert data["training"] is True and [r["training"] for r in data["rows"]] == ["TRAINING", "TRAINING"]
    code, out, err = run(["export", "--store", str(store.root), "--case", "OH-260608-REAL"], capsys)
    assert "TRAINING" in out.splitlines()[2]


# --- the handover -----------------------------------------------------------------------------------------


def test_the_handover_says_what_is_due_from_whom_by_when(hostile_store, capsys):
    code, out, err = run(["export", "--store", str(hostile_store.root), "--case", "OH-260608-AAAA"], capsys)
    assert code == 0, err
    assert out.startswith("# Op Hampshire handover: OH-260608-AAAA\n")
    due = out.split("## What is due, from whom, by when")[1].split("## The steps")[0]
    # Bail ends 3 months on: from the OIC (named, markup escaped); the referral from the welfare officer.
    assert re.search(
        r"\| Pre-charge bail ends \| (\*\*OVERDUE\*\*, was due )?by Wed 09/09/2026 11:00 "
        r"\| DC Lee \\\[b\\\]Marsh\\\[/b\\\] \(DC 73954\), the investigating officer \| 9\. Outcome",
        due,
    )
    assert "| Referral: Occupational Health |" in due and "+Kit Oyelaran (PS 98736), the welfare officer" in due
    assert "Right 4: victim support" in due
    # Still to do, and from whom: the statement taker is not named, so the supervisor who arranges it.
    assert '- 4. Statement taken: PS Dana "Holt", =HYPERLINK() (PS 45837), the supervisor' in out
    assert "- 10. Senior manager review: not named yet: the senior reviewer" in out
    assert "| 1 | Supervisor aware | Done |" in out
    body = out.split("## What the victim has been told to expect")[0]  # the leaflet after it: a code block
    assert "[b]" not in body.replace("\\[b\\]", "")  # user text is literal: markup escaped
    assert "<script>" not in out  # HTML escaped too
    assert "## What the victim has been told to expect" in out and "WHAT YOU CAN EXPECT" in out
    code, out, err = run(["export", "--store", str(hostile_store.root), "--case", "OH-NONE"], capsys)
    assert code == 2 and out == "" and err.startswith("ophamp: ") and len(err.splitlines()) == 1


# --- files ----------------------------------------------------------------------------------------------


def test_files_are_0600_and_never_overwritten_without_force(hostile_store, capsys, tmp_path):
    target = tmp_path / "out" / "cases.csv"
    target.parent.mkdir()
    root = str(hostile_store.root)
    code, out, err = run(["export", "--store", root, "-o", str(target)], capsys)
    assert code == 0 and out == "" and "Wrote 4 cases" in err
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    first = target.read_text()
    code, out, err = run(["export", "--store", root, "--format", "json", "-o", str(target)], capsys)
    assert code == 2 and err == f"ophamp: {target} already exists: add --force to replace it.\n"
    assert target.read_text() == first
    code, out, err = run(["export", "--store", root, "--format", "json", "-o", str(target), "--force"], capsys)
    assert code == 0 and json.loads(target.read_text())["rows"]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["cases.csv"]  # no temporary file left
    code, out, err = run(["export", "--store", root, "-o", "-", "--case", "OH-260608-AAAA"], capsys)
    assert code == 0 and out.startswith("# Op Hampshire handover")


def test_pseudonyms_are_stable_across_runs_and_kept_in_a_private_key(hostile_store, capsys, tmp_path):
    root = str(hostile_store.root)
    first = run(["export", "--store", root, "--national"], capsys)[1]
    second = run(["export", "--store", root, "--national"], capsys)[1]
    assert first == second
    keys = list((tmp_path / "config" / "export-keys").iterdir())
    assert len(keys) == 1 and stat.S_IMODE(keys[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(keys[0].parent.stat().st_mode) == 0o700
    # Another store gets its own key: the same person has another pseudonym there.
    other = Store(tmp_path / "other", clock=lambda: NOW)
    other.create(_case("OH-260608-AAAA", VICTIMS[0], 0))
    there = list(csv.DictReader(io.StringIO(run(["export", "--store", str(other.root), "--national"], capsys)[1])))
    here = list(csv.DictReader(io.StringIO(first)))
    assert there[0]["victim"] not in {r["victim"] for r in here}


def test_pseudonyms_follow_the_number_not_its_spelling():
    p = X.Pseudonyms(b"k" * 32)
    assert p.person("Sam", "PC 3654") == p.person("S. Okafor", "pc3654") != p.person("Sam", "PCSO 3654")
    assert p.person("Sam Okafor", "") == p.person("sam  okafor", "") and p.person("", "") == ""
    assert re.fullmatch(r"P-[A-Z]{8}", p.person("x", "PC 1"))
    assert X.Pseudonyms(b"j" * 32).person("Sam", "PC 3654") != p.person("Sam", "PC 3654")


def test_bad_combinations_are_refused_in_one_line(hostile_store, capsys):
    root = str(hostile_store.root)
    for args in (["--format", "md"], ["--national", "--format", "md"], ["--national", "--case", "OH-260608-AAAA"]):
        code, out, err = run(["export", "--store", root, *args], capsys)
        assert code == 2 and out == "" and len(err.splitlines()) == 1, args
    code, out, err = run(["export", "--columns", "--national"], capsys)
    assert out.split() == X.NATIONAL_COLUMNS


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def test_the_csv_export_is_the_same_from_postgresql(pg_dsn, hostile_store, capsys, tmp_path):
    from urllib.parse import quote

    from psycopg.conninfo import conninfo_to_dict

    from ophamp_tui.data.store_pg import PgStore

    pg = PgStore(pg_dsn)
    try:
        for case_id in hostile_store.case_ids():
            pg.create(hostile_store.load(case_id))
    finally:
        pg.close()
    parts = conninfo_to_dict(pg_dsn)
    uri = f"postgresql://{parts['user']}@/{parts['dbname']}?host={quote(str(parts['host']), safe='')}"
    code, from_pg, err = run(["export", "--store", uri], capsys)
    assert code == 0, err
    from_files = run(["export", "--store", str(hostile_store.root)], capsys)[1]
    assert from_pg == from_files  # now-dependent columns are the same: the clock is the same minute
    code, anon, err = run(["export", "--store", uri, "--anonymise"], capsys)
    assert code == 0 and leaks(anon) == []
    assert list(csv.DictReader(io.StringIO(anon, newline="")))[0]["victim"].startswith("P-")
