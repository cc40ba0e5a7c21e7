"""The case record (pydantic v2). Times are aware datetimes in UTC."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .checklist import STEP_KEYS
from .clock import as_utc, iso, now_utc
from .text import clean_text

SCHEMA_VERSION = 3
# The years a stored date may fall in. What users type is held to tighter bounds (clock.parse_local).
MIN_YEAR, MAX_YEAR = 1900, 2200

FieldValue = str | bool | None


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {
            "not_started": "Not started",
            "in_progress": "In progress",
            "done": "Done",
            "not_applicable": "Not applicable",
        }[self.value]

    @property
    def finished(self) -> bool:
        return self in (StepStatus.DONE, StepStatus.NOT_APPLICABLE)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _utc(value: datetime | None) -> datetime | None:
    """In UTC, and within the years a case can hold (a date outside them is a damaged record)."""
    if value is None:
        return None
    try:
        value = as_utc(value)
    except OverflowError:
        raise ValueError("a date far outside the years a case can hold") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"a date outside {MIN_YEAR} to {MAX_YEAR}")
    return value


class Actor(_Model):
    """Someone who did something: name, collar/staff number, role."""

    name: str
    number: str
    role: str = ""

    @field_validator("name", "number", "role")
    @classmethod
    def _clean(cls, v: str) -> str:
        return clean_text(v, max_len=500)

    def short(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name


class Victim(_Model):
    name: str
    number: str  # collar/staff number as entered, rank prefix included ("PCSO 7716")
    role: str = "police_officer"
    staff_no: str = ""  # warrant/staff number: unique in the force
    age_band: str = ""  # optional, for the national assaults data
    service_band: str = ""

    @field_validator("name", "number", "staff_no")
    @classmethod
    def _clean(cls, v: str) -> str:
        return clean_text(v, max_len=500)


class Incident(_Model):
    occurred_at: datetime
    location: str = ""
    location_type: str = ""
    context: str = ""
    cad_ref: str = ""
    offence: str = "aew_s1"
    offence_other: str = ""
    methods: list[str] = Field(default_factory=list)
    injury: str = "none"
    body_parts: list[str] = Field(default_factory=list)
    medical: str = "none"
    impact: list[str] = Field(default_factory=list)
    impact_notes: str = ""
    on_duty: bool = True
    single_crewed: bool = False
    equipment: list[str] = Field(default_factory=list)  # PPE, body-worn video, spit guard, Taser
    suspects: int = Field(default=1, ge=0, le=999)
    linked: list[str] = Field(default_factory=list)  # other colleagues' cases from the same incident

    _utc_at = field_validator("occurred_at")(classmethod(lambda cls, v: _utc(v)))


class Suspect(_Model):
    identified: bool = False
    status: str = "not_identified"


class StepRecord(_Model):
    status: StepStatus = StepStatus.NOT_STARTED
    na_reason: str = ""
    by: Actor | None = None  # who last changed its status
    at: datetime | None = None  # when its status last changed
    notes: str = ""
    fields: dict[str, FieldValue] = Field(default_factory=dict)

    _utc_at = field_validator("at")(classmethod(lambda cls, v: _utc(v)))


def new_id(prefix: str = "") -> str:
    return prefix + secrets.token_hex(4)


class LogEntry(_Model):
    """A dated entry in one of the case's logs."""

    id: str = Field(default_factory=new_id)
    at: datetime  # when it happened
    by: Actor  # who recorded it
    recorded_at: datetime = Field(default_factory=now_utc)
    method: str = ""  # phone / in person / email / video, for contacts
    kind: str = ""  # suspect status, referral service...
    summary: str = ""
    done_at: datetime | None = None  # referrals: when the referral was made
    until: datetime | None = None  # pre-charge bail: when it ends

    _utc_at = field_validator("at", "recorded_at", "done_at", "until")(classmethod(lambda cls, v: _utc(v)))


class HistoryEntry(_Model):
    """One change, kept for ever: who, when, which field, old and new."""

    at: datetime
    by: Actor
    rev: int
    field: str
    old: str | None = None
    new: str | None = None


class Case(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str
    rev: int = 0
    created_at: datetime
    created_by: Actor
    victim: Victim
    incident: Incident
    suspect: Suspect = Field(default_factory=Suspect)
    hate_crime: bool = False
    hate_strands: list[str] = Field(default_factory=list)
    persistently_targeted: bool = False  # Victims' Code enhanced rights
    vulnerable_intimidated: bool = False
    fictional: bool = False  # made up (ophamp seed, training): marked wherever it is shown
    steps: dict[str, StepRecord] = Field(default_factory=lambda: {k: StepRecord() for k in STEP_KEYS})
    updates: list[LogEntry] = Field(default_factory=list)  # victim updates (step 7)
    status_history: list[LogEntry] = Field(default_factory=list)  # suspect status changes
    welfare_contacts: list[LogEntry] = Field(default_factory=list)  # step 8
    referrals: list[LogEntry] = Field(default_factory=list)  # step 8
    closed_reason: str = ""  # closing early, with the reason
    closed_at: datetime | None = None
    history: list[HistoryEntry] = Field(default_factory=list)

    _utc_at = field_validator("created_at", "closed_at")(classmethod(lambda cls, v: _utc(v)))

    @field_validator("steps")
    @classmethod
    def _all_steps(cls, v: dict[str, StepRecord]) -> dict[str, StepRecord]:
        # Every step of the checklist is present, even one added after the case was made.
        for key in STEP_KEYS:
            v.setdefault(key, StepRecord())
        return v

    def step(self, key: str) -> StepRecord:
        return self.steps[key]

    def field(self, step_key: str, field_key: str) -> Any:
        return self.steps[step_key].fields.get(field_key)

    def value_at(self, path: str) -> Any:
        """The stored value at a dotted path (``incident.medical``, ``steps.statement.fields.vps``,
        ``referrals.0.done_at``), as the store holds it (times as ISO text); None if there is none."""
        node: Any = self
        for part in path.split("."):
            if isinstance(node, BaseModel):
                node = getattr(node, part, None)
            elif isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        if isinstance(node, datetime):
            return iso(node)
        if isinstance(node, BaseModel):
            return node.model_dump(mode="json")
        if isinstance(node, StrEnum):
            return node.value
        return list(node) if isinstance(node, list) else node
