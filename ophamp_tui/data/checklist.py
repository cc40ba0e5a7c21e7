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
from typing import Any, Literal

from . import choices as C

FieldKind = Literal["text", "longtext", "select", "multi", "bool", "datetime", "number", "count"]

# A condition on another field of the same form: (its key, the values that make it true).
Condition = tuple[str, frozenset[Any]]


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    kind: FieldKind = "text"
    choices: tuple[C.Choice, ...] = ()
    # Needed before the step can be marked done.
    required: bool = False
    # Needed only when another field of the same form holds one of these values.
    required_if: Condition | None = None
    # Needed only when a named condition on the whole case holds (see deadlines.CASE_CONDITIONS).
    required_when: str = ""
    # Shown only when another field of the same form holds one of these values.
    shown_if: Condition | None = None
    # A person's name or collar/staff number: the role they hold, in words ("the investigating officer").
    person: str = ""
    # A collar/staff number that must not be the victim's.
    not_victim: bool = False
    # A bool that must be ticked (not just answered) for the step to be done.
    must_be_true: bool = False
    # A date that may be in the future (a bail return date); others may not.
    future_ok: bool = False
    # A date that must not be before another date field of the same form (its key).
    not_before: str = ""
    # Where the value lives when it is not a field of its step: a path into the case record
    # (e.g. "incident.medical"), so a fact asked for in two places is stored once.
    path: str = ""
    # A heading shown above this field.
    section: str = ""
    # What a new form starts with.
    default: Any = None
    # Filled in with the current user's "name" or "number" when empty: they are usually the answer.
    prefill: str = ""
    # On the new-case form (the first hour); the others are on the case details form and the steps.
    first_hour: bool = False
    # On the case details form ("e" on a case). The suspect's status is not: it follows their log (step 9).
    on_details: bool = True
    help: str = ""
    placeholder: str = ""
    # Kept on the step's own record (its notes), not among its fields.
    on_record: bool = False

    def is_required(self, values: dict[str, Any]) -> bool:
        if self.required:
            return True
        if self.required_if:
            other, wanted = self.required_if
            return values.get(other) in wanted
        return False

    def is_shown(self, values: dict[str, Any]) -> bool:
        if self.shown_if is None:
            return True
        other, wanted = self.shown_if
        return values.get(other) in wanted


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
    rights: str = ""  # the Victims' Code rights this step delivers, e.g. "Right 6"
    short: str = ""  # the title in at most 15 characters, for narrow columns (the title if empty)

    @property
    def brief(self) -> str:
        return self.short or self.title

    def field(self, key: str) -> FieldDef:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


def _person(
    prefix: str,
    who: str,
    role: str,
    *,
    required: bool = True,
    not_victim: bool = True,
    section: str = "",
    usually_you: bool = False,
) -> tuple[FieldDef, FieldDef]:
    """A person's name and collar/staff number; ``role`` says what they are, in words. ``usually_you``:
    the person using ophamp usually is this person, so an empty field starts with them."""
    return (
        FieldDef(
            f"{prefix}_name",
            f"{who}: name",
            required=required,
            person=role,
            section=section,
            prefill="name" if usually_you else "",
            help="Filled in with you: change it if it was someone else." if usually_you else "",
        ),
        FieldDef(
            f"{prefix}_number",
            f"{who}: collar/staff no.",
            kind="number",
            required=required,
            person=role,
            not_victim=not_victim,
            help="Must not be the victim." if not_victim else "",
            prefill="number" if usually_you else "",
        ),
    )


