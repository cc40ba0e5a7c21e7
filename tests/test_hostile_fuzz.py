"""Hostile text through the data layer: parse, save, reload; no control code is ever stored.

The fuzz lives in benchmarks/hostile_fuzz.py, which runs 10,000 examples (figures in
RELIABILITY.md); here it runs a couple of hundred so CI stays fast.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.hostile_fuzz import Stats, check_files, run
from ophamp_tui.data.models import Actor, Victim
from ophamp_tui.data.text import clean_text

EXAMPLES = 200


def test_hostile_text_is_stored_clean(tmp_path):
    stats = run(EXAMPLES, tmp_path)
    assert stats.examples >= EXAMPLES
    assert stats.bad_bytes == 0
    assert stats.values_stored > 0 and stats.names_checked > 0
    assert stats.refused > 0  # the explicit examples include text too long for its field
    assert stats.longest > 100_000
    assert stats.files_scanned >= 3 * EXAMPLES


@pytest.mark.parametrize("bad", ["\x1b[31m", "\x9b", "\u202e", "\x00", "\x85"])
def test_the_disk_check_notices_control_codes(tmp_path, bad):
    """Negative control: a file holding a control code, raw or JSON-escaped, is caught."""
    (tmp_path / "raw.json").write_bytes(
        json.dumps({"x": "a" + bad}, ensure_ascii=False).encode("utf-8", "surrogatepass")
    )
    with pytest.raises(AssertionError):
        check_files(tmp_path, Stats())
    (tmp_path / "raw.json").unlink()
    (tmp_path / "escaped.json").write_text(json.dumps({"x": "a" + bad}, ensure_ascii=True))
    with pytest.raises(AssertionError):
        check_files(tmp_path, Stats())


def test_a_name_cut_at_a_space_reads_back_the_same():
    """Found by the fuzz: a 500-character cut landing on a space left a trailing space, which the
    next load trimmed, so a saved name changed when read back."""
    long = "[/]\t" * 200  # 800 characters; cleaned, the cut at 500 falls on a space
    once = clean_text(long, max_len=500)
    assert once == clean_text(once, max_len=500)
    assert not once.endswith(" ")
    for model in (Actor(name=long, number=long), Victim(name=long, number=long)):
        again = type(model).model_validate(model.model_dump(mode="json"))
        assert again == model
