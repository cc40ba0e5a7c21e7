"""Realistic fictional cases for training, demonstrations and benchmarks.

Every name here is invented. Cases vary in offence, injury, how far they have
got, the suspect's path and the outcome; some are overdue and some victims
appear more than once (repeat victims).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from . import choices as C
from .checklist import STEPS, StepDef
from .clock import as_utc, iso, now_utc
from .deadlines import hs_reason
from .edits import ID_ALPHABET
from .models import Actor, Case, HistoryEntry, Incident, LogEntry, StepStatus, Suspect, Victim

FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ellie",
    "Femi",
    "Grace",
    "Harry",
    "Isla",
    "Jamal",
    "Kasia",
    "Liam",
    "Maya",
    "Niall",
    "Olu",
    "Priya",
    "Quinn",
    "Rhys",
    "Sana",
    "Tom",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Ashdown",
    "Bramley",
    "Carver",
    "Dunmore",
    "Ellery",
    "Fenwick",
    "Garside",
    "Hollis",
    "Ingram",
    "Jessop",
    "Kettle",
    "Lowther",
    "Marsh",
    "Northcott",
    "Ormerod",
    "Pask",
    "Quayle",
    "Rudd",
    "Selby",
    "Tarrant",
]
PLACES = [
    "custody suite, Northgate",
    "High Street outside the Crown",
    "A&E waiting room",
    "Riverside estate",
    "Market Square",
    "Station Road layby",
    "football ground, north stand",
    "bus station concourse",
]
IMPACT_NOTES = [
    "Not sleeping well; worried about going back on the same beat.",
    "Family upset; partner wants them to change role.",
    "Confidence knocked when dealing with groups.",
    "Anxious awaiting blood test results after spitting.",
    "",
]


RANK_OF_ROLE = {"police_officer": "PC", "police_staff": "S", "pcso": "PCSO", "special": "SC", "volunteer": "V"}


def _person(rng: random.Random, rank: str = "") -> Actor:
    name = f"{rank} {rng.choice(FIRST)} {rng.choice(LAST)}".strip()
    return Actor(name=name, number=f"{rank} {rng.randint(1000, 9999)}".strip())


def fictional_case(
    rng: random.Random, now: datetime, victim: Victim | None = None, taken: set[str] | None = None
) -> Case:
    """One case at a random point of its story."""
    occurred = as_utc(now) - timedelta(days=rng.choice([0, 0, 1, 2, 5, 10, 20, 40, 90, 200]), hours=rng.randint(1, 20))
    role = rng.choice([r for r, _ in C.VICTIM_ROLES])
    victim = victim or Victim(
        name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        number=f"{RANK_OF_ROLE[role]} {rng.randint(10000, 99999)}",
        role=role,
        staff_no=f"W{rng.randint(100000, 999999)}" if rng.random() < 0.6 else "",
        age_band=rng.choice(["", *(v for v, _ in C.AGE_BANDS)]),
        service_band=rng.choice(["", *(v for v, _ in C.SERVICE_BANDS)]),
    )
    offence = rng.choice([o for o, _ in C.OFFENCES if o != "other"])
    methods = rng.sample([m for m, _ in C.METHODS if m != "other"], rng.choice([1, 1, 1, 2]))
    injury = rng.choice(["none", "none", "minor", "minor", "abh", "serious"])
    hate = offence == "racial_s29" or rng.random() < 0.08
    sergeant = _person(rng, "PS")
    case = Case(
        id=_new_id(rng, occurred, taken),
        created_at=min(as_utc(now), occurred + timedelta(minutes=rng.randint(10, 90))),
        created_by=sergeant,
        victim=victim,
        incident=Incident(
            occurred_at=occurred,
            location=rng.choice(PLACES),
            location_type=rng.choice([v for v, _ in C.LOCATION_TYPES]),
            context=rng.choice([v for v, _ in C.CONTEXTS]),
            offence=offence,
            methods=methods,
            injury=injury,
            body_parts=rng.sample([v for v, _ in C.BODY_PARTS], rng.randint(0, 2)) if injury != "none" else [],
            on_duty=rng.random() < 0.97,
            single_crewed=rng.random() < 0.3,
            equipment=rng.sample([v for v, _ in C.EQUIPMENT], rng.randint(0, 3)),
            suspects=rng.choice([1, 1, 1, 2, 3]),
            medical={"none": "none", "minor": "first_aid", "abh": "ae", "serious": "admitted"}[injury],
            impact=rng.sample([i for i, _ in C.IMPACTS], rng.randint(0, 3)),
            impact_notes=rng.choice(IMPACT_NOTES),
        ),
        suspect=Suspect(identified=rng.random() < 0.85, status="identified"),
        hate_crime=hate,
        hate_strands=[rng.choice([s for s, _ in C.HATE_STRANDS])] if hate else [],
        fictional=True,
    )
    age = as_utc(now) - occurred
    # How far the story has got: older cases are further on, but some are stuck (attrition points).
    reach = min(len(STEPS), int(age.days / 6) + rng.randint(0, 6))
    oic = _person(rng, "DC")
    for sdef in STEPS[:reach]:
        if sdef.key == "senior_review" and rng.random() < 0.5:
            break
        at = min(as_utc(now), occurred + timedelta(hours=1 + sdef.number * rng.randint(2, 30)))
        rec = case.steps[sdef.key]
        if sdef.key == "support_handover" and rng.random() < 0.1:
            rec.status, rec.na_reason = (
                StepStatus.NOT_APPLICABLE,
                "Victim back on duty the same shift, no duties to hand over.",
            )
        else:
            rec.status = StepStatus.DONE
        rec.by, rec.at = sergeant, at
        rec.fields = _fields(rng, sdef, at, sergeant, oic, case)
    _story(rng, case, now, oic)
    case.history.append(HistoryEntry(at=case.created_at, by=sergeant, rev=0, field="case", new="created (fictional)"))
    return case


def _any_fields(sdef: StepDef, at: datetime) -> dict[str, Any]:
    """Plausible values for a step the seed has no story for (one added to the checklist)."""
    values: dict[str, Any] = {}
    for f in sdef.fields:
        if f.path or not (f.required or f.must_be_true):
            continue
        first = f.choices[0][0] if f.choices else ""
        values[f.key] = {
            "select": first,
            "multi": [first] if first else [],
            "bool": True,
            "datetime": iso(at),
            "number": "S 1000",
            "count": 1,
        }.get(f.kind, "Recorded (fictional).")
    return values


def _fields(rng: random.Random, sdef: StepDef, at: datetime, sgt: Actor, oic: Actor, case: Case) -> dict[str, Any]:
    key, w = sdef.key, iso(at)
    known: dict[str, dict[str, Any]] = {
        "supervisor_aware": {
            "supervisor_name": sgt.name,
            "supervisor_number": sgt.number,
            "aware_at": w,
            "inspector_told": True,
            "colleagues_checked": rng.random() < 0.8,
            **({"hs_report": f"HS-{rng.randint(1000, 9999)}"} if hs_reason(case) else {}),
        },
        "welfare_contact": {
            "contact_at": w,
            "contact_method": rng.choice(["phone", "in_person"]),
            "how_are_you": "Shaken but OK; wants to finish the shift.",
            "suspect_arrested": rng.choice(["yes", "no"]),
        },
        "support_handover": {"support_needed": rng.choice(["yes", "no"]), "handover_needed": "no"},
        "statement": {
            "taker_name": f"PC {rng.choice(FIRST)} {rng.choice(LAST)}",
            "taker_number": f"PC {rng.randint(1000, 9999)}",
            "statement_at": w,
            "impact": "Describes anxiety at work and at home.",
            "vps": rng.choice(["taken", "later"]),
        },
        "crime_recorded": {
            "crime_ref": f"CR/{rng.randint(10000, 99999)}/{at:%y}",
            "hs_crossref": True if hs_reason(case) else None,
            "recorder_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "recorder_number": f"S {rng.randint(1000, 9999)}",
            "recorded_at": w,
        },
        "oic_assigned": {"oic_name": oic.name, "oic_number": oic.number, "assigned_at": w, "victim_told": True},
        "kept_informed": {"frequency": rng.choice(["7", "14", "28"])},
        "longer_term": {"sick_leave": False},
        "outcome": {},
        "senior_review": {
            "reviewer_name": f"Ch Insp {rng.choice(LAST)}",
            "reviewer_number": str(rng.randint(100, 999)),
            "reviewed_at": w,
            "findings": "Process followed; good early welfare contact.",
            "signed_off": True,
        },
    }
    return known[key] if key in known else _any_fields(sdef, at)


def _log(case: Case, log: str, **kw: Any) -> LogEntry:
    """A log entry whose id and recorded time come from the case, so a seed gives the same cases every time."""
    key = f"{case.id}/{log}/{len(getattr(case, log))}".encode()
    return LogEntry(id=hashlib.sha1(key).hexdigest()[:8], recorded_at=kw["at"], **kw)


def _story(rng: random.Random, case: Case, now: datetime, oic: Actor) -> None:
    """The suspect's path, the updates, welfare contacts and outcome, consistent with the steps."""
    if not case.steps["oic_assigned"].status.finished:
        return
    t = case.incident.occurred_at + timedelta(hours=2)
    path = rng.choice(
        [
            ["arrested", "charged"],
            ["arrested", "rui"],
            ["arrested", "bail", "nfa"],
            ["voluntary_interview", "rui", "nfa"],
            ["arrested", "charged"],
            ["identified"],
            ["arrested", "bail"],
        ]
    )
    for kind in path:
        t = min(as_utc(now), t + timedelta(days=rng.randint(0, 12)))
        case.status_history.append(_log(case, "status_history", at=t, by=oic, kind=kind, summary=""))
        case.suspect.status = kind
        if rng.random() < 0.8:  # most events get their update in time; some are overdue
            case.updates.append(
                _log(
                    case,
                    "updates",
                    at=min(as_utc(now), t + timedelta(hours=rng.randint(2, 60))),
                    by=oic,
                    method=rng.choice(["phone", "email", "in_person"]),
                    summary="Told the victim what happened to the suspect.",
                )
            )
    reported = case.created_at
    if rng.random() < 0.9:  # Victims' Code Right 4: details to victim support services, mostly in time
        case.referrals.append(
            _log(
                case,
                "referrals",
                at=reported,
                by=oic,
                kind="victim_support",
                done_at=min(as_utc(now), reported + timedelta(hours=rng.randint(2, 30))),
            )
        )
    elif case.steps["longer_term"].status.finished:
        case.steps["longer_term"].fields["victim_support_declined"] = True
    if rng.random() < 0.3:
        welfare = sorted(C.WELFARE_REFERRALS)
        case.referrals.append(
            _log(
                case,
                "referrals",
                at=t,
                by=oic,
                kind=rng.choice(welfare),
                done_at=min(as_utc(now), t + timedelta(days=1)) if rng.random() < 0.7 else None,
            )
        )
    final = case.suspect.status
    police_nfa = ["evidential_supports", "evidential_not_supports", "not_public_interest"]
    if case.incident.offence in C.SUMMARY_OFFENCES:
        police_nfa.append("time_expired")
    outcome = {"charged": rng.choice(["charged", "convicted"]), "nfa": rng.choice(police_nfa)}.get(final)
    rec = case.steps["outcome"]
    if outcome and rec.status is StepStatus.DONE:
        told = min(as_utc(now), t + timedelta(hours=5))
        rec.fields = {
            "outcome": outcome,
            "decided_at": iso(t),
            "victim_told_at": iso(told),
            "nfa_discussed": True if outcome in C.NFA_OUTCOMES else None,
            "vrr_explained": True if outcome in C.VRR_OUTCOMES else None,
            "vrr_requested": "no" if outcome in C.VRR_OUTCOMES else None,
            "sentenced_at": iso(told) if outcome == "convicted" else None,
        }
        rec.fields = {k: v for k, v in rec.fields.items() if v is not None}
    elif rec.status is StepStatus.DONE:
        rec.status, rec.fields = StepStatus.IN_PROGRESS, {}
        case.steps["senior_review"].status = StepStatus.NOT_STARTED
        case.steps["senior_review"].fields = {}