_ONE_LIMIT = "1 working day for enhanced rights"
STEPS: tuple[StepDef, ...] = (
    StepDef(
        key="supervisor_aware",
        short="Supervisor",
        number=1,
        title="Supervisor aware",
        expect="A local supervisor knows you have been assaulted.",
        why=(
            "Nothing else happens until a supervisor knows. Record when the incident happened and "
            "when you learned of it: the gap shows how quickly the victim was picked up. Every "
            "assault has an impact, whatever the injury, so it is never 'part of the job'."
        ),
        fields=(
            *_person("supervisor", "Supervisor", "the supervisor", usually_you=True),
            FieldDef("aware_at", "When the supervisor learned of it", kind="datetime", required=True),
            FieldDef("cad_ref", "Incident (CAD) reference", path="incident.cad_ref", placeholder="e.g. CAD 4471/23NOV"),
            FieldDef("inspector_told", "Inspector / second-line manager told", kind="bool"),
            *_person("inspector", "Inspector", "the inspector", required=False),
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
                required_when="hs_report_needed",
                help="Mandatory where there is injury or possible work-related ill health (e.g. spitting, biting).",
            ),
            FieldDef("senior_told", "Senior leader told (if taken to hospital)", kind="bool"),
        ),
        limit="No time limit: as soon as possible.",
    ),
    StepDef(
        key="welfare_contact",
        number=2,
        title="Welfare contact",
        expect=(
            "A supervisor contacts you: how are you, injuries, medical care, what happened, is the suspect arrested."
        ),
        why=(
            "The first call sets the tone for the whole case. Ask how they are before what happened. "
            "Record the injury, but also the impact: what one officer shrugs off another finds very "
            "hard. Immediate needs (family, transport, clothing) matter as much as the crime."
        ),
        fields=(
            FieldDef("contact_at", "When you contacted the victim", kind="datetime", required=True),
            FieldDef("contact_method", "How", kind="select", choices=tuple(C.CONTACT_METHODS), required=True),
            FieldDef("how_are_you", "How are they?", kind="longtext", required=True),
            FieldDef("injuries", "Injuries (what, how bad)", kind="longtext"),
            FieldDef(
                "body_parts", "Where on the body", kind="multi", choices=tuple(C.BODY_PARTS), path="incident.body_parts"
            ),
            FieldDef(
                "medical",
                "Medical care needed",
                kind="select",
                choices=tuple(C.MEDICAL_CARE),
                required=True,
                path="incident.medical",
                help="The same answer as on the case details: change it here or there.",
            ),
            FieldDef("circumstances", "Circumstances", kind="longtext"),
            FieldDef("suspect_arrested", "Suspect arrested?", kind="select", choices=tuple(C.YES_NO_UNKNOWN)),
            FieldDef("immediate_needs", "Immediate needs (family, transport, clothing)", kind="longtext"),
        ),
        limit="Preferably within 24 hours of the incident.",
    ),
    StepDef(
        key="support_handover",
        short="Support",
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
                "support_needed",
                "Ongoing support needed?",
                kind="select",
                choices=tuple(C.YES_NO_UNKNOWN),
                required=True,
            ),
            FieldDef("support_details", "Support arranged", kind="longtext"),
            FieldDef("handover_needed", "Duties to hand over?", kind="select", choices=tuple(C.YES_NO), required=True),
            FieldDef(
                "handed_to",
                "Duties handed to",
                required_if=("handover_needed", frozenset({"yes"})),
            ),
            *_person("welfare_officer", "Welfare officer", "the welfare officer", required=False),
            FieldDef("management_meeting", "Added to local management meeting", kind="bool"),
        ),
    ),
    StepDef(
        key="statement",
        short="Statement",
        rights="Right 7",
        number=4,
        title="Statement taken",
        expect="A colleague takes your detailed statement, including the impact on you; you only write brief notes.",
        why=(
            "A statement the victim writes alone usually leaves out the impact. A colleague taking "
            "it captures what the court needs. The Victim Personal Statement must be offered "
            "(Victims' Code Right 7); if declined, record it, because the prosecutor must see it was "
            "offered. It can be updated before trial."
        ),
        fields=(
            *_person("taker", "Statement taken by", "the statement taker"),
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
                choices=(
                    ("taken", "Offered and taken"),
                    ("declined", "Offered and declined"),
                    ("later", "Offered, to follow"),
                ),
                required=True,
            ),
            FieldDef("vps_declined_reason", "Why declined", required_if=("vps", frozenset({"declined"}))),
        ),
    ),
    StepDef(
        key="crime_recorded",
        rights="Right 2",
        number=5,
        title="Crime recorded",
        expect="Someone other than you records the assault accurately.",
        why=(
            "Recording is part of the initial investigation (Victims' Code Right 2). A victim who "
            "records their own assault can cause problems later, and an inaccurate record leads to "
            "the wrong offence being charged. Cross-reference the health and safety report."
        ),
        fields=(
            FieldDef("crime_ref", "Crime reference number", required=True),
            FieldDef(
                "offence",
                "Offence recorded",
                kind="select",
                choices=tuple(C.OFFENCES),
                required=True,
                path="incident.offence",
                help="The offence on the case: correcting it here corrects the case.",
            ),
            *_person("recorder", "Recorded by", "the person recording the crime"),
            FieldDef("recorded_at", "When recorded", kind="datetime", required=True),
            FieldDef(
                "hs_crossref",
                "Health & safety report cross-referenced to this crime",
                kind="bool",
                required_when="hs_report_needed",
                must_be_true=True,
            ),
            FieldDef(
                "on_duty",
                "Victim on duty",
                kind="bool",
                path="incident.on_duty",
                section="For the national assaults data",
            ),
            FieldDef("single_crewed", "Victim single-crewed", kind="bool", path="incident.single_crewed"),
            FieldDef(
                "equipment",
                "Equipment present or used",
                kind="multi",
                choices=tuple(C.EQUIPMENT),
                path="incident.equipment",
            ),
            FieldDef("suspects", "Number of suspects", kind="count", path="incident.suspects"),
            FieldDef(
                "age_band", "Victim's age (optional)", kind="select", choices=tuple(C.AGE_BANDS), path="victim.age_band"
            ),
            FieldDef(
                "service_band",
                "Victim's length of service (optional)",
                kind="select",
                choices=tuple(C.SERVICE_BANDS),
                path="victim.service_band",
            ),
        ),
    ),
    StepDef(
        key="oic_assigned",
        short="OIC assigned",
        number=6,
        title="Investigating officer assigned",
        expect="You must not investigate your own assault; someone is assigned and you are told who.",
        why=(
            "An investigation run by the victim is unfair to them and weak in court. Assign an "
            "investigating officer who is not the victim, and tell the victim who it is. Arrest "
            "is the preferred outcome where lawful."
        ),
        fields=(
            *_person("oic", "Investigating officer", "the investigating officer"),
            FieldDef("assigned_at", "When assigned", kind="datetime", required=True),
            FieldDef("victim_told", "Victim told who the OIC is", kind="bool", must_be_true=True),
        ),
    ),
    StepDef(
        key="kept_informed",
        short="Kept informed",
        rights="Right 6",
        number=7,
        title="Victim kept informed",
        expect="The investigating officer keeps you informed of progress.",
        why=(
            "Survey finding: frustration when nobody says what happened to the suspect. Knowing the "
            "assault is taken seriously helps people come to terms with it. The Victims' Code (Right 6) "
            "sets limits: 5 working days after arrest, interview, bail, RUI, charge, a decision not to "
            "prosecute, or the CPS discontinuing or altering the charge (1 working day for enhanced "
            "rights: hate crime, sexual offences, GBH with intent, persistently targeted, vulnerable or "
            "intimidated victims). Routine updates carry on, as agreed, until the case ends."
        ),
        fields=(
            FieldDef(
                "frequency",
                "Routine updates agreed",
                kind="select",
                choices=tuple(C.UPDATE_FREQUENCIES),
                required=True,
            ),
            FieldDef("preferred_contact", "Preferred contact", kind="select", choices=tuple(C.CONTACT_METHODS)),
            FieldDef(
                "persistently_targeted",
                "Victim persistently targeted",
                kind="bool",
                path="persistently_targeted",
                section="Enhanced rights (Victims' Code)",
                help="Hate crime, sexual offences and GBH with intent count too: see the case details.",
            ),
            FieldDef(
                "vulnerable_intimidated", "Victim vulnerable or intimidated", kind="bool", path="vulnerable_intimidated"
            ),
        ),
        limit=f"Within 5 working days of each development ({_ONE_LIMIT}), by the end of the last day.",
        logs=("updates",),
    ),
    StepDef(
        key="longer_term",
        short="Longer-term",
        rights="Right 4",
        number=8,
        title="Longer-term support",
        expect="An officer supports you longer term if needed; if you go sick, someone keeps in contact.",
        why=(
            "The survey found longer-term welfare and contact matter most, and there are no quick "
            "fixes. Without meaningful support people become detached, isolated and de-motivated. "
            "Victim support services get the victim's details within 2 working days of the crime being "
            "reported unless they decline (Victims' Code Right 4). Force welfare referrals (Occupational "
            "Health, TRiM, Federation, employee assistance) have a 2-working-day target."
        ),
        fields=(
            *_person(
                "support_officer", "Longer-term support officer", "the longer-term support officer", required=False
            ),
            FieldDef(
                "victim_support_declined",
                "Victim declined victim support services (Right 4)",
                kind="bool",
                help="Otherwise add a 'Victim support services' referral (Ctrl+R).",
            ),
            FieldDef("sick_leave", "Victim off work or normal duties", kind="bool", section="Sickness absence"),
            FieldDef(
                "sick_from",
                "Off from",
                kind="datetime",
                required_if=("sick_leave", frozenset({True})),
                shown_if=("sick_leave", frozenset({True})),
            ),
            FieldDef(
                "sick_until",
                "Back on normal duties",
                kind="datetime",
                not_before="sick_from",
                shown_if=("sick_leave", frozenset({True})),
                help="Leave empty while they are still off.",
            ),
            FieldDef(
                "contact_every",
                "Welfare contact every",
                kind="select",
                choices=(("3", "3 days"), ("7", "Week"), ("14", "Fortnight"), ("28", "4 weeks")),
                required_if=("sick_leave", frozenset({True})),
                shown_if=("sick_leave", frozenset({True})),
            ),
            FieldDef("return_to_work", "Return to work plan", kind="longtext"),
            FieldDef(
                "riddor_at",
                "When reported under RIDDOR",
                kind="datetime",
                required_when="riddor_needed",
                help="Needed when the victim is off normal duties more than 7 days: report within 15 days.",
            ),
            FieldDef("riddor_ref", "RIDDOR reference"),
        ),
        limit="Victim support services (Right 4) and force welfare referrals: 2 working days.",
        logs=("welfare_contacts", "referrals"),
    ),
    StepDef(
        key="outcome",
        short="Outcome",
        rights="Rights 6 and 9",
        number=9,
        title="Outcome explained",
        expect=(
            "You are told what happens to the suspect; if no further action or discontinued, it is "
            "discussed with you, including your right to review."
        ),
        why=(
            "A victim who hears nothing assumes nothing was done. Every decision not to proceed is "
            "explained by the OIC. Where the scheme applies the victim can ask for a Victims' Right "
            "to Review: police decisions not to charge an identified suspect (within 3 months; not "
            "where the victim withdrew support, no suspect was identified or time ran out) and CPS "
            "decisions not to charge, to discontinue or to offer no evidence (ordinarily within 10 "
            "working days)."
        ),
        fields=(
            FieldDef("outcome", "Outcome", kind="select", choices=tuple(C.OUTCOMES), required=True),
            FieldDef("decided_at", "When decided", kind="datetime", required=True),
            FieldDef(
                "victim_told_at", "When the victim was told", kind="datetime", required=True, not_before="decided_at"
            ),
            FieldDef(
                "sentenced_at",
                "When sentenced",
                kind="datetime",
                not_before="decided_at",
                required_if=("outcome", frozenset({"convicted"})),
                shown_if=("outcome", frozenset({"convicted"})),
            ),
            FieldDef(
                "nfa_discussed",
                "OIC discussed the decision with the victim",
                kind="bool",
                must_be_true=True,
                required_if=("outcome", frozenset(C.NFA_OUTCOMES)),
                shown_if=("outcome", frozenset(C.NFA_OUTCOMES)),
            ),
            FieldDef(
                "vrr_explained",
                "Victims' Right to Review explained",
                kind="bool",
                must_be_true=True,
                required_if=("outcome", frozenset(C.VRR_OUTCOMES)),
                shown_if=("outcome", frozenset(C.VRR_OUTCOMES)),
            ),
            FieldDef(
                "vrr_requested",
                "VRR requested?",
                kind="select",
                choices=tuple(C.VRR_REQUESTED),
                shown_if=("outcome", frozenset(C.VRR_OUTCOMES)),
            ),
            FieldDef(
                "vrr_requested_at",
                "When the review was asked for",
                kind="datetime",
                required_if=("vrr_requested", frozenset({"yes"})),
                shown_if=("vrr_requested", frozenset({"yes"})),
            ),
            FieldDef(
                "vrr_result",
                "Review result",
                kind="select",
                choices=tuple(C.VRR_RESULTS),
                shown_if=("vrr_requested", frozenset({"yes"})),
            ),
        ),
        limit=f"Victim told within 5 working days ({_ONE_LIMIT}).",
        logs=("status_history",),
    ),
    StepDef(
        key="senior_review",
        short="Senior review",
        number=10,
        title="Senior manager review",
        expect="Local senior managers review your case to check you got the support and contact you deserve.",
        why=(
            "Review is how a force learns and improves. The reviewer checks the process was "
            "followed and the victim was supported, not just that boxes were ticked, and looks "
            "for the steps most often missed."
        ),
        fields=(
            *_person("reviewer", "Reviewer", "the senior reviewer"),
            FieldDef("reviewed_at", "When reviewed", kind="datetime", required=True),
            FieldDef("findings", "Findings", kind="longtext", required=True),
            FieldDef("signed_off", "Signed off", kind="bool", must_be_true=True),
        ),
    ),
)

