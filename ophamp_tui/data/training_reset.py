"""Trainer's resets of the training store: one scenario back as it was, or all of them.

Both work under the store's lock (``CaseStore.locked``), so a learner's save in another ophamp or
browser tab lands wholly before or wholly after the reset, never half way. Only a training store (its
``TRAINING`` marker) is ever reset. For the app's command palette and for ``ophamp serve --reset``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .models import Case
from .scenarios import is_training_store, load_scenarios
from .store_api import CaseStore, StoreError


def _refuse_unless_training(store: CaseStore) -> None:
    root = getattr(store, "root", None)
    if root is None or not is_training_store(Path(root)):
        raise StoreError("This is not a training store: nothing was reset. Resets are for training only.")


def scenario_for(case_id: str, now: datetime) -> tuple[str, Case] | None:
    """(title, the case as the scenario starts) for a training case id; None if it is no scenario's."""
    for scenario in load_scenarios(now):
        if scenario.case_id == case_id:
            return scenario.title, scenario.case
    return None


def reset_scenario(store: CaseStore, case_id: str, now: datetime) -> str:
    """Put one scenario's case back as it was (everything a class did to it goes; every other case is
    kept as it is). Returns the scenario's title. StoreError if this is not a training store or the
    case is not a scenario's; nothing is changed then."""
    _refuse_unless_training(store)
    found = scenario_for(case_id, now)
    if found is None:
        raise StoreError(f"{case_id} is not one of the training scenarios: nothing was reset.")
    title, fresh = found
    with store.locked():
        others = [store.load(s.id) for s in store.summaries() if s.id != case_id]
        store.replace_all([*others, fresh])
    return title


def reset_all(store: CaseStore, now: datetime) -> int:
    """Every scenario back as it was and the class's own cases gone, as ``ophamp demo --reset`` does
    (``install_training(root, now, reset=True)`` is the same for a store not open here). Returns how many
    scenarios. StoreError if this is not a training store; nothing is changed then."""
    _refuse_unless_training(store)
    cases = [s.case for s in load_scenarios(now)]  # before the lock: a damaged file changes nothing
    with store.locked():
        store.replace_all(cases)
    return len(cases)
