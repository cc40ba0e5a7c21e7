"""Models, rules, the checklist definition and the store. No Textual in here."""

from .checklist import STEP_KEYS, STEPS, FieldDef, StepDef, step
from .clock import DateInputError, fmt_local, now_utc, parse_local
from .edits import EditError, new_case
from .models import Actor, Case, HistoryEntry, Incident, LogEntry, StepRecord, StepStatus, Suspect, Victim
from .store import ConflictError, Store, StoreBusyError, StoreCorruptError, StoreError
from .summary import CaseSummary

__all__ = [
    "STEP_KEYS",
    "STEPS",
    "FieldDef",
    "StepDef",
    "step",
    "DateInputError",
    "fmt_local",
    "now_utc",
    "parse_local",
    "EditError",
    "new_case",
    "Actor",
    "Case",
    "HistoryEntry",
    "Incident",
    "LogEntry",
    "StepRecord",
    "StepStatus",
    "Suspect",
    "Victim",
    "ConflictError",
    "Store",
    "StoreBusyError",
    "StoreCorruptError",
    "StoreError",
    "CaseSummary",
]