def _new_id(rng: random.Random, occurred: datetime, taken: set[str] | None) -> str:
    """A case id for that day, drawn again (from the same rng, so still deterministic) if it is taken."""
    while True:
        case_id = f"OH-{occurred:%y%m%d}-" + "".join(rng.choice(ID_ALPHABET) for _ in range(5))
        if taken is None or case_id not in taken:
            if taken is not None:
                taken.add(case_id)
            return case_id


REPEAT_POOL = 20_000  # the earlier victims a repeat victim is drawn from (bounded memory at any count)


def iter_fictional_cases(count: int, *, seed: int = 2016, now: datetime | None = None) -> Iterator[Case]:
    """``count`` cases, made one at a time (for seeding 100,000 without holding them all); about one
    victim in eight appears again (a repeat victim). Every id is unique. Memory: the ids made so far
    and at most ``REPEAT_POOL`` earlier victims. The same seed gives the same cases every time, and
    the same as earlier versions for the first ``REPEAT_POOL`` cases (if no id was drawn twice)."""
    rng = random.Random(seed)
    now = now or now_utc()
    victims: list[Victim] = []
    taken: set[str] = set()
    for n in range(count):
        again = victims and rng.random() < 0.12
        case = fictional_case(rng, now, rng.choice(victims) if again else None, taken)
        if n < REPEAT_POOL:
            victims.append(case.victim)
        else:
            victims[n % REPEAT_POOL] = case.victim
        yield case


def fictional_cases(count: int, *, seed: int = 2016, now: datetime | None = None) -> list[Case]:
    """``count`` cases (see ``iter_fictional_cases``) in a list."""
    return list(iter_fictional_cases(count, seed=seed, now=now))