# The case details (the new-case form shows the ``first_hour`` ones; "e" on a case shows them all).
# Keys are paths into the case record.
CASE_FORM: tuple[FieldDef, ...] = (
    FieldDef(
        "victim.name",
        "Victim's name",
        required=True,
        placeholder="e.g. PC Alex Morgan",
        section="The victim",
        first_hour=True,
    ),
    FieldDef(
        "victim.number",
        "Victim's collar/staff no.",
        kind="number",
        required=True,
        first_hour=True,
        placeholder="with the rank, e.g. PC 7788 or PCSO 7716",
        help="Used to spot repeat victims and to stop the victim being the OIC.",
    ),
    FieldDef(
        "victim.role",
        "Victim's role",
        kind="select",
        choices=tuple(C.VICTIM_ROLES),
        required=True,
        default="police_officer",
        first_hour=True,
    ),
    FieldDef(
        "victim.staff_no",
        "Warrant / staff number (unique in the force)",
        help="Tells apart two people with the same collar number.",
    ),
    FieldDef("victim.age_band", "Age (optional)", kind="select", choices=tuple(C.AGE_BANDS)),
    FieldDef("victim.service_band", "Length of service (optional)", kind="select", choices=tuple(C.SERVICE_BANDS)),
    FieldDef(
        "incident.occurred_at",
        "When it happened",
        kind="datetime",
        required=True,
        section="What happened",
        placeholder="e.g. today 14:30 or 23/11/2026 14:30",
        first_hour=True,
    ),
    FieldDef("incident.location", "Where", placeholder="e.g. custody suite, Northgate", first_hour=True),
    FieldDef(
        "incident.location_type", "Type of place", kind="select", choices=tuple(C.LOCATION_TYPES), first_hour=True
    ),
    FieldDef("incident.context", "What was happening", kind="select", choices=tuple(C.CONTEXTS), first_hour=True),
    FieldDef("incident.cad_ref", "Incident (CAD) reference"),
    FieldDef(
        "incident.offence",
        "Offence",
        kind="select",
        choices=tuple(C.OFFENCES),
        required=True,
        default="aew_s1",
        first_hour=True,
    ),
    FieldDef(
        "incident.offence_other",
        "Offence (describe)",
        first_hour=True,
        required_if=("incident.offence", frozenset({"other"})),
        shown_if=("incident.offence", frozenset({"other"})),
    ),
    FieldDef(
        "incident.methods",
        "Method (all that apply)",
        kind="multi",
        choices=tuple(C.METHODS),
        required=True,
        first_hour=True,
    ),
    FieldDef(
        "incident.injury", "Injury level", kind="select", choices=tuple(C.INJURY_LEVELS), required=True, first_hour=True
    ),
    FieldDef("incident.body_parts", "Where on the body", kind="multi", choices=tuple(C.BODY_PARTS)),
    FieldDef(
        "incident.medical", "Medical care", kind="select", choices=tuple(C.MEDICAL_CARE), required=True, first_hour=True
    ),
    FieldDef(
        "incident.impact", "Impact (not just the injury)", kind="multi", choices=tuple(C.IMPACTS), first_hour=True
    ),
    FieldDef("incident.impact_notes", "Impact in their words", kind="longtext", first_hour=True),
    FieldDef("incident.on_duty", "Victim on duty", kind="bool", default=True),
    FieldDef("incident.single_crewed", "Victim single-crewed", kind="bool"),
    FieldDef("incident.equipment", "Equipment present or used", kind="multi", choices=tuple(C.EQUIPMENT)),
    FieldDef(
        "suspect.status",
        "Suspect status",
        kind="select",
        choices=tuple(C.START_STATUSES),
        required=True,
        default="not_identified",
        section="The suspect",
        first_hour=True,
        on_details=False,
    ),
    FieldDef("incident.suspects", "Number of suspects", kind="count", default=1, section="The suspect"),
    FieldDef(
        "hate_crime",
        "Hate crime (hostility shown)",
        kind="bool",
        section="Victims' Code: enhanced rights",
        first_hour=True,
        help="Enhanced rights: 1-working-day updates.",
    ),
    FieldDef(
        "hate_strands",
        "Hostility based on",
        kind="multi",
        choices=tuple(C.HATE_STRANDS),
        first_hour=True,
        required_if=("hate_crime", frozenset({True})),
        shown_if=("hate_crime", frozenset({True})),
    ),
    FieldDef("persistently_targeted", "Victim persistently targeted", kind="bool", first_hour=True),
    FieldDef("vulnerable_intimidated", "Victim vulnerable or intimidated", kind="bool", first_hour=True),
)

