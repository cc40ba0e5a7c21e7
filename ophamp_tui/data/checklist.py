"""The ten Op Hampshire steps as one data definition.

Screens render these definitions; nothing about a particular step is written
in a screen. Adding a step or a field here is all it takes to show it, save
it, validate it and record it in the case history.

The steps follow "what a victim can expect" (seed 003); the fields add what
forces put around them (DOMAIN.md); the guidance ("why this matters") is
written for the classroom from seeds 000, 003 and 004.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import choices as C

FieldKind = Literal["text", "longtext", "select", "multi", "bool", "datetime", "number"]


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    kind: FieldKind = "text"
    choices: tuple[C.Choice, ...] = ()
    # Needed before the step can be marked done.
    required: bool = False
    # Needed only when another field of the step holds one of these values.
    required_if: tuple[str, frozenset[str]] | None = None
    # A collar/staff number that must not be the victim's.
    not_victim: bool = False
    # A bool that must be ticked (not just answered) for the step to be done.
    must_be_true: bool = False
    help: str = ""
    placeholder: str = ""

    def is_required(self, values: dict) -> bool:
        if self.required:
            return True
        if self.required_if:
            other, wanted = self.required_if
            return values.get(other) in wanted
        return False


@dataclass(frozen=True)
class StepDef:
    key: str
    number: int
    title: str
    expect: str  # what the victim can expect, in plain words (seed 003)
    why: str  # why this matters, for supervisors and the classroom
    fields: tuple[FieldDef, ...]
    limit: str = ""  # the time limit, in words
    logs: tuple[str, ...] = ()  # dated logs shown with this step (see models.Case)

    def field(self, key: str) -> FieldDef:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


def _person(prefix: str, who: str, *, required: bool = True, not_victim: bool = False) -> tuple[FieldDef, FieldDef]:
    return (
        FieldDef(f"{prefix}_name", f"{who}: name", required=required),
        FieldDef(
            f"{prefix}_number",
            f"{who}: collar/staff no.",
            kind="number",
            required=required,
            not_victim=not_victim,
            help="Must not be the victim." if not_victim else "",
        ),
    )


STEPS: tuple[StepDef, ...] = (
    StepDef(
        key="supervisor_aware",
        number=1,
        title="Supervisor aware",
        expect="A local supervisor knows you have been assaulted.",
        why=(
            "Nothing else happens until a supervisor knows. Record when the incident happened and "
            "when you learned of it: the gap shows how quickly the victim was picked up. Every "
            "assault has an impact, whatever the injury, so it is never 'part of the job'."
        ),
        fields=(
            *_person("supervisor", "Supervisor"),
            FieldDef("aware_at", "When the supervisor learned of it", kind="datetime", required=True),
            FieldDef("inspector_told", "Inspector / second-line manager told", kind="bool"),
            *_person("inspector", "Inspector", required=False),
            FieldDef("colleagues_checked", "Colleagues who were present checked on", kind="bool"),
            FieldDef("hot_debrief", "Hot debrief held", kind="bool"),
            FieldDef(
                "fed_rep",
                "Federation / union rep told",
                kind="select",
                choices=(("yes", "Yes, with consent"), ("declined", "Victim declined"), ("not_yet", "Not yet")),
            ),
            FieldDef(
                "hs_report",
                "Health & safety report ref",
                help="Mandatory where there is injury or possible work-related ill health (e.g. spitting).",
            ),
            FieldDef("senior_told", "Senior leader told (if taken to hospital)", kind="bool"),
        ),
        limit="No time limit: as soon as possible.",
    ),
    StepDef(
        key="welfare_contact",
        number=2,
        title="Welfare contact",
        expect="A supervisor contacts you: how are you, injuries, medical care, what happened, is the suspect arrested.",
        why=(
            "The first call sets the tone for the whole case. Ask how they are before what happened. "
            "Record the injury, but also the impact: what one officer shrugs off another finds very "
            "hard. Immediate needs (family, transport, clothing) matter as much as the crime."
        ),
        fields=(
            FieldDef("contact_at", "When you contacted the victim", kind="datetime", required=True),
            FieldDef(
                "contact_method", "How", kind="select", choices=tuple(C.CONTACT_METHODS), required=True
            ),
            FieldDef("how_are_you", "How are they?", kind="longtext", required=True),
            FieldDef("injuries", "Injuries (body part, method, level)", kind="longtext"),
            FieldDef("medical", "Medical care needed", kind="select", choices=tuple(C.MEDICAL_CARE), required=True),
            FieldDef("circumstances", "Circumstances", kind="longtext"),
            FieldDef(
                "suspect_arrested", "Suspect arrested?", kind="select", choices=tuple(C.YES_NO_UNKNOWN)
            ),
            FieldDef("immediate_needs", "Immediate needs (family, transport, clothing)", kind="longtext"),
        ),
        limit="Preferably within 24 hours of the incident.",
    ),
    StepDef(
        key="support_handover",
        number=3,
        title="Ongoing support and handover",
        expect="A supervisor finds out whether you need ongoing support or duties handing over so you can recover.",
        why=(
            "Victims often carry on working out of duty. Handing over their duties gives them time "
            "to recover. The inspector appoints a welfare officer and adds the case to the next "
            "local management meeting, so someone owns the longer term."
        ),
        fields=(
            FieldDef(
                "support_needed", "Ongoing support needed?", kind="select", choices=tuple(C.YES_NO_UNKNOWN),
                required=True,
            ),
            FieldDef("support_details", "Support arranged", kind="longtext"),
            FieldDef(
                "handover_needed", "Duties to hand over?", kind="select", choices=tuple(C.YES_NO), required=True
            ),
            FieldDef(
                "handed_to", "Duties handed to", required_if=("handover_needed", frozenset({"yes"})),
            ),
            *_person("welfare_officer", "Welfare officer", required=False),
            FieldDef("management_meeting", "Added to local management meeting", kind="bool"),
        ),
    ),
    StepDef(
        key="statement",
        number=4,
        title="Statement taken",
        expect="A colleague takes your detailed statement, including the impact on you; you only write brief notes.",
        why=(
            "A statement the victim writes alone usually leaves out the impact. A colleague taking "
            "it captures what the court needs. The Victim Personal Statement must be offered; if "
            "declined, record it, because the prosecutor must see it was offered. It can be updated "
            "before trial."
        ),
        fields=(
            *_person("taker", "Statement taken by", not_victim=True),
            FieldDef("statement_at", "When the statement was taken", kind="datetime", required=True),
            FieldDef(
                "original_notes",
                "Victim's original notes",
                kind="select",
                choices=(("done", "Completed"), ("outstanding", "Outstanding"), ("not_needed", "Not needed")),
            ),
            FieldDef("impact", "Impact on the victim (in the statement)", kind="longtext", required=True),
            FieldDef(
                "vps",
                "Victim Personal Statement",
                kind="select",
                choices=(("taken", "Offered and taken"), ("declined", "Offered and declined"), ("later", "Offered, to follow")),
                required=True,
            ),
            FieldDef("vps_declined_reason", "Why declined", required_if=("vps", frozenset({"declined"}))),
        ),
    ),
    StepDef(
        key="crime_recorded",
        number=5,
        title="Crime recorded",
        expect="Someone other than you records the assault accurately.",
        why=(
            "Recording is part of the initial investigation. A victim who records their own assault "
            "can cause problems later, and an inaccurate record leads to the wrong offence being "
            "charged. Cross-reference the health and safety report."
        ),
        fields=(
            FieldDef("crime_ref", "Crime reference number", required=True),
            FieldDef("offence", "Offence recorded", kind="select", choices=tuple(C.OFFENCES), required=True),
            *_person("recorder", "Recorded by", not_victim=True),
            FieldDef("recorded_at", "When recorded", kind="datetime", required=True),
        ),
    ),
    StepDef(
        key="oic_assigned",
        number=6,
        title="Investigating officer assigned",
        expect="You must not investigate your own assault; someone is assigned and you are told who.",
        why=(
            "An investigation run by the victim is unfair to them and weak in court. Assign an "
            "investigating officer who is not the victim, and tell the victim who it is. Arrest "
            "is the preferred outcome where lawful."
        ),
        fields=(
            *_person("oic", "Investigating officer", not_victim=True),
            FieldDef("assigned_at", "When assigned", kind="datetime", required=True),
            FieldDef("victim_told", "Victim told who the OIC is", kind="bool", must_be_true=True),
        ),
    ),
    StepDef(
        key="kept_informed",
        number=7,
        title="Victim kept informed",
        expect="The investigating officer keeps you informed of progress.",
        why=(
            "Survey finding: frustration when nobody says what happened to the suspect. Knowing the "
            "assault is taken seriously helps people come to terms with it. The Victims' Code sets "
            "limits: 5 working days after arrest, interview, bail, RUI, charge or a decision not "
            "to prosecute (1 working day for enhanced-rights victims, including hate crime)."
        ),
        fields=(
            FieldDef(
                "frequency", "Routine updates agreed", kind="select", choices=tuple(C.UPDATE_FREQUENCIES),
                required=True,
            ),
            FieldDef("preferred_contact", "Preferred contact", kind="select", choices=tuple(C.CONTACT_METHODS)),
        ),
        limit="Within 5 working days of each development (1 for enhanced rights).",
        logs=("updates",),
    ),
    StepDef(
        key="longer_term",
        number=8,
        title="Longer-term support",
        expect="An officer supports you longer term if needed; if you go sick, someone keeps in contact.",
        why=(
            "The survey found longer-term welfare and contact matter most, and there are no quick "
            "fixes. Without meaningful support people become detached, isolated and de-motivated. "
            "Refer to support services within 2 working days of the need being found."
        ),
        fields=(
            *_person("support_officer", "Longer-term support officer", required=False),
            FieldDef("sick_leave", "Victim on sick leave", kind="bool"),
            FieldDef(
                "contact_every",
                "Welfare contact every",
                kind="select",
                choices=(("3", "3 days"), ("7", "Week"), ("14", "Fortnight"), ("28", "4 weeks")),
                required_if=("sick_leave", frozenset({True})),
            ),
            FieldDef("return_to_work", "Return to work plan", kind="longtext"),
        ),
        limit="Referrals within 2 working days of the need.",
        logs=("welfare_contacts", "referrals"),
    ),
    StepDef(
        key="outcome",
        number=9,
        title="Outcome explained",
        expect="You are told what happens to the suspect; if no further action or discontinued, it is discussed with you, including your right to review.",
        why=(
            "A victim who hears nothing assumes nothing was done. If the suspect faces no further "
            "action the OIC must discuss it with them; if the case is dropped they can ask for a "
            "Victims' Right to Review (police: within 3 months; CPS: ordinarily 10 working days)."
        ),
        fields=(
            FieldDef("outcome", "Outcome", kind="select", choices=tuple(C.OUTCOMES), required=True),
            FieldDef("decided_at", "When decided", kind="datetime", required=True),
            FieldDef("victim_told_at", "When the victim was told", kind="datetime", required=True),
            FieldDef(
                "nfa_discussed",
                "OIC discussed the decision with the victim",
                kind="bool",
                must_be_true=True,
                required_if=("outcome", frozenset(C.VRR_OUTCOMES)),
            ),
            FieldDef(
                "vrr_explained",
                "Victims' Right to Review explained",
                kind="bool",
                must_be_true=True,
                required_if=("outcome", frozenset(C.VRR_OUTCOMES)),
            ),
            FieldDef(
                "vrr_requested",
                "VRR requested?",
                kind="select",
                choices=(("no", "No"), ("yes", "Yes"), ("considering", "Considering")),
            ),
        ),
        limit="Victim told within 5 working days (1 for enhanced rights).",
        logs=("status_history",),
    ),
    StepDef(
        key="senior_review",
        number=10,
        title="Senior manager review",
        expect="Local senior managers review your case to check you got the support and contact you deserve.",
        why=(
            "Review is how a force learns and improves. The reviewer checks the process was "
            "followed and the victim was supported, not just that boxes were ticked, and looks "
            "for the steps most often missed."
        ),
        fields=(
            *_person("reviewer", "Reviewer", not_victim=True),
            FieldDef("reviewed_at", "When reviewed", kind="datetime", required=True),
            FieldDef("findings", "Findings", kind="longtext", required=True),
            FieldDef("signed_off", "Signed off", kind="bool", must_be_true=True),
        ),
    ),
)

# The case details (new case, edit details): keys are paths into the case record.
CASE_FORM: tuple[FieldDef, ...] = (
    FieldDef("victim.name", "Victim's name", required=True, placeholder="e.g. PC Alex Morgan"),
    FieldDef("victim.number", "Victim's collar/staff no.", kind="number", required=True,
             help="Used to spot repeat victims and to stop the victim being the OIC."),
    FieldDef("victim.role", "Victim's role", kind="select", choices=tuple(C.VICTIM_ROLES), required=True),
    FieldDef("incident.occurred_at", "When it happened", kind="datetime", required=True,
             placeholder="e.g. today 14:30 or 23/11/2026 14:30"),
    FieldDef("incident.location", "Where", placeholder="e.g. custody suite, Northgate"),
    FieldDef("incident.offence", "Offence", kind="select", choices=tuple(C.OFFENCES), required=True),
    FieldDef("incident.offence_other", "Offence (describe)",
             required_if=("incident.offence", frozenset({"other"}))),
    FieldDef("incident.method", "Method", kind="select", choices=tuple(C.METHODS), required=True),
    FieldDef("incident.injury", "Injury level", kind="select", choices=tuple(C.INJURY_LEVELS), required=True),
    FieldDef("incident.medical", "Medical care", kind="select", choices=tuple(C.MEDICAL_CARE), required=True),
    FieldDef("incident.impact", "Impact (not just the injury)", kind="multi", choices=tuple(C.IMPACTS)),
    FieldDef("incident.impact_notes", "Impact in their words", kind="longtext"),
    FieldDef("suspect.identified", "Suspect identified", kind="bool"),
    FieldDef("suspect.status", "Suspect status", kind="select", choices=tuple(C.SUSPECT_STATUSES), required=True),
    FieldDef("hate_crime", "Hate crime (hostility shown)", kind="bool",
             help="Puts the victim in the enhanced-rights group: 1-working-day updates."),
    FieldDef("hate_strands", "Hostility based on", kind="multi", choices=tuple(C.HATE_STRANDS),
             required_if=("hate_crime", frozenset({True}))),
)

@dataclass(frozen=True)
class LogDef:
    """A dated log kept on a case (victim updates, welfare contacts, referrals, suspect status)."""

    key: str  # the Case attribute holding the entries
    title: str
    add_label: str
    fields: tuple[FieldDef, ...]


_WHEN = FieldDef("at", "When", kind="datetime", required=True, placeholder="e.g. now or today 14:30")
_HOW = FieldDef("method", "How", kind="select", choices=tuple(C.CONTACT_METHODS), required=True)

LOGS: dict[str, LogDef] = {
    "updates": LogDef("updates", "Updates to the victim", "Log an update", (
        _WHEN, _HOW, FieldDef("summary", "What the victim was told", kind="longtext", required=True),
    )),
    "status_history": LogDef("status_history", "Suspect status", "Suspect status change", (
        FieldDef("kind", "New status", kind="select", choices=tuple(C.SUSPECT_STATUSES), required=True),
        _WHEN,
        FieldDef("summary", "Notes (e.g. bail conditions)", kind="longtext"),
    )),
    "welfare_contacts": LogDef("welfare_contacts", "Welfare contacts", "Log a contact", (
        _WHEN, _HOW, FieldDef("summary", "How they are; what was arranged", kind="longtext", required=True),
    )),
    "referrals": LogDef("referrals", "Referrals to support services", "Add a referral", (
        FieldDef("kind", "Service", kind="select", choices=tuple(C.REFERRAL_SERVICES), required=True),
        FieldDef("at", "When the need was identified", kind="datetime", required=True),
        FieldDef("done_at", "When the referral was made", kind="datetime",
                 help="Leave empty until it is made: it is due within 2 working days."),
        FieldDef("summary", "Notes", kind="longtext"),
    )),
}

STEP_KEYS: tuple[str, ...] = tuple(s.key for s in STEPS)
_BY_KEY = {s.key: s for s in STEPS}


def step(key: str) -> StepDef:
    return _BY_KEY[key]
