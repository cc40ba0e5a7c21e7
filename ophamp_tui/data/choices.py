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
    "aew_s1": "AEW Act s1",
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

# Summary-only offences: proceedings must start within 6 months of the offence (Magistrates' Courts
# Act 1980 s127). Common assault/battery on an emergency worker (AEW Act 2018 s1) is triable either
# way, so s127 does not apply to it: it has no time limit.
SUMMARY_OFFENCES = {"pa_s89", "public_order"}

# Offences that put the victim in the Victims' Code enhanced-rights group ("victims of the most serious
# crime"), with the words that say why.
ENHANCED_OFFENCES = {
    "racial_s29": "hate crime",
    "sexual": "sexual offence",
    "gbh_s18": "wounding/GBH with intent",
}

CONTEXTS: list[Choice] = [
    ("arrest", "Arrest"),
    ("custody", "Custody"),
    ("public_order", "Public order"),
    ("stop_search", "Stop and search"),
    ("mental_health", "Mental health"),
    ("domestic", "Domestic incident"),
    ("road_traffic", "Road traffic"),
    ("transport", "Prisoner transport"),
    ("other", "Other"),
]

LOCATION_TYPES: list[Choice] = [
    ("street", "Street / public place"),
    ("custody", "Custody suite"),
    ("vehicle", "Police vehicle"),
    ("hospital", "Hospital"),
    ("dwelling", "Private dwelling"),
    ("licensed", "Licensed premises"),
    ("station", "Police station"),
    ("other", "Other"),
]

BODY_PARTS: list[Choice] = [
    ("head", "Head"),
    ("face", "Face"),
    ("eyes_mouth", "Eyes or mouth"),
    ("neck", "Neck"),
    ("torso", "Body"),
    ("arms_hands", "Arms or hands"),
    ("legs_feet", "Legs or feet"),
]

EQUIPMENT: list[Choice] = [
    ("ppe", "PPE worn"),
    ("bwv", "Body-worn video recording"),
    ("spit_guard", "Spit guard used"),
    ("taser", "Taser present or used"),
]

AGE_BANDS: list[Choice] = [
    ("u25", "Under 25"),
    ("25_34", "25 to 34"),
    ("35_44", "35 to 44"),
    ("45_54", "45 to 54"),
    ("55p", "55 or over"),
]

SERVICE_BANDS: list[Choice] = [
    ("u2", "Under 2 years"),
    ("2_5", "2 to 5 years"),
    ("5_10", "5 to 10 years"),
    ("10_20", "10 to 20 years"),
    ("20p", "20 years or more"),
]

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

# What happens to the suspect, as a dated log of events (step 9). The first seven are also the
# statuses a case can start with (the new-case form).
SUSPECT_STATUSES: list[Choice] = [
    ("not_identified", "Not identified"),
    ("identified", "Identified, not arrested"),
    ("arrested", "Arrested"),
    ("voluntary_interview", "Voluntary interview"),
    ("bail", "Pre-charge bail"),
    ("rui", "Released under investigation (RUI)"),
    ("charged", "Charged"),
    ("bail_extended", "Pre-charge bail extended"),
    ("charge_altered", "CPS altered the charge"),
    ("ooc", "Out-of-court disposal"),
    ("nfa", "No further action (NFA)"),
    ("cps_no_charge", "CPS decided not to charge"),
    ("discontinued", "CPS discontinued / no evidence offered"),
    ("convicted", "Convicted"),
    ("acquitted", "Acquitted"),
    ("sentenced", "Sentenced"),
]
START_STATUSES: list[Choice] = SUSPECT_STATUSES[:7]

# Suspect events the victim must be told about (Victims' Code Right 6: arrest, interview, bail and
# changes to it, RUI, charge, a decision not to charge, CPS discontinuing or altering the charge;
# Right 9: the verdict and sentence).
NOTIFIABLE_STATUSES = {v for v, _ in SUSPECT_STATUSES} - {"not_identified", "identified"}
# On pre-charge bail (PACE s47ZB: an initial 3 months, extendable).
BAIL_STATUSES = {"bail", "bail_extended"}

OUTCOMES: list[Choice] = [
    ("charged", "Charged / summonsed"),
    ("caution", "Caution"),
    ("community_resolution", "Community resolution"),
    ("evidential_supports", "Evidential difficulties (victim supports)"),
    ("evidential_not_supports", "Evidential difficulties (victim does not support)"),
    ("not_public_interest", "Not in the public interest"),
    ("time_expired", "Prosecution time limit expired"),
    ("no_suspect", "No suspect identified"),
    ("cps_no_charge", "CPS decided not to charge (pre-charge)"),
    ("cps_discontinued", "CPS discontinued / no evidence offered"),
    ("convicted", "Convicted at court"),
    ("acquitted", "Acquitted at court"),
]

POSITIVE_OUTCOMES = {"charged", "caution", "community_resolution", "convicted"}
# Decisions not to proceed: the OIC explains each one to the victim.
NFA_OUTCOMES = {
    "evidential_supports",
    "evidential_not_supports",
    "not_public_interest",
    "time_expired",
    "no_suspect",
    "cps_no_charge",
    "cps_discontinued",
}
# Police decisions not to charge an identified suspect: the NPCC VRR scheme applies. It does not cover
# a victim who withdrew support, "no suspect identified", or a time limit that has run out.
POLICE_VRR_OUTCOMES = {"evidential_supports", "not_public_interest"}
# CPS decisions not to charge, to discontinue or to offer no evidence: the CPS VRR scheme applies.
CPS_VRR_OUTCOMES = {"cps_no_charge", "cps_discontinued"}
VRR_OUTCOMES = POLICE_VRR_OUTCOMES | CPS_VRR_OUTCOMES
# Only a summary-only offence can run out of time (Magistrates' Courts Act 1980 s127).
TIME_LIMIT_OUTCOMES = {"time_expired"}

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
    ("victim_support", "Victim support services (Victims' Code Right 4)"),
    ("occupational_health", "Occupational Health"),
    ("trim", "Trauma support (TRiM)"),
    ("federation", "Police Federation / union rep"),
    ("eap", "Employee assistance programme"),
]

# Referral services in a few words, for narrow columns and clock names.
REFERRAL_SHORT = {
    "victim_support": "Victim support",
    "occupational_health": "Occupational Health",
    "trim": "TRiM",
    "federation": "Federation/union",
    "eap": "EAP",
}

# Force welfare referrals: a 2-working-day target that is force practice, not a Victims' Code duty.
WELFARE_REFERRALS = {"occupational_health", "trim", "federation", "eap"}

VRR_REQUESTED: list[Choice] = [("no", "No"), ("yes", "Yes"), ("considering", "Considering")]
VRR_RESULTS: list[Choice] = [
    ("pending", "Review pending"),
    ("upheld", "Decision upheld"),
    ("overturned", "Decision overturned"),
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