NEW_CASE_FORM: tuple[FieldDef, ...] = tuple(f for f in CASE_FORM if f.first_hour)
# The new-case form's fields that say who the victim is: the form starts on the name, and the number
# is looked up among earlier cases (a repeat victim) as soon as it is entered.
VICTIM_NAME: FieldDef = next(f for f in CASE_FORM if f.key == "victim.name")
VICTIM_NUMBER: FieldDef = next(f for f in CASE_FORM if f.key == "victim.number")
DETAILS_FORM: tuple[FieldDef, ...] = tuple(f for f in CASE_FORM if f.on_details)


@dataclass(frozen=True)
class LogDef:
    """A dated log kept on a case (victim updates, welfare contacts, referrals, suspect status)."""

    key: str  # the Case attribute holding the entries
    title: str
    add_label: str
    entry_name: str  # one entry, in words (the case history)
    fields: tuple[FieldDef, ...]
    head: str = "method"  # the field whose choice names an entry in a list ("Phone", "Victim Support")
    # A field recorded later, on the entry itself (a referral is made after the need is noted): until
    # then the entry says so, and choosing it fills that field in.
    made_later: str = ""
    # Each entry is an event in the suspect's story: the suspect's status follows the latest.
    moves_suspect: bool = False
    # A time shown after the head when the entry has it ("until" for bail).
    until: str = ""

    def head_label(self, entry: dict[str, Any]) -> str:
        """The words for the entry's head field, e.g. "Phone" or "Released under investigation"."""
        value = str(entry.get(self.head) or "")
        for f in self.fields:
            if f.key == self.head:
                return C.label(list(f.choices), value) if value else ""
        return value


