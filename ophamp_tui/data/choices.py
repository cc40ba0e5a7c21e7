"""The realistic choices offered in the forms (from DOMAIN.md).

Each list is ``(value, label)``: the value is what the store holds and never
changes; the label is what a user reads.
"""

from __future__ import annotations

Choice = tuple[str, str]

VICTIM_ROLES: list[Choice] = [
    ("police_officer", "Police officer"),
    ("police_staff", "Police staff"),
    ("pcso", "PCSO"),
    ("special", "Special constable"),
    ("volunteer", "Volunteer"),
]

OFFENCES: list[Choice] = [
    ("aew_s1", "Assault/battery on an emergency worker (AEW Act 2018 s1)"),
    ("pa_s89", "Assault on a constable (Police Act 1996 s89)"),
    ("abh_s47", "ABH (OAPA 1861 s47)"),
    ("gbh_s20", "Wounding / GBH (OAPA s20)"),
    ("gbh_s18", "Wounding / GBH with intent (OAPA s18)"),
    ("threats_s16", "Threats to kill (OAPA s16)"),
    ("sexual", "Sexual assault"),
    ("racial_s29", "Racially/religiously aggravated assault (CDA 1998 s29)"),
    ("public_order", "Public order abuse (POA s4/4A/5)"),
    ("other", "Other (describe)"),
]

OFFENCE_SHORT = {
    "aew_s1": "Emergency worker s1",
    "pa_s89": "Constable s89",
    "abh_s47": "ABH s47",
    "gbh_s20": "GBH s20",
    "gbh_s18": "GBH s18 intent",
    "threats_s16": "Threats to kill",
    "sexual": "Sexual assault",
    "racial_s29": "Aggravated s29",
    "public_order": "Public order",
    "other": "Other",
}

# Summary-only offences: proceedings must start within 6 months of the offence.
SUMMARY_OFFENCES = {"aew_s1", "pa_s89", "public_order"}

METHODS: list[Choice] = [
    ("punch", "Punch"),
    ("kick", "Kick"),
    ("bite", "Bite"),
    ("spit", "Spit"),
    ("headbutt", "Head-butt"),
    ("push_pull", "Pushed or pulled"),
    ("weapon", "Weapon"),
    ("vehicle", "Vehicle"),
    ("other", "Other"),
]

INJURY_LEVELS: list[Choice] = [
    ("none", "None"),
    ("minor", "Minor (graze, bruise, reddening)"),
    ("abh", "ABH-level (tooth, LOC, stitches, fracture, psychiatric)"),
    ("serious", "Serious (GBH-level)"),
]

MEDICAL_CARE: list[Choice] = [
    ("none", "None"),
    ("first_aid", "First aid"),
    ("ae", "Seen at A&E"),
    ("admitted", "Admitted to hospital"),
]

IMPACTS: list[Choice] = [
    ("physical", "Physical"),
    ("psychological", "Psychological"),
    ("family", "On family"),
    ("confidence", "On confidence"),
]

SUSPECT_STATUSES: list[Choice] = [
    ("not_identified", "Not identified"),
    ("identified", "Identified, not arrested"),
    ("arrested", "Arrested"),
    ("voluntary_interview", "Voluntary interview"),
    ("bail", "Pre-charge bail"),
    ("rui", "Released under investigation (RUI)"),
    ("charged", "Charged"),
    ("ooc", "Out-of-court disposal"),
    ("nfa", "No further action (NFA)"),
]

# Suspect events the victim must be told about (Victims' Code).
NOTIFIABLE_STATUSES = {"arrested", "voluntary_interview", "bail", "rui", "charged", "ooc", "nfa"}

OUTCOMES: list[Choice] = [
    ("charged", "Charged / summonsed"),
    ("caution", "Caution"),
    ("community_resolution", "Community resolution"),
    ("evidential_supports", "Evidential difficulties (victim supports)"),
    ("evidential_not_supports", "Evidential difficulties (victim does not support)"),
    ("not_public_interest", "Not in the public interest"),
    ("time_expired", "Prosecution time limit expired"),
    ("no_suspect", "No suspect identified"),
    ("cps_discontinued", "CPS discontinued / no evidence offered"),
    ("convicted", "Convicted at court"),
    ("acquitted", "Acquitted at court"),
]

POSITIVE_OUTCOMES = {"charged", "caution", "community_resolution", "convicted"}
# Police decisions not to proceed against an identified suspect: police VRR applies.
POLICE_NFA_OUTCOMES = {"evidential_supports", "evidential_not_supports", "not_public_interest", "time_expired"}
CPS_VRR_OUTCOMES = {"cps_discontinued"}
VRR_OUTCOMES = POLICE_NFA_OUTCOMES | CPS_VRR_OUTCOMES

HATE_STRANDS: list[Choice] = [
    ("race", "Race"),
    ("religion", "Religion"),
    ("disability", "Disability"),
    ("sexual_orientation", "Sexual orientation"),
    ("transgender", "Transgender identity"),
]

CONTACT_METHODS: list[Choice] = [
    ("phone", "Phone"),
    ("in_person", "In person"),
    ("email", "Email"),
    ("video", "Video call"),
]

REFERRAL_SERVICES: list[Choice] = [
    ("occupational_health", "Occupational Health"),
    ("trim", "Trauma support (TRiM)"),
    ("federation", "Police Federation / union rep"),
    ("eap", "Employee assistance programme"),
]

UPDATE_FREQUENCIES: list[Choice] = [
    ("7", "Weekly"),
    ("14", "Fortnightly"),
    ("28", "Every four weeks"),
    ("0", "Only when something happens"),
]

USER_ROLES: list[Choice] = [
    ("sergeant", "Sergeant / supervisor"),
    ("inspector", "Inspector"),
    ("welfare", "Welfare officer"),
    ("oic", "Investigating officer"),
    ("senior", "Senior manager"),
    ("trainer", "Trainer"),
    ("other", "Other"),
]

YES_NO: list[Choice] = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN: list[Choice] = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known yet")]


def label(choices: list[Choice], value: str | None, default: str = "") -> str:
    """The label for ``value`` in ``choices`` (the value itself if unknown)."""
    if value is None or value == "":
        return default
    for v, text in choices:
        if v == value:
            return text
    return str(value)
