"""The store never loses a saved step: atomic saves, damaged files refused, safe with two users."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from filelock import FileLock

from ophamp_tui.data import atomic
from ophamp_tui.data.clock import iso
from ophamp_tui.data.index import ROW
from ophamp_tui.data.models import SCHEMA_VERSION, Actor, Case, LogEntry, StepStatus
from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import (
    ConflictError,
    Store,
    StoreBusyError,
    StoreCorruptError,
    StoreError,
)
from ophamp_tui.data.summary import summarise

UTC = UTC
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # the conftest store's clock
OTHER = Actor(name="DC Lee Marsh", number="DC 7001", role="oic")


def open_store(root: Path, **kw) -> Store:
    return Store(root, clock=lambda: NOW, **kw)


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(atomic.TMP_MARK)]


def bak_of(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def on_disk(path: Path) -> dict:
    """The case document as stored (TinyDB layout: table "case", document 1)."""
    return json.loads(path.read_bytes())["case"]["1"]


# --- round trip and history -----------------------------------------------------------------------


def rich_case(make_case) -> Case:
    case = make_case(
        victim_name="Zoë Ní Bhriain [b]",
        victim_number="PCSO 5678",
        hate_crime=True,
        hate_strands=["religion", "race"],
        case_id="OH-260608-RICH",
    )
    case.incident.impact = ["psychological", "family"]
    case.incident.impact_notes = "Not sleeping.\nWorried about going back."
    case.steps["supervisor_aware"].status = StepStatus.DONE
    case.steps["supervisor_aware"].at = NOW
    case.steps["supervisor_aware"].by = Actor(name="PS Dana Holt", number="4521")
    case.steps["supervisor_aware"].fields = {
        "supervisor_name": "PS Dana Holt",
        "aware_at": iso(NOW),
        "inspector_told": True,
    }
    case.updates = [LogEntry(at=NOW, by=OTHER, method="phone", summary="Told of arrest 👍")]
    case.suspect.status = "arrested"
    case.status_history = [LogEntry(at=NOW - timedelta(hours=3), by=OTHER, kind="arrested")]
    return case


def test_round_trip(store, make_case, tmp_path):
    case = rich_case(make_case)
    assert store.create(case) == case
    assert store.load(case.id) == case
    again = open_store(tmp_path / "store")
    loaded = again.load(case.id)
    assert loaded == case
    assert loaded.victim.name == "Zoë Ní Bhriain [b]"
    assert loaded.updates[0].summary == "Told of arrest 👍"
    assert len(again) == 1
    summary = again.summary(case.id)
    assert summary.model_copy(update={"file_mtime_ns": 0, "file_size": 0}) == summarise(case)


def test_create_twice_is_refused(store, make_case):
    store.create(make_case(case_id="OH-1"))
    with pytest.raises(StoreError, match="A case OH-1 already exists"):
        store.create(make_case(case_id="OH-1", victim_name="Someone else"))
    assert store.load("OH-1").victim.name == "Sam Okafor"


@pytest.mark.parametrize("bad", ["", "../escape", "a/b", ".hidden"])
def test_case_references_cannot_leave_the_store(store, bad):
    with pytest.raises(StoreError, match="not a case reference"):
        store.load(bad)


def test_unknown_case(store):
    with pytest.raises(StoreError, match="Case OH-NOPE is not in this store"):
        store.load("OH-NOPE")


def test_update_records_history(store, make_case, sergeant):
    store.create(make_case(case_id="OH-H"))
    first = store.update(
        "OH-H",
        sergeant,
        sets={"steps.statement.fields.vps": "declined", "steps.statement.status": StepStatus.IN_PROGRESS},
    )
    assert first.rev == 1
    second = store.update("OH-H", OTHER, sets={"steps.statement.fields.vps": "taken", "victim.name": "Sam O'Kafor"})
    assert second.rev == 2
    entry = LogEntry(at=NOW, by=OTHER, method="phone", summary="Told of arrest")
    third = store.update("OH-H", OTHER, appends={"updates": entry})
    assert third.rev == 3

    loaded = store.load("OH-H")
    got = [(h.by.number, h.rev, h.field, h.old, h.new) for h in loaded.history]
    assert got[0] == ("PS 4521", 0, "case", None, "created")
    assert got[1:5] == [
        ("PS 4521", 1, "steps.statement.fields.vps", None, "declined"),
        ("PS 4521", 1, "steps.statement.status", "not_started", "in_progress"),
        ("DC 7001", 2, "steps.statement.fields.vps", "declined", "taken"),
        ("DC 7001", 2, "victim.name", "Sam Okafor", "Sam O'Kafor"),
    ]
    assert got[5][:4] == ("DC 7001", 3, "updates+", None)
    assert json.loads(got[5][4])["summary"] == "Told of arrest"
    assert all(h.at == NOW for h in loaded.history[1:])
    assert loaded.history[1].by == sergeant
    assert loaded.field("statement", "vps") == "taken"
    assert loaded.updates == [entry]
    assert store.summary("OH-H").rev == 3


def test_update_with_nothing_new_saves_nothing(store, make_case, sergeant):
    store.create(make_case(case_id="OH-N"))
    store.update("OH-N", sergeant, sets={"steps.statement.notes": "same"})
    path = store.case_path("OH-N")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    again = store.update("OH-N", OTHER, sets={"steps.statement.notes": "same"})
    assert again.rev == 1
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        ({"steps.nope.fields.x": "y"}, "No such field: steps.nope.fields.x"),
        ({"rev": 7}, "rev cannot be changed"),
        ({"history": []}, "history cannot be changed"),
        ({"id": "OH-OTHER"}, "id cannot be changed"),
        ({"steps.statement.status": "finished-ish"}, "Cannot save steps.statement.status"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_saved(store, make_case, sergeant, sets, message):
    store.create(make_case(case_id="OH-B"))
    path = store.case_path("OH-B")
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        store.update("OH-B", sergeant, sets=sets)
    assert message in str(info.value)
    assert path.read_bytes() == before


def test_save_as_you_go(store, make_case, sergeant, tmp_path):
    store.create(make_case(case_id="OH-S"))
    store.update("OH-S", sergeant, sets={"steps.welfare_contact.fields.how_are_you": "Shaken, OK"})
    # The file on disk already holds it: no close, no flush, no second step.
    assert on_disk(store.case_path("OH-S"))["steps"]["welfare_contact"]["fields"]["how_are_you"] == "Shaken, OK"
    other = open_store(tmp_path / "store")
    assert other.load("OH-S").field("welfare_contact", "how_are_you") == "Shaken, OK"
    assert other.summary("OH-S").rev == 1
    # Every single save, not just the first.
    for n in range(5):
        store.update("OH-S", sergeant, sets={"steps.welfare_contact.notes": f"note {n}"})
        assert open_store(tmp_path / "store").load("OH-S").step("welfare_contact").notes == f"note {n}"


def test_other_instance_saves_show_after_refresh(store, make_case, sergeant, tmp_path):
    store.create(make_case(case_id="OH-R"))
    other = open_store(tmp_path / "store")
    other.update("OH-R", OTHER, sets={"steps.statement.notes": "from the other desk"})
    other.create(make_case(case_id="OH-R2"))
    assert store.summary("OH-R").rev == 0
    store.refresh()
    assert store.summary("OH-R").rev == 1
    assert sorted(s.id for s in store.summaries()) == ["OH-R", "OH-R2"]


def test_victim_cases(store, make_case):
    store.create(make_case(case_id="OH-V1", victim_number="PC 1234", occurred_at=NOW - timedelta(days=300)))
    store.create(make_case(case_id="OH-V2", victim_number="pc1234", occurred_at=NOW - timedelta(days=3)))
    store.create(make_case(case_id="OH-V3", victim_number="4321", occurred_at=NOW - timedelta(days=30)))
    assert [s.id for s in store.victim_cases("1234")] == ["OH-V1", "OH-V2"]
    assert store.victim_cases("") == []


# --- migration ------------------------------------------------------------------------------------


def v1_record(case_id: str, *, with_version: bool = True) -> dict:
    rec = {
        "id": case_id,
        "rev": 2,
        "created_at": "2025-01-10T10:30:00+00:00",
        "created_by": {"name": "PS Old Timer", "number": "2222", "role": "sergeant"},
        "victim_name": "Pat Lee",
        "victim_number": "PCSO 7777",
        "victim_role": "pcso",
        "incident": {"occurred_at": "2025-01-10T09:00:00+00:00", "offence": "racial_s29", "injury": "minor"},
        "suspect": {"identified": True, "status": "arrested"},
        "hate": ["race", "religion"],
        "steps": [
            {
                "key": "supervisor_aware",
                "status": "done",
                "at": "2025-01-10T10:00:00+00:00",
                "by": {"name": "PS Old Timer", "number": "2222", "role": ""},
                "fields": {
                    "supervisor_name": "PS Old Timer",
                    "supervisor_number": "2222",
                    "aware_at": "2025-01-10T09:30:00+00:00",
                },
            },
            {"key": "welfare_contact", "status": "in_progress", "notes": "Left a voicemail"},
        ],
        "history": [
            {
                "at": "2025-01-10T10:30:00+00:00",
                "by": {"name": "PS Old Timer", "number": "2222", "role": ""},
                "rev": 0,
                "field": "case",
                "new": "created",
            },
        ],
    }
    if with_version:
        rec["schema_version"] = 1
    return rec


def write_raw_case(store: Store, case_id: str, doc) -> Path:
    path = store.case_path(case_id)
    path.write_text(json.dumps({"case": {"1": doc}}), encoding="utf-8")
    os.chmod(path, 0o600)
    return path


@pytest.mark.parametrize("with_version", [True, False])
def test_schema_1_case_is_migrated_on_read(store, tmp_path, with_version):
    write_raw_case(store, "OH-250110-OLD1", v1_record("OH-250110-OLD1", with_version=with_version))
    fresh = open_store(tmp_path / "store")
    summary = fresh.summary("OH-250110-OLD1")
    assert not summary.damaged
    assert summary.victim_number == "PCSO7777"  # the rank is kept: a PCSO 7777 is not a PC 7777
    assert summary.done == 1
    assert summary.hate is True

    case = fresh.load("OH-250110-OLD1")
    assert isinstance(case, Case)
    assert case.schema_version == SCHEMA_VERSION
    assert (case.victim.name, case.victim.number, case.victim.role) == ("Pat Lee", "PCSO 7777", "pcso")
    assert case.hate_crime is True
    assert case.hate_strands == ["race", "religion"]
    assert set(case.steps) == {
        "supervisor_aware",
        "welfare_contact",
        "support_handover",
        "statement",
        "crime_recorded",
        "oic_assigned",
        "kept_informed",
        "longer_term",
        "outcome",
        "senior_review",
    }
    assert case.steps["supervisor_aware"].status is StepStatus.DONE
    assert case.field("supervisor_aware", "supervisor_number") == "2222"
    assert case.steps["welfare_contact"].notes == "Left a voicemail"
    assert case.steps["statement"].status is StepStatus.NOT_STARTED
    assert case.rev == 2


def test_migrated_case_can_be_saved_and_read_back(store, tmp_path, sergeant):
    path = write_raw_case(store, "OH-250110-OLD2", v1_record("OH-250110-OLD2"))
    fresh = open_store(tmp_path / "store")
    fresh.update("OH-250110-OLD2", sergeant, sets={"steps.welfare_contact.notes": "Spoke to Pat"})
    # What is on disk now is a clean record of the current schema, which reads back.
    doc = on_disk(path)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert not {"victim_name", "victim_number", "victim_role", "hate"} & set(doc)
    again = open_store(tmp_path / "store")
    case = again.load("OH-250110-OLD2")
    assert case.steps["welfare_contact"].notes == "Spoke to Pat"
    assert case.victim.name == "Pat Lee"
    assert case.rev == 3
    assert not again.summary("OH-250110-OLD2").damaged


def test_a_newer_schema_case_is_refused_untouched(store, make_case, tmp_path, sergeant):
    store.create(make_case(case_id="OH-OK"))
    doc = make_case(case_id="OH-FUTURE").model_dump(mode="json")
    doc["schema_version"] = SCHEMA_VERSION + 1
    doc["new_thing"] = {"x": 1}
    path = write_raw_case(store, "OH-FUTURE", doc)
    before = path.read_bytes()

    fresh = open_store(tmp_path / "store")
    assert "newer ophamp" in fresh.summary("OH-FUTURE").damaged
    with pytest.raises(StoreError) as info:
        fresh.load("OH-FUTURE")
    msg = str(info.value)
    assert f"schema {SCHEMA_VERSION + 1}" in msg
    assert "Update ophamp to open it" in msg
    # Not damaged, only newer: no advice to restore a backup over it.
    assert not isinstance(info.value, StoreCorruptError) and "last good copy" not in msg
    with pytest.raises(StoreError):
        fresh.update("OH-FUTURE", sergeant, sets={"steps.statement.notes": "x"})
    assert path.read_bytes() == before
    assert fresh.load("OH-OK").id == "OH-OK"


# --- damaged stores -------------------------------------------------------------------------------

DAMAGE = {
    "empty": (lambda good: b"", "is empty"),
    "blank": (lambda good: b"  \n", "is empty"),
    "truncated": (lambda good: good[: len(good) // 2], "is damaged (not complete JSON)"),
    "garbage": (lambda good: b"\x89PNG\r\n\x1a\n\x00\xff\xfe garbage \x00", "is damaged (not complete JSON)"),
    "not an object": (lambda good: b"[1, 2, 3]", "is not an ophamp file"),
    "no case": (lambda good: b'{"case": {}}', "holds no case"),
    "not a case": (lambda good: b'{"case": {"1": {"id": "OH-D", "colour": "blue"}}}', "does not hold a valid case"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_case_file_is_refused_and_left_alone(store, make_case, sergeant, tmp_path, damage):
    spoil, problem = DAMAGE[damage]
    store.create(make_case(case_id="OH-D"))
    store.update("OH-D", sergeant, sets={"steps.statement.notes": "last good"})
    store.create(make_case(case_id="OH-FINE", victim_number="4321"))
    path = store.case_path("OH-D")
    good = path.read_bytes()
    bad = spoil(good)
    path.write_bytes(bad)
    bak_before = bak_of(path).read_bytes()

    fresh = open_store(tmp_path / "store")
    damaged = fresh.summary("OH-D")
    assert damaged.id == "OH-D"
    assert problem in damaged.damaged
    assert len(fresh) == 2

    with pytest.raises(StoreCorruptError) as info:
        fresh.load("OH-D")
    msg = str(info.value)
    assert info.value.path == path
    assert str(path) in msg
    assert problem in msg
    assert "It has not been changed." in msg
    assert f"The last good copy is {bak_of(path)}" in msg
    with pytest.raises(StoreCorruptError):
        fresh.update("OH-D", sergeant, sets={"steps.statement.notes": "overwrite?"})

    assert path.read_bytes() == bad
    assert bak_of(path).read_bytes() == bak_before
    assert temp_files(tmp_path / "store") == []

    # The other case works as usual.
    fresh.update("OH-FINE", sergeant, sets={"steps.statement.notes": "fine"})
    assert open_store(tmp_path / "store").load("OH-FINE").steps["statement"].notes == "fine"

    # The advice in the message works: the .bak is the version before the last save.
    path.write_bytes(bak_of(path).read_bytes())
    recovered = open_store(tmp_path / "store")
    assert recovered.load("OH-D").rev == 0
    assert not recovered.summary("OH-D").damaged


SECRET = "Secret Victim Name"


def _copy_of(store, path):
    copy = path.with_name("OH-D-copy.json")  # a sync tool's conflict copy
    copy.write_bytes(path.read_bytes())
    return copy, "is a copy of another case's file (OH-D.json)"


def _value_as_key(store, path):
    data = json.loads(path.read_bytes())
    data["case"]["1"]["steps"] = {SECRET: {"status": SECRET}}
    path.write_text(json.dumps(data))
    return path, "does not hold a valid case (problem at steps.?"


def _dangling(store, path):
    path.unlink()
    bak_of(path).unlink()
    path.symlink_to(path.parent / "nowhere.json")
    return path, "is a link to a file that does not exist"


def _deep(store, path):
    path.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    return path, "is damaged (nested too deep to read)"


def _fifo(store, path):
    path.unlink()
    os.mkfifo(path, 0o600)  # opening it to read would wait for ever for a writer
    return path, "is not a file but a named pipe"


def _folder(store, path):
    path.unlink()
    path.mkdir()
    return path, "is not a file but a folder"


def _table_not_a_dict(store, path):
    path.write_text(json.dumps({"case": [SECRET]}))
    return path, "holds no case"


ODD_FILES = {
    "copy": _copy_of,
    "value as a key": _value_as_key,
    "dangling link": _dangling,
    "deep nesting": _deep,
    "named pipe": _fifo,
    "folder": _folder,
    "table not a dict": _table_not_a_dict,
}


@pytest.mark.parametrize("kind", list(ODD_FILES))
def test_one_odd_case_file_is_refused_alone_named_and_the_store_opens(store, make_case, sergeant, tmp_path, kind):
    import signal

    store.create(make_case(case_id="OH-D", victim_name=SECRET))
    store.update("OH-D", sergeant, sets={"steps.statement.notes": "second"})
    store.create(make_case(case_id="OH-FINE", victim_number="4321"))
    bad, problem = ODD_FILES[kind](store, store.case_path("OH-D"))
    bad_id = bad.name[: -len(".json")]
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("opening the store hung"))
    signal.alarm(20)
    try:
        fresh = open_store(tmp_path / "store")
        damaged = fresh.summary(bad_id)
        assert damaged is not None and damaged.state == "damaged"
        assert str(bad) in damaged.damaged and problem in damaged.damaged
        assert SECRET not in damaged.damaged
        with pytest.raises(StoreError) as info:
            fresh.load(bad_id)
        assert problem in str(info.value) and SECRET not in str(info.value)
        with pytest.raises(StoreError):
            fresh.update(bad_id, sergeant, sets={"steps.statement.notes": "overwrite?"})
        # Never shown twice: a copy is not a second row for the same case.
        assert [s.id for s in fresh.summaries() if not s.damaged].count("OH-D") <= 1
        fresh.update("OH-FINE", sergeant, sets={"steps.statement.notes": "fine"})
        assert open_store(tmp_path / "store").load("OH-FINE").steps["statement"].notes == "fine"
    finally:
        signal.alarm(0)
    assert os.path.lexists(bad)  # left as it was


def test_an_index_shard_replaced_by_a_folder_is_worked_round(store, make_case, sergeant, tmp_path):
    store.create(make_case(case_id="OH-IDXD"))
    shard = store._index.snapshot  # the index snapshot (one file now, no longer 64 shards)
    shard.unlink()
    shard.mkdir()
    fresh = open_store(tmp_path / "store")
    assert fresh.load("OH-IDXD").id == "OH-IDXD" and not fresh.summary("OH-IDXD").damaged
    assert any(str(shard) in n and "is not a file but a folder" in n for n in fresh.notices)
    fresh.update("OH-IDXD", sergeant, sets={"steps.statement.notes": "saved"})
    assert open_store(tmp_path / "store").load("OH-IDXD").steps["statement"].notes == "saved"
    assert shard.is_dir()


def test_the_bak_is_always_a_good_copy(store, make_case, sergeant):
    case = store.create(make_case(case_id="OH-K"))
    path = store.case_path("OH-K")
    # Straight after creating, there is no earlier version: either no .bak or a .bak holding this case.
    if bak_of(path).exists():
        assert Case.model_validate(on_disk(bak_of(path))) == case
    for n in range(3):
        before = path.read_bytes()
        store.update("OH-K", sergeant, sets={"steps.statement.notes": f"v{n}"})
        assert bak_of(path).read_bytes() == before
        assert Case.model_validate(on_disk(bak_of(path))).rev == n


def test_damaged_case_without_a_bak_says_so(store, make_case, tmp_path):
    store.create(make_case(case_id="OH-NB"))
    path = store.case_path("OH-NB")
    bak_of(path).unlink(missing_ok=True)
    path.write_bytes(b"{trunc")
    with pytest.raises(StoreCorruptError) as info:
        open_store(tmp_path / "store").load("OH-NB")
    assert "No earlier copy exists; restore it from your backups." in str(info.value)
    assert path.read_bytes() == b"{trunc"


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (b"\x00\x01 not json", StoreCorruptError, "store.json is damaged"),
        (b"", StoreCorruptError, "store.json is empty"),
        (b'{"format": "something-else", "schema": 2}', StoreCorruptError, "is not an ophamp store description"),
        (b'{"format": "ophamp-store", "schema": 99}', StoreError, "was written by a newer ophamp (schema 99)"),
        (b'{"format": "ophamp-store", "schema": "two"}', StoreError, "newer ophamp"),
    ],
)
def test_bad_store_description_is_refused(tmp_path, content, error, message):
    root = tmp_path / "store"
    open_store(root)
    (root / "store.json").write_bytes(content)
    with pytest.raises(error) as info:
        open_store(root)
    assert message in str(info.value)
    assert (root / "store.json").read_bytes() == content


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("notes.txt", "is not empty and is not an ophamp store"),
        (".bashrc", "is not empty (hidden files"),
    ],  # issue 10 item 18: hidden files count too
    ids=["a document", "only hidden files"],
)
def test_non_store_directory_is_refused_and_untouched(tmp_path, name, message):
    root = tmp_path / "documents"
    root.mkdir()
    os.chmod(root, 0o755)
    (root / name).write_text("not a store")
    with pytest.raises(StoreError) as info:
        open_store(root)
    assert message in str(info.value)
    assert sorted(p.name for p in root.iterdir()) == [name]
    assert stat.S_IMODE(root.stat().st_mode) == 0o755


def test_file_instead_of_directory_is_refused(tmp_path):
    path = tmp_path / "store"
    path.write_bytes(b"just a file")
    with pytest.raises(StoreError, match="is a file, not a store directory"):
        open_store(path)
    assert path.read_bytes() == b"just a file"
    with pytest.raises(StoreError, match="Cannot create the store"):
        open_store(path / "inside")


def test_empty_directory_becomes_a_store(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    store = open_store(root)
    assert len(store) == 0
    assert json.loads((root / "store.json").read_text())["format"] == "ophamp-store"


def test_stale_temp_files_are_cleared_on_open(store, make_case, tmp_path):
    """Under the lock no save is in flight (case files are only written holding it), so every temp file
    is left by a save killed part way, however recent: a kill -9 a moment ago leaves nothing behind."""
    store.create(make_case(case_id="OH-T"))
    old = store.cases_dir / f"{atomic.TMP_MARK}OH-T.json.deadbeef"
    old.write_bytes(b'{"half')
    long_ago = old.stat().st_mtime - 2 * atomic.STALE_AFTER
    os.utime(old, (long_ago, long_ago))
    just_killed = store.index_dir / f"{atomic.TMP_MARK}summaries.jsonl.cafef00d"
    just_killed.write_bytes(b'{"being written')
    fresh = open_store(tmp_path / "store")
    assert not old.exists() and not just_killed.exists()
    assert [s.id for s in fresh.summaries()] == ["OH-T"]


def test_temp_files_are_not_touched_while_another_process_holds_the_lock(store, make_case, tmp_path):
    store.create(make_case(case_id="OH-T"))
    old = store.cases_dir / f"{atomic.TMP_MARK}OH-T.json.deadbeef"
    old.write_bytes(b'{"half')
    long_ago = old.stat().st_mtime - 2 * atomic.STALE_AFTER
    os.utime(old, (long_ago, long_ago))
    holder = FileLock(str(tmp_path / "store" / ".lock"), thread_local=False)
    with holder:  # as another ophamp saving: no tidying while it holds the lock
        open_store(tmp_path / "store")
        assert old.exists()
    open_store(tmp_path / "store")
    assert not old.exists()


# --- faults while saving --------------------------------------------------------------------------


def fail_with(err: int):
    def boom(*_args, **_kw):
        raise OSError(err, os.strerror(err))

    return boom


@pytest.fixture
def saved_once(store, make_case, sergeant):
    store.create(make_case(case_id="OH-F"))
    store.update("OH-F", sergeant, sets={"steps.statement.notes": "first"})
    return store, store.case_path("OH-F")


PLAIN = {errno.ENOSPC: "the disk is full", errno.EIO: os.strerror(errno.EIO)}


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EIO])
@pytest.mark.parametrize("point", ["_write", "_fsync", "_replace"])
def test_fault_before_the_rename_keeps_the_old_case(saved_once, sergeant, monkeypatch, tmp_path, point, err):
    store, path = saved_once
    old, old_bak = path.read_bytes(), bak_of(path).read_bytes()
    monkeypatch.setattr(atomic, point, fail_with(err))
    with pytest.raises((atomic.WriteFailed, StoreError)) as info:
        store.update("OH-F", sergeant, sets={"steps.statement.notes": "second"})
    monkeypatch.undo()

    msg = str(info.value)
    assert msg.startswith("Could not save OH-F.json: ")
    assert PLAIN[err] in msg
    assert "What was saved before is kept" in msg or "what was saved before is kept" in msg
    assert "Errno" not in msg and "Traceback" not in msg

    assert path.read_bytes() == old
    assert bak_of(path).read_bytes() == old_bak
    assert temp_files(tmp_path / "store") == []
    assert store.summary("OH-F").rev == 1
    assert open_store(tmp_path / "store").load("OH-F").steps["statement"].notes == "first"

    # Once the fault clears, saving works again.
    assert store.update("OH-F", sergeant, sets={"steps.statement.notes": "second"}).rev == 2
    assert open_store(tmp_path / "store").load("OH-F").steps["statement"].notes == "second"


def test_fault_renaming_the_case_after_the_bak_was_made(saved_once, sergeant, monkeypatch, tmp_path):
    store, path = saved_once
    old = path.read_bytes()
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == path:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_replace(src, dst)

    monkeypatch.setattr(atomic, "_replace", replace)
    with pytest.raises((atomic.WriteFailed, StoreError)):
        store.update("OH-F", sergeant, sets={"steps.statement.notes": "second"})
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert bak_of(path).read_bytes() == old  # the last good copy is the current case
    assert temp_files(tmp_path / "store") == []


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EIO])
def test_fault_syncing_the_directory_after_the_rename_keeps_the_new_case(
    saved_once, sergeant, monkeypatch, tmp_path, err
):
    store, path = saved_once
    old = path.read_bytes()
    monkeypatch.setattr(atomic, "_fsync_dir", fail_with(err))
    with pytest.raises((atomic.WriteFailed, StoreError)) as info:
        store.update("OH-F", sergeant, sets={"steps.statement.notes": "second"})
    monkeypatch.undo()

    # The rename happened, so the user is told it was written but not confirmed (not "kept the old").
    assert isinstance(info.value, StoreError)
    assert str(info.value).startswith("OH-F was written but the disk did not confirm it")
    assert "Errno" not in str(info.value)
    assert store.summary("OH-F").rev == 2  # this window's case list shows the new state too
    doc = on_disk(path)
    assert doc["rev"] == 2
    assert doc["steps"]["statement"]["notes"] == "second"
    assert bak_of(path).read_bytes() == old
    assert temp_files(tmp_path / "store") == []
    fresh = open_store(tmp_path / "store")
    assert fresh.load("OH-F").steps["statement"].notes == "second"
    assert fresh.summary("OH-F").rev == 2


def test_failed_create_leaves_nothing(store, make_case, monkeypatch, tmp_path):
    monkeypatch.setattr(atomic, "_write", fail_with(errno.ENOSPC))
    with pytest.raises((atomic.WriteFailed, StoreError)):
        store.create(make_case(case_id="OH-NEW"))
    monkeypatch.undo()
    assert not store.case_path("OH-NEW").exists()
    assert temp_files(tmp_path / "store") == []
    assert store.summary("OH-NEW") is None
    assert open_store(tmp_path / "store").summary("OH-NEW") is None


def test_short_writes_are_completed(store, make_case, sergeant, monkeypatch, tmp_path):
    monkeypatch.setattr(atomic, "_write", lambda fd, data: os.write(fd, bytes(data[:7])))
    store.create(make_case(case_id="OH-SW"))
    store.update("OH-SW", sergeant, sets={"steps.statement.notes": "written seven bytes at a time " * 20})
    monkeypatch.undo()
    assert open_store(tmp_path / "store").load("OH-SW").steps["statement"].notes.startswith("written seven")


def test_busy_store_saves_nothing(store, make_case, sergeant, tmp_path):
    store.create(make_case(case_id="OH-L"))
    path = store.case_path("OH-L")
    before = path.read_bytes()
    impatient = open_store(tmp_path / "store", lock_timeout=0.2)
    with FileLock(str(tmp_path / "store" / ".lock")):
        with pytest.raises(StoreBusyError) as info:
            impatient.update("OH-L", sergeant, sets={"steps.statement.notes": "x"})
    assert "Nothing was saved" in str(info.value)
    assert path.read_bytes() == before
    # Free again: it saves.
    assert impatient.update("OH-L", sergeant, sets={"steps.statement.notes": "x"}).rev == 1


# --- the index is a cache -------------------------------------------------------------------------


@pytest.fixture
def busy_store(store, make_case, sergeant):
    store.create_many(fictional_cases(24, seed=99, now=NOW))
    store.create(make_case(case_id="OH-IDX"))
    store.update("OH-IDX", sergeant, sets={"steps.statement.notes": "indexed", "incident.offence": "abh_s47"})
    return store


def snapshot(store: Store) -> list[dict]:
    return sorted(store.summaries(), key=lambda s: s.id)


def test_index_rebuilt_when_deleted(busy_store, tmp_path):
    before = snapshot(busy_store)
    assert len(before) == 25
    for shard in busy_store.index_dir.iterdir():
        shard.unlink()
    fresh = open_store(tmp_path / "store")
    assert snapshot(fresh) == before
    assert any(busy_store.index_dir.iterdir())  # and written again


def test_index_rebuilt_when_index_dir_removed(busy_store, tmp_path):
    before = snapshot(busy_store)
    for shard in busy_store.index_dir.iterdir():
        shard.unlink()
    busy_store.index_dir.rmdir()
    assert snapshot(open_store(tmp_path / "store")) == before


@pytest.mark.parametrize(
    "junk",
    [b"", b"\x00garbage{{{", b"[1, 2]", b'{"index": [1, 2]}', b'{"index": {"OH-GHOST": 5, "OH-IDX": "text"}}'],
)
def test_index_rebuilt_when_shards_are_damaged(busy_store, tmp_path, junk):
    before = snapshot(busy_store)
    for name in ("summaries.jsonl", "journal.jsonl"):
        (busy_store.index_dir / name).write_bytes(junk)
    fresh = open_store(tmp_path / "store")
    assert snapshot(fresh) == before


def test_stale_index_entries_are_corrected(busy_store, tmp_path, sergeant):
    before = snapshot(busy_store)
    journal = busy_store._index.journal
    line = next(json.loads(x) for x in journal.read_bytes().splitlines()[::-1] if json.loads(x)[0] == "OH-IDX")
    entry = dict(zip(ROW, line, strict=True))
    entry.update(rev=99, victim_name="Wrong", file_size=1)
    gone = dict(entry, id="OH-GONE", file_size=10)
    with journal.open("a") as f:  # as if these had been saved last
        for e in (entry, gone):
            f.write(json.dumps([e[k] for k in ROW]) + "\n")
    assert snapshot(open_store(tmp_path / "store")) == before


def test_case_file_removed_behind_the_stores_back(busy_store, tmp_path):
    path = busy_store.case_path("OH-IDX")
    bak_of(path).unlink(missing_ok=True)
    path.unlink()
    fresh = open_store(tmp_path / "store")
    assert fresh.summary("OH-IDX") is None  # no file and no last good copy: nothing to show
    assert len(fresh) == 24


def test_a_deleted_case_file_whose_last_good_copy_remains_is_listed_as_missing(store, make_case, sergeant, tmp_path):
    store.create(make_case(case_id="OH-GONE", victim_name="Secret Victim"))
    store.update("OH-GONE", sergeant, sets={"steps.statement.notes": "second"})  # so a .bak exists
    store.create(make_case(case_id="OH-STAYS"))
    path = store.case_path("OH-GONE")
    path.unlink()
    fresh = open_store(tmp_path / "store")
    expected = (
        "OH-GONE: the case file is missing; its last good copy OH-GONE.json.bak is there: "
        "copy it to OH-GONE.json to restore it."
    )
    assert fresh.summary("OH-GONE").damaged == expected
    with pytest.raises(StoreError) as info:
        fresh.load("OH-GONE")
    assert str(info.value) == expected
    assert fresh.load("OH-STAYS").id == "OH-STAYS"
    # The advice works.
    path.write_bytes(bak_of(path).read_bytes())
    restored = open_store(tmp_path / "store")
    assert not restored.summary("OH-GONE").damaged and restored.load("OH-GONE").rev == 0


def test_when_the_last_good_copy_is_damaged_too_it_is_not_offered(store, make_case, sergeant, tmp_path):
    store.create(make_case(case_id="OH-BOTH"))
    store.update("OH-BOTH", sergeant, sets={"steps.statement.notes": "second"})
    path = store.case_path("OH-BOTH")
    path.write_bytes(b"{trunc")
    bak_of(path).write_bytes(b"\x00 also damaged")
    fresh = open_store(tmp_path / "store")
    with pytest.raises(StoreCorruptError) as info:
        fresh.load("OH-BOTH")
    msg = str(info.value)
    assert "copy it over" not in msg
    assert f"Its last good copy {bak_of(path)} is damaged too" in msg and "restore the case from your backups" in msg
    assert "damaged too" in fresh.summary("OH-BOTH").damaged


# --- file modes -----------------------------------------------------------------------------------


def test_every_file_is_private(tmp_path, make_case, sergeant):
    old_umask = os.umask(0)  # the most permissive: the store must not rely on the umask
    try:
        root = tmp_path / "store"
        store = open_store(root)
        store.create_many(fictional_cases(5, seed=3, now=NOW))
        store.create(make_case(case_id="OH-M"))
        for n in range(3):
            store.update("OH-M", sergeant, sets={"steps.statement.notes": f"v{n}"})
        open_store(root)  # a second instance, as another user on the same workstation would
    finally:
        os.umask(old_umask)

    names = {p.relative_to(root).as_posix() for p in root.rglob("*")}
    assert {"store.json", ".lock", "cases/OH-M.json", "cases/OH-M.json.bak"} <= names
    assert any(n.startswith("index/") and n.endswith(".jsonl") for n in names)
    checked = 0
    for dirpath, _dirnames, filenames in os.walk(root):
        assert stat.S_IMODE(os.stat(dirpath).st_mode) == 0o700, dirpath
        for name in filenames:
            full = os.path.join(dirpath, name)
            assert stat.S_IMODE(os.stat(full).st_mode) == 0o600, full
            checked += 1
    assert checked >= 10


def test_existing_empty_directory_is_made_private(tmp_path):
    root = tmp_path / "shared"
    root.mkdir()
    os.chmod(root, 0o777)
    open_store(root)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


# --- two users at once ----------------------------------------------------------------------------

WORKER_COUNT = 30


def _worker(root: str, case_id: str, tag: str, step_key: str, barrier) -> None:
    store = Store(root, lock_timeout=60)
    who = Actor(name=f"Worker {tag}", number=f"9{tag}00" if tag.isdigit() else tag)
    at = datetime(2026, 6, 9, 10, tzinfo=UTC)
    barrier.wait(timeout=60)
    for i in range(WORKER_COUNT):
        store.update(
            case_id,
            who,
            sets={f"steps.{step_key}.notes": f"{tag} {i}"},
            appends={"updates": LogEntry(at=at, by=who, recorded_at=at, summary=f"{tag} {i}")},
        )


def run_workers(jobs: list[tuple]) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(jobs))
    procs = [ctx.Process(target=_worker, args=(*job, barrier)) for job in jobs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    for p in procs:
        if p.is_alive():
            p.kill()
    assert [p.exitcode for p in procs] == [0] * len(procs)


def test_two_processes_same_case_lose_nothing(store, make_case, tmp_path):
    store.create(make_case(case_id="OH-MP"))
    root = str(tmp_path / "store")
    run_workers([(root, "OH-MP", "A", "statement"), (root, "OH-MP", "B", "welfare_contact")])

    case = open_store(tmp_path / "store").load("OH-MP")
    assert case.rev == 2 * WORKER_COUNT
    assert case.steps["statement"].notes == f"A {WORKER_COUNT - 1}"
    assert case.steps["welfare_contact"].notes == f"B {WORKER_COUNT - 1}"
    summaries = [u.summary for u in case.updates]
    assert len(summaries) == 2 * WORKER_COUNT
    for tag in "AB":
        # Every save is there, in the order that worker made them.
        assert [s for s in summaries if s.startswith(tag)] == [f"{tag} {i}" for i in range(WORKER_COUNT)]
    # The history has every entry: one rev per save, two entries (the field and the log) per rev.
    history = case.history[1:]
    assert len(history) == 4 * WORKER_COUNT
    assert sorted({h.rev for h in history}) == list(range(1, 2 * WORKER_COUNT + 1))
    for tag, step_key in (("A", "statement"), ("B", "welfare_contact")):
        news = [h.new for h in history if h.field == f"steps.{step_key}.notes"]
        assert news == [f"{tag} {i}" for i in range(WORKER_COUNT)]
        olds = [h.old for h in history if h.field == f"steps.{step_key}.notes"]
        assert olds == [""] + [f"{tag} {i}" for i in range(WORKER_COUNT - 1)]


def _two_ids_in_one_shard() -> tuple[str, str]:
    # The index is one journal now: every save appends to it, so any two cases share it.
    return "OH-260608-P000", "OH-260608-P001"


def test_two_processes_different_cases_lose_nothing(store, make_case, tmp_path):
    one, two = _two_ids_in_one_shard()  # the same index shard, to make the index work hardest
    store.create(make_case(case_id=one))
    store.create(make_case(case_id=two, victim_number="4321"))
    root = str(tmp_path / "store")
    run_workers([(root, one, "A", "statement"), (root, two, "B", "statement")])

    fresh = open_store(tmp_path / "store")
    for case_id, tag in ((one, "A"), (two, "B")):
        case = fresh.load(case_id)
        assert case.rev == WORKER_COUNT
        assert [u.summary for u in case.updates] == [f"{tag} {i}" for i in range(WORKER_COUNT)]
        assert [h.new for h in case.history if h.field == "steps.statement.notes"] == [
            f"{tag} {i}" for i in range(WORKER_COUNT)
        ]
        assert fresh.summary(case_id).rev == WORKER_COUNT
    # The long-running instance catches up too.
    store.refresh()
    assert store.summary(one).rev == store.summary(two).rev == WORKER_COUNT


# --- editing conflicts ----------------------------------------------------------------------------


def test_conflict_on_the_same_field_merge_on_another(store, make_case, sergeant, tmp_path):
    store.create(make_case(case_id="OH-C"))
    seen_rev = store.load("OH-C").rev
    other_desk = open_store(tmp_path / "store")
    other_desk.update("OH-C", OTHER, sets={"steps.statement.fields.vps": "taken"}, base_rev=seen_rev)

    with pytest.raises(ConflictError) as info:
        store.update("OH-C", sergeant, sets={"steps.statement.fields.vps": "declined"}, base_rev=seen_rev)
    assert info.value.fields == ["steps.statement.fields.vps"]
    msg = str(info.value)
    assert "DC Lee Marsh (DC 7001) changed this at 10/06/2026 13:00" in msg
    assert "Your change was not saved" in msg
    kept = store.load("OH-C")
    assert kept.field("statement", "vps") == "taken"
    assert kept.rev == 1

    # A different field, from the same stale view, is merged.
    merged = store.update("OH-C", sergeant, sets={"steps.statement.fields.impact": "Anxious"}, base_rev=seen_rev)
    assert merged.rev == 2
    assert merged.field("statement", "vps") == "taken"
    assert merged.field("statement", "impact") == "Anxious"
    # So are log entries.
    entry = LogEntry(at=NOW, by=sergeant, summary="Called")
    assert store.update("OH-C", sergeant, appends={"updates": entry}, base_rev=seen_rev).rev == 3
    # Having reloaded, the user can change the field.
    assert store.update("OH-C", sergeant, sets={"steps.statement.fields.vps": "declined"}, base_rev=3).rev == 4
    assert open_store(tmp_path / "store").load("OH-C").field("statement", "vps") == "declined"


def test_no_conflict_without_base_rev_or_when_current(store, make_case, sergeant):
    store.create(make_case(case_id="OH-C2"))
    store.update("OH-C2", OTHER, sets={"steps.statement.notes": "theirs"})
    assert store.update("OH-C2", sergeant, sets={"steps.statement.notes": "mine"}).rev == 2
    assert store.update("OH-C2", sergeant, sets={"steps.statement.notes": "mine again"}, base_rev=2).rev == 3


# --- opening a store while another process saves (issue 10, item 9) ---------------------------------


def _saver(root: str, seconds: float, result) -> None:
    store = Store(root, lock_timeout=30)
    who = Actor(name="Saver", number="9999")
    failed = saved = 0
    end = __import__("time").monotonic() + seconds
    while __import__("time").monotonic() < end:
        try:
            store.update("OH-SAVE", who, sets={"steps.statement.notes": f"n {saved}"})
            saved += 1
        except StoreError:
            failed += 1
    result.put((saved, failed))


def test_opening_a_store_never_breaks_another_process_save_in_flight(store, make_case, tmp_path):
    store.create(make_case(case_id="OH-SAVE"))
    ctx = multiprocessing.get_context("spawn")
    result = ctx.Queue()
    proc = ctx.Process(target=_saver, args=(str(tmp_path / "store"), 4.0, result))
    proc.start()
    opened = 0
    while proc.is_alive():
        open_store(tmp_path / "store")  # as a second ophamp, `ophamp seed` or a `serve` tab starting
        opened += 1
    saved, failed = result.get(timeout=30)
    proc.join(timeout=30)
    assert saved > 50 and opened > 50
    assert failed == 0, f"{failed} of {saved + failed} saves failed while the store was opened {opened} times"


# --- what becomes a store, and what is refused (issue 10, items 17, 18) -----------------------------


def test_an_empty_read_only_directory_is_refused_not_chmodded(tmp_path):
    root = tmp_path / "ro"
    root.mkdir()
    os.chmod(root, 0o555)
    try:
        with pytest.raises(StoreError, match="is read-only, so no store can be made in it"):
            open_store(root)
        assert stat.S_IMODE(root.stat().st_mode) == 0o555 and list(root.iterdir()) == []
    finally:
        os.chmod(root, 0o700)


def test_a_store_its_owner_made_read_only_stays_read_only(store, make_case, sergeant, tmp_path):
    store.create(make_case(case_id="OH-RO"))
    root = tmp_path / "store"
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            os.chmod(path, 0o500)
    try:
        fresh = open_store(root)
        assert fresh.read_only and fresh.load("OH-RO").id == "OH-RO"
        assert any("saving is not possible" in n for n in fresh.notices)
        with pytest.raises(StoreError, match="read-only"):
            fresh.update("OH-RO", sergeant, sets={"steps.statement.notes": "x"})
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o500 for p in [root, *root.rglob("*")] if p.is_dir())
    finally:
        for path in [root, *root.rglob("*")]:
            if path.is_dir():
                os.chmod(path, 0o700)


def test_a_deleted_store_json_is_made_again_from_readable_cases(store, make_case, tmp_path):
    store.create(make_case(case_id="OH-META"))
    root = tmp_path / "store"
    (root / "store.json").unlink()
    fresh = open_store(root)
    assert fresh.load("OH-META").id == "OH-META"
    assert json.loads((root / "store.json").read_text())["format"] == "ophamp-store"
    assert any("store.json was missing. ophamp made it again" in n for n in fresh.notices)


def test_a_deleted_store_json_with_no_readable_case_says_what_to_do(store, make_case, tmp_path):
    store.create(make_case(case_id="OH-META"))
    root = tmp_path / "store"
    (root / "store.json").unlink()
    store.case_path("OH-META").write_bytes(b"{trunc")
    with pytest.raises(StoreError) as info:
        open_store(root)
    msg = str(info.value)
    assert "store.json is missing" in msg and "Restore store.json" in msg and "not an ophamp store" not in msg
    assert not (root / "store.json").exists()


# --- the ophamp command on a store it cannot read (issue 10, item 16) --------------------------------

# Runs the real `ophamp` entry point; "no permission" denies listing the store's folder (as a 0000
# folder would; simulated because these tests may run as root, who is never denied).
_CLI = """
import os, sys
root = sys.argv[1]
if sys.argv[2] == "no permission":
    real = os.scandir, os.listdir
    def deny(path=".", _real=None):
        if os.path.abspath(str(path)).startswith(root):
            raise PermissionError(13, "Permission denied", str(path))
    os.scandir = lambda path=".": deny(path) or real[0](path)
    os.listdir = lambda path=".": deny(path) or real[1](path)
from ophamp_tui.__main__ import main
sys.exit(main(["--store", root]))
"""


def _spoil_for_cli(root: Path, how: str) -> None:
    open_store(root)
    if how == "cases is a file":
        os.rmdir(root / "cases")
        (root / "cases").write_text("not a folder")
    elif how == "store.json is a folder":
        (root / "store.json").unlink()
        (root / "store.json").mkdir()
    elif how == "store.json is a named pipe":
        (root / "store.json").unlink()
        os.mkfifo(root / "store.json", 0o600)


@pytest.mark.parametrize(
    "how", ["no permission", "cases is a file", "store.json is a folder", "store.json is a named pipe"]
)
def test_the_command_on_an_unreadable_store_says_one_line_and_exits(tmp_path, how):
    import subprocess
    import sys

    root = tmp_path / "store"
    _spoil_for_cli(root, how)
    proc = subprocess.run(
        [sys.executable, "-c", _CLI, str(root), how],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ophamp: ") and str(root) in lines[0], proc.stderr
