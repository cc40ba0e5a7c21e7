"""Shared fixtures. Data layer: a fixed clock, a sergeant, a case factory and a store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ophamp_tui.data import Actor, Incident, Store, Victim, new_case

# Wednesday 10 June 2026, 13:00 London time (BST): a normal working day, well away from clock changes.
DATA_NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def sergeant() -> Actor:
    return Actor(name="PS Dana Holt", number="PS 4521", role="sergeant")


@pytest.fixture
def make_case(sergeant):
    """``make_case(victim_number=..., occurred_at=..., **new_case kwargs)``: a new, valid case."""

    def make(
        *,
        victim_number: str = "PC 1234",
        victim_name: str = "Sam Okafor",
        occurred_at: datetime = datetime(2026, 6, 8, 8, 0, tzinfo=UTC),  # Mon 09:00 BST
        offence: str = "aew_s1",
        case_id: str | None = None,
        created_at: datetime | None = None,
        **kwargs,
    ):
        return new_case(
            victim=Victim(name=victim_name, number=victim_number),
            incident=Incident(occurred_at=occurred_at, offence=offence, location="Custody suite"),
            by=sergeant,
            now=created_at or occurred_at,
            case_id=case_id,
            **kwargs,
        )

    return make


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store", clock=lambda: DATA_NOW)