_WHEN = FieldDef("at", "When", kind="datetime", required=True, placeholder="e.g. now or today 14:30")
_HOW = FieldDef("method", "How", kind="select", choices=tuple(C.CONTACT_METHODS), required=True)

LOGS: dict[str, LogDef] = {
    "updates": LogDef(
        "updates",
        "Updates to the victim",
        "Log an update",
        "Victim update",
        (
            _WHEN,
            _HOW,
            FieldDef("summary", "What the victim was told", kind="longtext", required=True),
        ),
    ),
    "status_history": LogDef(
        "status_history",
        "What happened to the suspect",
        "Suspect status change",
        "Suspect status change",
        head="kind",
        moves_suspect=True,
        until="until",
        fields=(
            FieldDef("kind", "New status", kind="select", choices=tuple(C.SUSPECT_STATUSES), required=True),
            _WHEN,
            FieldDef(
                "until",
                "Bail until",
                kind="datetime",
                future_ok=True,
                not_before="at",
                required_if=("kind", frozenset({"bail_extended"})),
                shown_if=("kind", frozenset(C.BAIL_STATUSES)),
                help="Initial bail is 3 months (left empty, that is used). Extensions: an inspector to 6 "
                "months, a superintendent to 9, then a magistrates' court.",
            ),
            FieldDef("summary", "Notes (e.g. bail conditions, who authorised an extension)", kind="longtext"),
        ),
    ),
    "welfare_contacts": LogDef(
        "welfare_contacts",
        "Welfare contacts",
        "Log a contact",
        "Welfare contact",
        (
            _WHEN,
            _HOW,
            FieldDef("summary", "How they are; what was arranged", kind="longtext", required=True),
        ),
    ),
    "referrals": LogDef(
        "referrals",
        "Referrals to support services",
        "Add a referral",
        "Referral",
        head="kind",
        made_later="done_at",
        fields=(
            FieldDef("kind", "Service", kind="select", choices=tuple(C.REFERRAL_SERVICES), required=True),
            FieldDef("at", "When the need was identified", kind="datetime", required=True),
            FieldDef(
                "done_at",
                "When the referral was made",
                kind="datetime",
                not_before="at",
                help="Leave empty until it is made: it is due within 2 working days.",
            ),
            FieldDef("summary", "Notes", kind="longtext"),
        ),
    ),
}

STEP_KEYS: tuple[str, ...] = tuple(s.key for s in STEPS)
_BY_KEY = {s.key: s for s in STEPS}


def step(key: str) -> StepDef:
    return _BY_KEY[key]


# Free notes on every step, below its fields.
NOTES = FieldDef("notes", "Notes", kind="longtext", on_record=True)


def field_path(step_key: str, fdef: FieldDef) -> str:
    """Where a step's field is stored in the case record."""
    if fdef.on_record:
        return f"steps.{step_key}.{fdef.key}"
    return fdef.path or f"steps.{step_key}.fields.{fdef.key}"


def person_fields() -> list[tuple[str, FieldDef]]:
    """(step key, field) of every collar/staff number of someone with a role on the case."""
    return [(s.key, f) for s in STEPS for f in s.fields if f.person and f.kind == "number"]
