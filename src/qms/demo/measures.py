"""The demo board's quality control: a standards library, about 150 measures on its wards, teams,
services, divisions and the board, and 2-3 years of data that behave the way real measures do.
Synthetic: every number is generated.

Each measure follows a story written down in `PLANS`: stable, improved after a change (with a new
phase and the reason for it), improving now, deteriorating now (an open signal), drifting,
seasonal (winter pressure), with one-off outliers, or simply unable to meet its target. The noise
comes from numpy, seeded from the demo's random generator and the measure's code, so the same
seed gives the same values whatever else the demo contains.

The SPC results are computed once at the end, which raises the signals; a few of them are then
handled the way teams would (acknowledged, linked to an issue, escalated up one or two levels,
returned with advice), and the rest stay open.

Deterministic and idempotent, like the organisation: standards and measures are found by code,
and data, phases, annotations and signal handling are written only for a measure that has no data
yet, so running the build again adds nothing and changes nothing. The data ends with the last
complete period before today, so the demo always looks current.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from qms.control import selectors, services
from qms.control.models import (
    Escalation,
    Measure,
    Observation,
    Signal,
    SignalKind,
    Standard,
)
from qms.control.periods import period_start
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role
from qms.stats.charts import EVENT_CHARTS, PROPORTIONS, RATES

# How much history each frequency gets: about two and a half years (three for quarters, two
# for daily counts, which would otherwise swamp the charts with points).
SPAN = {"day": 730, "week": 130, "month": 30, "quarter": 12}
EVENT_SPAN_DAYS = 913  # g and t charts: one point per event, over two and a half years

PERCENT = (100.0, "%")
PER_1000_BED_DAYS = (1000.0, " per 1,000 bed days")


# Standards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardSpec:
    code: str
    title: str
    statement: str
    source: str
    unit: str | None = None  # the unit that agreed a local standard; None for national ones


# Statements are paraphrased in our own words; the source names who publishes the original.
STANDARDS = [
    StandardSpec(
        "falls-assessment",
        "Falls prevention: multifactorial assessment",
        "People at risk of falling have a multifactorial assessment, and the interventions it "
        "points to are put in place.",
        "NICE quality standard QS86, Falls in older people (paraphrased)",
    ),
    StandardSpec(
        "pressure-ulcers",
        "Pressure ulcers: risk assessed and care planned",
        "People at risk of pressure ulcers have their risk and skin assessed, and a care plan "
        "to prevent them that they helped to agree.",
        "Healthcare Improvement Scotland, Prevention and management of pressure ulcers "
        "standards (paraphrased)",
    ),
    StandardSpec(
        "infection-control",
        "Infection prevention: hand hygiene and standard precautions",
        "Staff clean their hands at every moment of care that calls for it, and standard "
        "infection control precautions are audited and acted on.",
        "Healthcare Improvement Scotland, Infection prevention and control standards (paraphrased)",
    ),
    StandardSpec(
        "deteriorating-patient",
        "Recognising and responding to deterioration",
        "A patient whose early warning score reaches the trigger level is reviewed promptly by "
        "a clinician with the skills to act, and the response is recorded.",
        "Royal College of Physicians, National Early Warning Score (NEWS) 2 (paraphrased)",
    ),
    StandardSpec(
        "sepsis",
        "Sepsis: antibiotics within the hour",
        "People with suspected sepsis who meet high-risk criteria receive antibiotics within "
        "one hour of being identified.",
        "NICE quality standard QS161, Sepsis (paraphrased)",
    ),
    StandardSpec(
        "vte",
        "Venous thromboembolism: risk assessed on admission",
        "Adults admitted to hospital have their risk of venous thromboembolism and of bleeding "
        "assessed as soon as possible after admission.",
        "NICE quality standard QS3, Venous thromboembolism in adults (paraphrased)",
    ),
    StandardSpec(
        "emergency-access",
        "Four-hour emergency access",
        "At least 95% of people attending an emergency department are admitted, transferred or "
        "discharged within four hours of arrival.",
        "Scottish Government, emergency access standard (paraphrased)",
    ),
    StandardSpec(
        "psychological-therapies",
        "Psychological therapies waiting times",
        "At least 90% of people referred for a psychological therapy start treatment within "
        "18 weeks of referral.",
        "Scottish Government, psychological therapies waiting times standard (paraphrased)",
    ),
    StandardSpec(
        "restrictive-practice",
        "Restraint as a last resort",
        "Physical restraint is used only when other ways of calming a situation have failed; "
        "every episode is recorded and reviewed with the person.",
        "NICE guideline NG10, Violence and aggression: short-term management (paraphrased)",
    ),
    StandardSpec(
        "critical-medicines",
        "Critical medicines are given on time",
        "Doses of medicines where delay causes harm (such as insulin, anti-epileptics and "
        "anticoagulants) are not omitted or delayed without a clinical reason.",
        "Healthcare Improvement Scotland, Scottish Patient Safety Programme (paraphrased)",
    ),
    StandardSpec(
        "care-experience",
        "Care that is right for me",
        "People experience compassionate care that respects their choices, and are asked how "
        "it felt and what would make it better.",
        "Scottish Government, Health and Social Care Standards (paraphrased)",
    ),
    StandardSpec(
        "complaints",
        "Complaints answered on time",
        "Complaints at the investigation stage are answered within 20 working days, or the "
        "person is told why it will take longer.",
        "Scottish Public Services Ombudsman, Model complaints handling procedure (paraphrased)",
    ),
    StandardSpec(
        "attendance",
        "Staff attendance",
        "Sickness absence is kept at or below 4% of contracted hours, with staff supported to "
        "stay at and return to work.",
        "Scottish Government, NHS Scotland sickness absence standard (paraphrased)",
    ),
    StandardSpec(
        "falls-bundle-ward-7",
        "Ward 7 falls bundle",
        "Every patient aged 65 or over has a falls care plan within 24 hours of arriving on "
        "the ward, reviewed after any fall.",
        "Agreed by the Ward 7 team with its patient partner",
        unit="ward-7",
    ),
    StandardSpec(
        "first-visit-48h",
        "First district nursing visit within 48 hours",
        "A person referred to district nursing is visited within 48 hours of the referral, or "
        "sooner when the referrer asks.",
        "Agreed by the Community Nursing service",
        unit="community-nursing",
    ),
    StandardSpec(
        "discharge-before-noon",
        "Discharge before noon",
        "A third of patients going home leave the ward before noon, so beds are free for the "
        "afternoon's admissions.",
        "Agreed by the Acute Services Division",
        unit="acute",
    ),
]


# Measure definitions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """What a measure is, the same wherever it is used; `PLANS` places it in units."""

    name: str
    kind: str
    domain: str
    chart: str
    frequency: str
    direction: str
    operational_definition: str
    numerator_definition: str = ""
    denominator_definition: str = ""
    data_source: str = ""
    scale: tuple[float, str] = (1.0, "")  # multiply and unit label
    standard: str | None = None
    target: float | None = None
    target_source: str = ""
    rules: str = "mdc"
    decimals: int = 1  # for measured values (i and run charts)
    ceiling: float | None = None  # the highest possible measured value (a score out of 10)


def _d(name, kind, domain, chart, frequency, direction, definition, **more) -> Definition:
    return Definition(name, kind, domain, chart, frequency, direction, definition, **more)


DATIX = "Incident reporting system"
PAS = "Patient administration system (midnight bed census)"
EOBS = "Electronic observations system"
ROSTER = "eRostering and payroll"
EDIS = "Emergency department information system"
THEATRES = "Theatre management system"
COMMUNITY = "Community nursing caseload system"
MH_RECORD = "Mental health electronic record"
FEEDBACK = "Care Opinion and ward feedback cards"

DEFINITIONS = {
    # Inpatient wards
    "falls-rate": _d(
        "Inpatient falls per 1,000 occupied bed days", "outcome", "safe", "u", "month",
        "decrease",
        "Every inpatient fall reported (witnessed or not, with or without harm), per 1,000 "
        "occupied bed days in the calendar month.",
        numerator_definition="Falls reported for patients on the unit in the month",
        denominator_definition="Occupied bed days in the month (midnight census)",
        data_source=f"{DATIX}; {PAS}", scale=PER_1000_BED_DAYS, standard="falls-assessment",
        target=5.0, target_source="Board falls strategy, 2025",
    ),
    "falls-harm-days": _d(
        "Days between falls with harm", "outcome", "safe", "g", "day", "increase",
        "One point per fall that caused moderate or severe harm or death, dated on the day of "
        "the fall; the value is the number of days since the previous one. Higher is better.",
        data_source=DATIX, scale=(1.0, " days"), standard="falls-assessment", decimals=0,
    ),
    "pressure-ulcers": _d(
        "Hospital-acquired pressure ulcers, category 2 and above", "outcome", "safe", "c",
        "month", "decrease",
        "Pressure ulcers of category 2 or worse that developed more than 72 hours after "
        "admission to the unit, counted in the month they were found.",
        data_source=f"{DATIX}; tissue viability validation", scale=(1.0, " ulcers"),
        standard="pressure-ulcers",
    ),
    "hand-hygiene": _d(
        "Hand hygiene compliance", "process", "safe", "p", "month", "increase",
        "Share of observed moments for hand hygiene (WHO five moments) where staff cleaned "
        "their hands, in the monthly observational audit.",
        numerator_definition="Moments where hand hygiene was performed",
        denominator_definition="Moments for hand hygiene observed in the audit",
        data_source="Monthly infection prevention and control audit", scale=PERCENT,
        standard="infection-control", target=95.0, target_source="National audit standard",
    ),
    "news2-escalation": _d(
        "NEWS2 of 5 or more escalated within 30 minutes", "process", "safe", "p", "week",
        "increase",
        "Share of observation sets with a NEWS2 of 5 or more (or 3 in one parameter) that were "
        "escalated to the nurse in charge and a doctor within 30 minutes.",
        numerator_definition="Trigger observation sets escalated within 30 minutes",
        denominator_definition="Observation sets with NEWS2 of 5 or more, or 3 in one parameter",
        data_source=EOBS, scale=PERCENT, standard="deteriorating-patient", target=95.0,
        target_source="Deteriorating patient policy",
    ),
    "vte-assessment": _d(
        "VTE risk assessed within 24 hours of admission", "process", "safe", "p", "week",
        "increase",
        "Share of adult admissions with a completed VTE and bleeding risk assessment within 24 "
        "hours of the decision to admit.",
        numerator_definition="Admissions with the risk assessment completed within 24 hours",
        denominator_definition="Adult admissions to the unit in the week",
        data_source="Electronic prescribing system", scale=PERCENT, standard="vte",
        target=95.0, target_source="Board VTE prevention policy",
    ),
    "omitted-doses": _d(
        "Omitted or delayed critical medicine doses", "process", "safe", "p", "week",
        "decrease",
        "Share of critical medicine doses due that were omitted, or given more than 2 hours "
        "late, without a documented clinical reason.",
        numerator_definition="Critical doses omitted or delayed without a reason",
        denominator_definition="Critical doses due in the week",
        data_source="Electronic prescribing system", scale=PERCENT,
        standard="critical-medicines", target=2.0, target_source="Medicines safety programme",
    ),
    "sickness": _d(
        "Staff sickness absence", "structure", "efficient", "pp", "month", "decrease",
        "Contracted hours lost to sickness as a share of contracted hours available, all staff "
        "groups.",
        numerator_definition="Contracted hours lost to sickness absence in the month",
        denominator_definition="Contracted hours available in the month",
        data_source=ROSTER, scale=PERCENT, standard="attendance", target=4.0,
        target_source="NHS Scotland sickness absence standard",
    ),
    "care-experience": _d(
        "Care experience score", "outcome", "person_centred", "i", "month", "increase",
        "Mean answer to 'Overall, how would you rate your care?' on a scale of 0 to 10, from "
        "the unit's feedback cards and online stories in the month.",
        data_source=FEEDBACK, scale=(1.0, " out of 10"), standard="care-experience",
        target=8.5, target_source="Board person-centred care plan", decimals=2, ceiling=10.0,
    ),
    "recommend": _d(
        "Patients who would recommend the service", "outcome", "person_centred", "p",
        "month", "increase",
        "Share of people giving feedback who would recommend the service to friends and "
        "family if they needed similar care.",
        numerator_definition="Responses 'extremely likely' or 'likely' to recommend",
        denominator_definition="All responses to the question",
        data_source=FEEDBACK, scale=PERCENT, standard="care-experience", target=90.0,
        target_source="Board person-centred care plan",
    ),
    "delayed-discharges": _d(
        "Patients delayed more than 72 hours after being ready for discharge", "outcome",
        "efficient", "c", "week", "decrease",
        "People in a bed on Thursday at midnight who had been ready for discharge for more "
        "than 72 hours.",
        data_source="Delayed discharge census", scale=(1.0, " people"),
    ),
    "discharge-before-noon": _d(
        "Discharges before noon", "process", "efficient", "p", "week", "increase",
        "Share of discharges home (or to a care home) where the patient left the ward before "
        "12:00.",
        numerator_definition="Discharges before 12:00",
        denominator_definition="All discharges from the unit in the week, excluding deaths",
        data_source=PAS, scale=PERCENT, standard="discharge-before-noon", target=33.0,
        target_source="Acute division flow standard",
    ),
    "rn-fill": _d(
        "Registered nurse shifts filled to plan", "structure", "safe", "p", "week", "increase",
        "Share of rostered registered nurse shifts that were worked by a registered nurse "
        "(substantive, bank or agency).",
        numerator_definition="Registered nurse shifts worked",
        denominator_definition="Registered nurse shifts planned on the roster",
        data_source=ROSTER, scale=PERCENT, target=90.0, target_source="Safe staffing plan",
    ),
    "cauti": _d(
        "Catheter-associated urinary tract infections", "outcome", "safe", "u", "month",
        "decrease",
        "Symptomatic urinary tract infections in patients with a urinary catheter, per 1,000 "
        "catheter days.",
        numerator_definition="Catheter-associated urinary tract infections in the month",
        denominator_definition="Catheter days in the month (daily catheter census)",
        data_source="Infection prevention and control surveillance",
        scale=(1000.0, " per 1,000 catheter days"), standard="infection-control",
    ),
    "food-fluid": _d(
        "Food and fluid charts fully completed", "process", "effective", "p", "week",
        "increase",
        "Share of food and fluid charts audited that were complete for the previous 24 hours, "
        "including the running fluid balance.",
        numerator_definition="Charts complete for the previous 24 hours",
        denominator_definition="Charts audited (weekly ward audit)",
        data_source="Weekly ward documentation audit", scale=PERCENT, target=90.0,
        target_source="Nutritional care standard (local audit)",
    ),
    # Ward specialties
    "falls-care-plan": _d(
        "Patients aged 65 or over with a falls care plan within 24 hours", "process", "safe",
        "p", "week", "increase",
        "Share of patients aged 65 or over admitted to the ward with a falls care plan "
        "completed within 24 hours of arrival.",
        numerator_definition="Patients with the care plan completed within 24 hours",
        denominator_definition="Patients aged 65 or over admitted to the ward in the week",
        data_source="Weekly ward documentation audit", scale=PERCENT,
        standard="falls-bundle-ward-7", target=90.0, target_source="Ward 7 falls bundle",
    ),
    "copd-bundle": _d(
        "COPD discharge bundle completed", "process", "effective", "p", "month", "increase",
        "Share of people going home after an exacerbation of COPD with every element of the "
        "discharge bundle done (inhaler check, smoking cessation, rescue pack, rehabilitation "
        "referral, follow-up).",
        numerator_definition="COPD discharges with every bundle element recorded",
        denominator_definition="Discharges with a primary diagnosis of COPD exacerbation",
        data_source="Respiratory audit database", scale=PERCENT, target=80.0,
        target_source="British Thoracic Society audit standard",
    ),
    "cardiac-rehab": _d(
        "Referred to cardiac rehabilitation before discharge", "process", "effective", "p",
        "month", "increase",
        "Share of people discharged after an acute coronary syndrome who were referred to "
        "cardiac rehabilitation before they left.",
        numerator_definition="Discharges after ACS with a rehabilitation referral",
        denominator_definition="Discharges with acute coronary syndrome",
        data_source="Cardiology audit database", scale=PERCENT, target=85.0,
        target_source="National cardiac rehabilitation audit",
    ),
    "fasting": _d(
        "Patients fasted for more than 12 hours before surgery", "process", "person_centred",
        "p", "week", "decrease",
        "Share of patients going to theatre from the ward who had had no food or fluids for "
        "more than 12 hours.",
        numerator_definition="Patients nil by mouth for more than 12 hours before theatre",
        denominator_definition="Patients going to theatre from the ward",
        data_source="Weekly fasting audit", scale=PERCENT, target=10.0,
        target_source="Perioperative care standard (local)",
    ),
    "hip-fracture-36h": _d(
        "Hip fracture surgery within 36 hours", "process", "timely", "p", "month", "increase",
        "Share of people with a hip fracture who had surgery within 36 hours of arriving at "
        "the hospital.",
        numerator_definition="Hip fracture patients in theatre within 36 hours",
        denominator_definition="Hip fracture patients having surgery",
        data_source="Hip fracture audit", scale=PERCENT, target=85.0,
        target_source="Scottish standards of care for hip fracture patients",
    ),
    "delirium-screen": _d(
        "Hip fracture patients screened for delirium (4AT)", "process", "effective", "p",
        "month", "increase",
        "Share of hip fracture patients with a 4AT delirium screen recorded before and after "
        "surgery.",
        numerator_definition="Patients with both 4AT screens recorded",
        denominator_definition="Hip fracture patients admitted",
        data_source="Hip fracture audit", scale=PERCENT, target=90.0,
        target_source="Scottish standards of care for hip fracture patients",
    ),
    "ssi-days": _d(
        "Days between surgical site infections after joint replacement", "outcome", "safe",
        "t", "day", "increase",
        "One point per surgical site infection within 90 days of a hip or knee replacement, "
        "dated on the day of surgery; the value is the days since the previous one.",
        data_source="Surgical site infection surveillance", scale=(1.0, " days"),
        standard="infection-control", decimals=0,
    ),
    "surgical-review": _d(
        "Time from arrival to surgical review", "process", "timely", "i", "week", "decrease",
        "Mean minutes from arrival in the receiving unit to the first review by a surgeon, for "
        "patients admitted in the week.",
        data_source=PAS, scale=(1.0, " minutes"), target=240.0,
        target_source="Surgical receiving standard (local)", decimals=0,
    ),
    "amu-los": _d(
        "Length of stay in the Acute Medical Unit", "outcome", "efficient", "i", "week",
        "decrease",
        "Mean hours from arrival in the unit to discharge or transfer to a ward, for patients "
        "leaving the unit in the week.",
        data_source=PAS, scale=(1.0, " hours"), target=36.0,
        target_source="Acute medicine pathway", decimals=1,
    ),
    "amu-admissions": _d(
        "Admissions to the Acute Medical Unit", "structure", "efficient", "c", "day", "neutral",
        "Patients admitted to the unit in the day (midnight to midnight). Shown for context: "
        "demand, not performance.",
        data_source=PAS, scale=(1.0, " admissions"),
    ),
    "ot-48h": _d(
        "Occupational therapy assessment within 48 hours", "process", "effective", "p", "month",
        "increase",
        "Share of admissions to rehabilitation assessed by an occupational therapist within 48 "
        "hours of arrival.",
        numerator_definition="Admissions assessed within 48 hours",
        denominator_definition="Admissions to the ward in the month",
        data_source="Allied health professions activity system", scale=PERCENT, target=80.0,
        target_source="Rehabilitation pathway",
    ),
    "discharge-home": _d(
        "Discharged to their usual place of residence", "outcome", "effective", "p", "month",
        "increase",
        "Share of discharges where the person went back to where they lived before admission.",
        numerator_definition="Discharges to the usual place of residence",
        denominator_definition="All discharges in the month, excluding deaths",
        data_source=PAS, scale=PERCENT,
    ),
    # Emergency care
    "ed-4h": _d(
        "Seen and left within 4 hours", "outcome", "timely", "pp", "week", "increase",
        "Share of attendances at the Emergency Department that were admitted, transferred or "
        "discharged within 4 hours of arrival. A P′ chart, because with so many attendances "
        "an ordinary P chart's limits are too narrow to be useful.",
        numerator_definition="Attendances leaving the department within 4 hours of arrival",
        denominator_definition="All new and unplanned return attendances",
        data_source=EDIS, scale=PERCENT, standard="emergency-access", target=95.0,
        target_source="Scottish Government emergency access standard",
    ),
    "ed-12h": _d(
        "Patients in the department for more than 12 hours", "outcome", "timely", "c", "week",
        "decrease",
        "Attendances that spent more than 12 hours in the Emergency Department from arrival.",
        data_source=EDIS, scale=(1.0, " patients"), standard="emergency-access",
        target=0.0, target_source="Emergency care improvement programme",
    ),
    "ed-attendances": _d(
        "Emergency Department attendances", "structure", "efficient", "c", "day", "neutral",
        "New and unplanned return attendances in the day. Shown for context: demand, not "
        "performance.",
        data_source=EDIS, scale=(1.0, " attendances"),
    ),
    "sepsis-antibiotics": _d(
        "Time to antibiotics in suspected sepsis", "process", "timely", "i", "week", "decrease",
        "Mean minutes from arrival to the first dose of intravenous antibiotics for adults "
        "screened positive for sepsis at triage.",
        data_source=f"{EDIS}; sepsis screening tool", scale=(1.0, " minutes"),
        standard="sepsis", target=60.0, target_source="NICE quality standard QS161",
        decimals=0,
    ),
    "triage-time": _d(
        "Time to initial assessment", "process", "timely", "i", "week", "decrease",
        "Mean minutes from arrival to the initial clinical assessment (triage).",
        data_source=EDIS, scale=(1.0, " minutes"), target=15.0,
        target_source="Royal College of Emergency Medicine", decimals=1,
    ),
    "left-before-seen": _d(
        "Left before being seen", "balancing", "timely", "p", "week", "decrease",
        "Share of attendances where the person left before being seen by a clinician.",
        numerator_definition="Attendances ending 'left before being seen'",
        denominator_definition="All attendances in the week",
        data_source=EDIS, scale=PERCENT, target=5.0,
        target_source="Royal College of Emergency Medicine",
    ),
    "ed-reattend": _d(
        "Unplanned re-attendance within 7 days", "balancing", "effective", "p", "month",
        "decrease",
        "Share of discharged attendances followed by an unplanned return to the department "
        "within 7 days. The balancing measure for pushing patients out quickly.",
        numerator_definition="Discharged attendances with an unplanned return within 7 days",
        denominator_definition="Attendances discharged from the department",
        data_source=EDIS, scale=PERCENT, target=5.0,
        target_source="Royal College of Emergency Medicine",
    ),
    "ambulance-handover": _d(
        "Ambulance handovers within 15 minutes", "process", "timely", "p", "week", "increase",
        "Share of ambulance arrivals handed over to department staff within 15 minutes.",
        numerator_definition="Ambulance arrivals handed over within 15 minutes",
        denominator_definition="Ambulance arrivals in the week",
        data_source=f"{EDIS}; ambulance service", scale=PERCENT, target=85.0,
        target_source="Joint ambulance and hospital handover standard",
    ),
    "interpreter": _d(
        "Interpreter used when needed", "process", "equitable", "p", "month", "increase",
        "Share of attendances by people needing an interpreter (spoken or British Sign "
        "Language) where one was used for the clinical assessment.",
        numerator_definition="Attendances needing an interpreter where one was used",
        denominator_definition="Attendances recorded as needing an interpreter",
        data_source=f"{EDIS}; interpreting service bookings", scale=PERCENT, target=90.0,
        target_source="Board equality outcomes",
    ),
    "miu-4h": _d(
        "Seen and left within 4 hours (Minor Injuries Unit)", "outcome", "timely", "p", "week",
        "increase",
        "Share of attendances at the Minor Injuries Unit discharged or transferred within 4 "
        "hours of arrival.",
        numerator_definition="Attendances leaving within 4 hours",
        denominator_definition="All attendances in the week",
        data_source=EDIS, scale=PERCENT, standard="emergency-access", target=95.0,
        target_source="Scottish Government emergency access standard",
    ),
    "miu-treatment-time": _d(
        "Time from arrival to treatment (Minor Injuries Unit)", "process", "timely", "i", "week",
        "decrease",
        "Mean minutes from arrival to the start of treatment by a nurse practitioner.",
        data_source=EDIS, scale=(1.0, " minutes"), target=60.0,
        target_source="Minor injuries service standard (local)", decimals=0,
    ),
    "han-tasks": _d(
        "Overnight tasks completed by morning", "process", "safe", "p", "week", "increase",
        "Share of tasks handed over at the 21:00 huddle that were completed and recorded by the "
        "08:00 handover.",
        numerator_definition="Handed-over tasks completed by 08:00",
        denominator_definition="Tasks handed over at the 21:00 huddle",
        data_source="Hospital at Night task system", scale=PERCENT, target=90.0,
        target_source="Hospital at Night operating standard",
    ),
    "han-review": _d(
        "NEWS2 of 7 or more reviewed within 1 hour overnight", "process", "safe", "p", "week",
        "increase",
        "Share of overnight calls for a NEWS2 of 7 or more where a doctor reviewed the patient "
        "within an hour.",
        numerator_definition="Calls reviewed within an hour",
        denominator_definition="Overnight calls for NEWS2 of 7 or more",
        data_source="Hospital at Night task system", scale=PERCENT,
        standard="deteriorating-patient", target=95.0,
        target_source="Deteriorating patient policy",
    ),
    "han-calls": _d(
        "Calls to the Hospital at Night coordinator", "structure", "efficient", "c", "day",
        "neutral",
        "Tasks and calls logged by the coordinator between 21:00 and 08:00. Context for "
        "staffing the night.",
        data_source="Hospital at Night task system", scale=(1.0, " calls"),
    ),
    # Theatres and day surgery
    "safety-checklist": _d(
        "Surgical safety checklist fully completed", "process", "safe", "p", "week", "increase",
        "Share of operations where all three parts of the surgical safety checklist (sign in, "
        "time out, sign out) were completed and recorded.",
        numerator_definition="Operations with all three parts recorded",
        denominator_definition="Operations in the week",
        data_source=THEATRES, scale=PERCENT, target=98.0,
        target_source="Scottish Patient Safety Programme",
    ),
    "cancelled-on-day": _d(
        "Operations cancelled on the day for non-clinical reasons", "outcome", "efficient", "p",
        "week", "decrease",
        "Share of planned operations cancelled on the day of surgery for a reason other than "
        "the patient's condition (no bed, no time, equipment, staff).",
        numerator_definition="Operations cancelled on the day for non-clinical reasons",
        denominator_definition="Operations planned for the week",
        data_source=THEATRES, scale=PERCENT, target=2.0,
        target_source="Board elective care plan",
    ),
    "theatre-utilisation": _d(
        "Theatre session time used", "process", "efficient", "pp", "week", "increase",
        "Minutes of planned session time used for operating (knife to skin to leaving theatre, "
        "plus anaesthetic time), as a share of minutes planned.",
        numerator_definition="Minutes used",
        denominator_definition="Minutes of planned session time",
        data_source=THEATRES, scale=PERCENT, target=85.0,
        target_source="National theatres programme",
    ),
    "on-time-start": _d(
        "Theatre sessions starting on time", "process", "efficient", "p", "week", "increase",
        "Share of morning sessions where the first patient entered the anaesthetic room within "
        "15 minutes of the planned start.",
        numerator_definition="Sessions starting within 15 minutes of plan",
        denominator_definition="Morning sessions held",
        data_source=THEATRES, scale=PERCENT, target=80.0,
        target_source="National theatres programme",
    ),
    "day-case-rate": _d(
        "Day case rate for procedures suitable for day surgery", "outcome", "efficient", "p",
        "month", "increase",
        "Share of operations on the British Association of Day Surgery list done as day cases.",
        numerator_definition="Listed procedures done as day cases",
        denominator_definition="Listed procedures done",
        data_source=THEATRES, scale=PERCENT, target=80.0,
        target_source="British Association of Day Surgery directory",
    ),
    "unplanned-admission": _d(
        "Unplanned overnight admission after day surgery", "balancing", "safe", "p", "month",
        "decrease",
        "Share of day-case patients who had to stay overnight when it was not planned.",
        numerator_definition="Day cases admitted overnight, unplanned",
        denominator_definition="Day cases",
        data_source=THEATRES, scale=PERCENT, target=5.0,
        target_source="British Association of Day Surgery",
    ),
    "next-day-call": _d(
        "Patients called the day after day surgery", "process", "person_centred", "p", "week",
        "increase",
        "Share of day-case patients who received the nurse's follow-up call the next working "
        "day.",
        numerator_definition="Day-case patients reached by phone the next working day",
        denominator_definition="Day-case patients discharged",
        data_source="Day surgery follow-up log", scale=PERCENT, target=95.0,
        target_source="Day surgery unit standard",
    ),
    # Community nursing
    "first-visit-48h": _d(
        "First visit within 48 hours of referral", "process", "timely", "p", "week", "increase",
        "Share of new referrals visited for the first time within 48 hours of the referral.",
        numerator_definition="New referrals visited within 48 hours",
        denominator_definition="New referrals accepted in the week",
        data_source=COMMUNITY, scale=PERCENT, standard="first-visit-48h", target=90.0,
        target_source="Community nursing standard",
    ),
    "community-pressure-ulcers": _d(
        "Pressure ulcers, category 2 and above, on the caseload", "outcome", "safe", "c",
        "month", "decrease",
        "New pressure ulcers of category 2 or worse in people on the district nursing "
        "caseload, counted in the month they were found.",
        data_source=f"{DATIX}; {COMMUNITY}", scale=(1.0, " ulcers"),
        standard="pressure-ulcers",
    ),
    "missed-visits": _d(
        "Planned visits not made", "outcome", "safe", "c", "week", "decrease",
        "Planned visits that did not happen on the day for a reason on the service's side "
        "(staffing, time, travel).",
        data_source=COMMUNITY, scale=(1.0, " visits"),
    ),
    "preferred-place": _d(
        "Died in their preferred place", "outcome", "person_centred", "p", "month", "increase",
        "Share of people on the caseload who died and had said where they wished to die, who "
        "died there.",
        numerator_definition="Deaths in the preferred place",
        denominator_definition="Deaths of people with a recorded preference",
        data_source=COMMUNITY, scale=PERCENT, target=80.0,
        target_source="Palliative care strategy",
    ),
    "caseload": _d(
        "Active caseload", "structure", "efficient", "i", "week", "neutral",
        "People on the team's active caseload on Monday morning. Context for workload.",
        data_source=COMMUNITY, scale=(1.0, " people"), decimals=0,
    ),
    "insulin-on-time": _d(
        "Insulin visits within 30 minutes of the planned time", "process", "safe", "p", "week",
        "increase",
        "Share of visits to give insulin that started within 30 minutes of the time in the "
        "care plan.",
        numerator_definition="Insulin visits within 30 minutes of plan",
        denominator_definition="Insulin visits made",
        data_source=COMMUNITY, scale=PERCENT, standard="critical-medicines", target=90.0,
        target_source="Medicines safety programme",
    ),
    "treatment-room-wait": _d(
        "Wait for a treatment room appointment", "outcome", "timely", "i", "week", "decrease",
        "Mean days from request to the appointment, for appointments booked in the week.",
        data_source="Treatment room booking system", scale=(1.0, " days"), target=10.0,
        target_source="Community nursing standard", decimals=1,
    ),
    "leg-ulcer-healing": _d(
        "Leg ulcers healed within 12 weeks", "outcome", "effective", "p", "month", "increase",
        "Share of venous leg ulcers reaching 12 weeks of treatment in the month that had "
        "healed.",
        numerator_definition="Ulcers healed within 12 weeks",
        denominator_definition="Ulcers reaching 12 weeks of treatment in the month",
        data_source="Leg ulcer register", scale=PERCENT, target=60.0,
        target_source="Leg ulcer care framework",
    ),
    "dna": _d(
        "Appointments not attended (DNA)", "process", "efficient", "p", "week", "decrease",
        "Share of booked appointments where the person did not attend and did not cancel.",
        numerator_definition="Appointments not attended without notice",
        denominator_definition="Appointments booked for the week",
        data_source=PAS, scale=PERCENT, target=5.0, target_source="Board outpatient plan",
    ),
    # Rehabilitation, falls, hospital at home
    "falls-assessment-6w": _d(
        "Multifactorial falls assessment within 6 weeks of referral", "process", "timely", "p",
        "month", "increase",
        "Share of people referred after a fall who had the multifactorial assessment within 6 "
        "weeks.",
        numerator_definition="People assessed within 6 weeks",
        denominator_definition="People assessed in the month",
        data_source="Falls service database", scale=PERCENT, standard="falls-assessment",
        target=90.0, target_source="Falls prevention pathway",
    ),
    "falls-admissions": _d(
        "Emergency admissions after a fall, people aged 65 and over", "outcome", "safe", "c",
        "month", "decrease",
        "Emergency admissions of people aged 65 and over living in the area where the "
        "admission followed a fall.",
        data_source=PAS, scale=(1.0, " admissions"), standard="falls-assessment",
    ),
    "strength-balance": _d(
        "Completed a strength and balance programme", "outcome", "effective", "p", "month",
        "increase",
        "Share of people starting a strength and balance programme who completed it.",
        numerator_definition="People completing the 12-week programme",
        denominator_definition="People due to complete the programme in the month",
        data_source="Falls service database", scale=PERCENT, target=60.0,
        target_source="Falls prevention pathway",
    ),
    "hah-patients": _d(
        "Patients treated by Hospital at Home", "outcome", "efficient", "c", "week", "increase",
        "People admitted to Hospital at Home in the week instead of to a hospital bed.",
        data_source="Hospital at Home caseload system", scale=(1.0, " patients"),
    ),
    "hah-transfer": _d(
        "Transferred to hospital within 48 hours", "balancing", "safe", "p", "month",
        "decrease",
        "Share of Hospital at Home admissions transferred to a hospital bed within 48 hours.",
        numerator_definition="Admissions transferred to hospital within 48 hours",
        denominator_definition="Hospital at Home admissions",
        data_source="Hospital at Home caseload system", scale=PERCENT, target=10.0,
        target_source="Hospital at Home programme",
    ),
    "readmissions": _d(
        "Emergency readmissions within 28 days", "outcome", "effective", "p", "month",
        "decrease",
        "Share of discharges followed by an emergency readmission to any hospital in the board "
        "within 28 days.",
        numerator_definition="Discharges followed by an emergency readmission within 28 days",
        denominator_definition="Discharges in the month, excluding deaths",
        data_source=PAS, scale=PERCENT,
    ),
    # Primary care
    "polypharmacy-review": _d(
        "Polypharmacy reviews for people on 10 or more medicines", "process", "effective", "p",
        "month", "increase",
        "Share of people on 10 or more repeat medicines who had a structured medication review "
        "in the last 12 months.",
        numerator_definition="People on 10 or more medicines reviewed in the last 12 months",
        denominator_definition="People on 10 or more repeat medicines",
        data_source="GP clinical systems", scale=PERCENT, target=50.0,
        target_source="Polypharmacy guidance (local plan)",
    ),
    "serial-prescriptions": _d(
        "Patients on serial prescriptions", "process", "efficient", "run", "month", "increase",
        "People with a serial prescription in place on the last day of the month.",
        data_source="Prescribing information system", scale=(1.0, " patients"), decimals=0,
        rules="anhoej",
    ),
    "high-risk-monitoring": _d(
        "High-risk medicine monitoring up to date", "process", "safe", "p", "month",
        "increase",
        "Share of people on methotrexate, lithium or a DOAC whose blood monitoring is up to "
        "date.",
        numerator_definition="People whose monitoring is up to date",
        denominator_definition="People prescribed methotrexate, lithium or a DOAC",
        data_source="GP clinical systems", scale=PERCENT, standard="critical-medicines",
        target=95.0, target_source="Medicines safety programme",
    ),
    "six-in-one": _d(
        "Six-in-one vaccine by 12 months of age", "outcome", "effective", "p", "month",
        "increase",
        "Share of children turning 12 months in the month who have had three doses of the "
        "six-in-one vaccine.",
        numerator_definition="Children with three doses by 12 months",
        denominator_definition="Children turning 12 months in the month",
        data_source="Child health system", scale=PERCENT, target=95.0,
        target_source="World Health Organization",
    ),
    "vaccine-uptake-deprived": _d(
        "Six-in-one vaccine by 12 months, most deprived fifth", "outcome", "equitable", "p",
        "month", "increase",
        "As the six-in-one measure, for children living in the most deprived fifth of areas "
        "(SIMD quintile 1), to see whether the gap is closing.",
        numerator_definition="Children in SIMD quintile 1 with three doses by 12 months",
        denominator_definition="Children in SIMD quintile 1 turning 12 months in the month",
        data_source="Child health system", scale=PERCENT, target=95.0,
        target_source="World Health Organization",
    ),
    "vaccine-wastage": _d(
        "Vaccine doses wasted", "process", "efficient", "p", "month", "decrease",
        "Doses drawn up or issued that were not given, as a share of doses issued to clinics.",
        numerator_definition="Doses wasted",
        denominator_definition="Doses issued to clinics",
        data_source="Vaccine stock system", scale=PERCENT, target=5.0,
        target_source="Vaccination programme",
    ),
    "pharmacotherapy-coverage": _d(
        "GP practices with a full pharmacotherapy service", "structure", "effective", "run",
        "quarter", "increase",
        "Practices receiving all three levels of the pharmacotherapy service at the end of "
        "the quarter.",
        data_source="Primary care improvement plan returns", scale=(1.0, " practices"),
        decimals=0, rules="anhoej",
    ),
    "antibiotic-prescribing": _d(
        "Antibiotic items prescribed per 1,000 patients", "process", "effective", "up",
        "month", "decrease",
        "Antibiotic items dispensed from general practice prescriptions per 1,000 registered "
        "patients in the month. A U′ chart, because the population is so large.",
        numerator_definition="Antibiotic items dispensed",
        denominator_definition="Registered patients",
        data_source="Prescribing information system", scale=(1000.0, " per 1,000 patients"),
    ),
    # Mental health and learning disability
    "restraint": _d(
        "Restraint episodes", "outcome", "safe", "c", "week", "decrease",
        "Episodes of physical restraint on the ward, each recorded and reviewed.",
        data_source=f"{DATIX}; {MH_RECORD}", scale=(1.0, " episodes"),
        standard="restrictive-practice",
    ),
    "violence": _d(
        "Violence and aggression incidents", "outcome", "safe", "c", "week", "decrease",
        "Incidents of violence or aggression towards people on the ward, patients or staff.",
        data_source=DATIX, scale=(1.0, " incidents"), standard="restrictive-practice",
    ),
    "co-produced-care-plan": _d(
        "Care plans written with the person", "process", "person_centred", "p", "month",
        "increase",
        "Share of care plans audited that show the person's own words and were agreed with "
        "them.",
        numerator_definition="Care plans co-produced with the person",
        denominator_definition="Care plans audited in the month",
        data_source=f"{MH_RECORD}; monthly care plan audit", scale=PERCENT, target=80.0,
        target_source="Mental health care standards (local)",
    ),
    "physical-health-check": _d(
        "Physical health check within 72 hours of admission", "process", "effective", "p",
        "month", "increase",
        "Share of admissions with a full physical health check recorded within 72 hours.",
        numerator_definition="Admissions with the check within 72 hours",
        denominator_definition="Admissions in the month",
        data_source=MH_RECORD, scale=PERCENT, target=90.0,
        target_source="Mental health care standards (local)",
    ),
    "occupancy": _d(
        "Bed occupancy", "structure", "efficient", "i", "week", "neutral",
        "Mean occupied beds at midnight, including patients on pass, as a percentage of "
        "funded beds.",
        data_source=PAS, scale=(1.0, "%"), decimals=1,
    ),
    "psychological-therapies-18w": _d(
        "Psychological therapy started within 18 weeks", "outcome", "timely", "pp", "month",
        "increase",
        "Share of people starting a psychological therapy in the month who waited 18 weeks or "
        "less from referral.",
        numerator_definition="People starting therapy who waited 18 weeks or less",
        denominator_definition="People starting therapy in the month",
        data_source=MH_RECORD, scale=PERCENT, standard="psychological-therapies",
        target=90.0, target_source="Scottish Government waiting times standard",
    ),
    "cmht-wait": _d(
        "Wait from referral to first appointment", "outcome", "timely", "i", "month",
        "decrease",
        "Mean weeks from referral to the first appointment, for first appointments in the "
        "month.",
        data_source=MH_RECORD, scale=(1.0, " weeks"), target=6.0,
        target_source="Community mental health standard (local)", decimals=1,
    ),
    "dna-deprived": _d(
        "Appointments not attended, most deprived fifth", "process", "equitable", "p", "month",
        "decrease",
        "Share of booked appointments not attended without notice, for people living in the "
        "most deprived fifth of areas (SIMD quintile 1).",
        numerator_definition="Appointments in SIMD quintile 1 not attended without notice",
        denominator_definition="Appointments booked for people in SIMD quintile 1",
        data_source=PAS, scale=PERCENT, target=10.0,
        target_source="Board equality outcomes",
    ),
    "care-plan-review": _d(
        "Care plans reviewed in the last 6 months", "process", "effective", "p", "month",
        "increase",
        "Share of people on the caseload whose care plan was reviewed with them in the last 6 "
        "months.",
        numerator_definition="People with a care plan review in the last 6 months",
        denominator_definition="People on the caseload on the last day of the month",
        data_source=MH_RECORD, scale=PERCENT, target=90.0,
        target_source="Mental health care standards (local)",
    ),
    "crisis-4h": _d(
        "Urgent referrals assessed within 4 hours", "process", "timely", "p", "week",
        "increase",
        "Share of urgent referrals to the crisis team assessed face to face within 4 hours.",
        numerator_definition="Urgent referrals assessed within 4 hours",
        denominator_definition="Urgent referrals in the week",
        data_source=MH_RECORD, scale=PERCENT, target=90.0,
        target_source="Crisis care standard (local)",
    ),
    "home-treatment": _d(
        "Treated at home instead of admitted", "outcome", "person_centred", "p", "month",
        "increase",
        "Share of people assessed by the crisis team as needing admission-level care who were "
        "treated at home.",
        numerator_definition="People treated at home",
        denominator_definition="People assessed as needing admission-level care",
        data_source=MH_RECORD, scale=PERCENT,
    ),
    "re-referral": _d(
        "Re-referred within 28 days of discharge", "balancing", "effective", "p", "month",
        "decrease",
        "Share of people discharged by the team who were referred back within 28 days.",
        numerator_definition="Discharges re-referred within 28 days",
        denominator_definition="Discharges in the month",
        data_source=MH_RECORD, scale=PERCENT, target=15.0,
        target_source="Crisis care standard (local)",
    ),
    "ld-health-check": _d(
        "Annual health check for adults with a learning disability", "process", "equitable",
        "p", "quarter", "increase",
        "Share of adults with a learning disability known to the service who had an annual "
        "health check in the last 12 months.",
        numerator_definition="Adults with a health check in the last 12 months",
        denominator_definition="Adults with a learning disability known to the service",
        data_source="Learning disability register", scale=PERCENT, target=75.0,
        target_source="Learning disability health check programme",
    ),
    "ld-first-contact": _d(
        "Wait for first contact", "outcome", "timely", "i", "month", "decrease",
        "Mean days from referral to the first contact by the team.",
        data_source=MH_RECORD, scale=(1.0, " days"), target=28.0,
        target_source="Learning disability service standard (local)", decimals=0,
    ),
    "pbs-plan": _d(
        "Patients with an up-to-date positive behaviour support plan", "process",
        "person_centred", "run", "month", "increase",
        "Patients on the ward on the last day of the month whose positive behaviour support "
        "plan was reviewed in the last 3 months, as a percentage of patients on the ward.",
        data_source=MH_RECORD, scale=(1.0, "%"), decimals=0, rules="anhoej", ceiling=100.0,
    ),
    "ready-for-discharge": _d(
        "Patients ready for discharge still in hospital", "outcome", "person_centred", "c",
        "month", "decrease",
        "Patients on the ward on the last day of the month who were clinically ready for "
        "discharge but had no home or support to go to.",
        data_source=MH_RECORD, scale=(1.0, " patients"),
    ),
    # Services, divisions, the board
    "hsmr": _d(
        "Hospital standardised mortality ratio", "outcome", "safe", "i", "quarter", "decrease",
        "Observed deaths within 30 days of admission divided by the deaths predicted by the "
        "national model, for the quarter.",
        data_source="National hospital mortality data", scale=(1.0, ""),
        target=1.0, target_source="National average (ratio of 1)", decimals=2,
    ),
    "delayed-bed-days": _d(
        "Bed days occupied by delayed discharges", "outcome", "efficient", "i", "month",
        "decrease",
        "Bed days in the month used by people whose discharge was delayed, from the monthly "
        "census.",
        data_source="Delayed discharge census", scale=(1.0, " bed days"), decimals=0,
    ),
    "long-waits": _d(
        "Patients waiting more than 12 weeks for inpatient treatment", "outcome", "timely",
        "c", "month", "decrease",
        "People on the inpatient and day case waiting list on the last day of the month who "
        "had waited more than 12 weeks.",
        data_source=PAS, scale=(1.0, " patients"), target=0.0,
        target_source="Treatment time guarantee",
    ),
    "emergency-admissions": _d(
        "Emergency admissions", "structure", "efficient", "c", "week", "neutral",
        "Emergency admissions to the acute hospitals in the week. Context for flow.",
        data_source=PAS, scale=(1.0, " admissions"),
    ),
    "long-ed-waits": _d(
        "Patients in the department for more than 8 hours", "outcome", "timely", "c", "week",
        "decrease",
        "Attendances across the emergency service that spent more than 8 hours from arrival.",
        data_source=EDIS, scale=(1.0, " patients"), standard="emergency-access",
    ),
    "care-package-on-day": _d(
        "Care at home started on the day of discharge", "process", "person_centred", "p",
        "month", "increase",
        "Share of people going home with a new package of care whose care started on the day "
        "they left hospital.",
        numerator_definition="People whose care started on the day of discharge",
        denominator_definition="People discharged with a new care package",
        data_source="Social work and care at home system", scale=PERCENT, target=90.0,
        target_source="Integration joint board plan",
    ),
    "out-of-area": _d(
        "People in out-of-area placements", "outcome", "person_centred", "i", "quarter",
        "decrease",
        "People with a learning disability placed outside the board's area on the last day of "
        "the quarter.",
        data_source="Learning disability register", scale=(1.0, " people"), decimals=0,
    ),
    "cdiff-days": _d(
        "Days between Clostridioides difficile infections", "outcome", "safe", "t", "day",
        "increase",
        "One point per healthcare-associated C. difficile infection in the acute hospitals, "
        "dated on the day of the positive sample; the value is the days since the previous "
        "one. Higher is better.",
        data_source="Infection prevention and control surveillance", scale=(1.0, " days"),
        standard="infection-control", decimals=0,
    ),
    "cardiac-arrests": _d(
        "Cardiac arrests per 1,000 admissions", "outcome", "safe", "u", "month", "decrease",
        "Cardiac arrests with the resuscitation team called, outside critical care and the "
        "Emergency Department, per 1,000 admissions.",
        numerator_definition="Cardiac arrest calls outside critical care and the ED",
        denominator_definition="Admissions in the month",
        data_source="Resuscitation audit", scale=(1000.0, " per 1,000 admissions"),
        standard="deteriorating-patient",
    ),
    "sab": _d(
        "Staphylococcus aureus bacteraemias, healthcare associated", "outcome", "safe", "c",
        "month", "decrease",
        "Healthcare-associated Staphylococcus aureus bacteraemias, counted by the month of the "
        "positive blood culture.",
        data_source="Infection prevention and control surveillance",
        scale=(1.0, " infections"), standard="infection-control",
    ),
    "complaints-20d": _d(
        "Complaints answered within 20 working days", "process", "person_centred", "p",
        "month", "increase",
        "Share of stage 2 complaints closed in the month that were answered within 20 working "
        "days.",
        numerator_definition="Stage 2 complaints answered within 20 working days",
        denominator_definition="Stage 2 complaints closed in the month",
        data_source="Complaints system", scale=PERCENT, standard="complaints", target=70.0,
        target_source="Board complaints improvement plan",
    ),
    "mandatory-training": _d(
        "Staff with mandatory training up to date", "structure", "safe", "p", "month",
        "increase",
        "Share of staff whose mandatory training (fire, moving and handling, information "
        "governance, adult and child protection) is all in date.",
        numerator_definition="Staff with all mandatory modules in date",
        denominator_definition="Staff in post on the last day of the month",
        data_source="Learning management system", scale=PERCENT, target=90.0,
        target_source="Board workforce plan",
    ),
    "overall-rating": _d(
        "Overall rating of care", "outcome", "person_centred", "i", "quarter", "increase",
        "Mean overall rating of care (0 to 10) from all feedback received in the quarter.",
        data_source=FEEDBACK, scale=(1.0, " out of 10"), standard="care-experience",
        target=8.5, target_source="Board person-centred care plan", decimals=2, ceiling=10.0,
    ),
    "outpatient-dna-deprived": _d(
        "Outpatient appointments not attended, most deprived fifth", "process", "equitable",
        "p", "month", "decrease",
        "Share of new outpatient appointments not attended without notice by people living in "
        "the most deprived fifth of areas (SIMD quintile 1).",
        numerator_definition="New appointments in SIMD quintile 1 not attended",
        denominator_definition="New appointments booked for people in SIMD quintile 1",
        data_source=PAS, scale=PERCENT, target=8.0,
        target_source="Board equality outcomes",
    ),
}  # fmt: skip


# How each measure behaves ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """The level moves to `to` from `ago` periods before the end (1 = the last period): a
    sustained shift. A `phase` reason means the team re-based the limits there."""

    ago: int
    to: float
    phase: str = ""
    note: str = ""


@dataclass(frozen=True)
class Trend:
    """The level drifts steadily from where it is `ago` periods before the end to `to`."""

    ago: int
    to: float


@dataclass(frozen=True)
class Winter:
    """Seasonal swing: the level changes by `amplitude` (a fraction, signed) in mid-January
    and by the opposite in mid-July."""

    amplitude: float


@dataclass(frozen=True)
class Spike:
    """One period at `to`: an outlier, with the reason recorded as an annotation."""

    ago: int
    to: float
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """A measure in a unit: its definition, typical level (in plotted units; for g and t
    charts the mean days between events), denominator size per period (p, u), spread (sd of
    measured values for i and run charts; period-to-period noise for P′ and U′ charts) and
    story."""

    unit: str
    definition: str
    level: float
    size: float = 0.0
    spread: float = 0.0
    target: float | None = None  # None: the definition's target
    story: tuple = ()

    @property
    def code(self) -> str:
        return f"{self.unit}-{self.definition}"


def P(unit, definition, level, size=0.0, spread=0.0, target=None, *effects, story=()):
    """A plan in one line: positional effects after the target, or `story=` without them."""
    return Plan(unit, definition, level, size, spread, target, tuple(effects) + story)


FALLS_BUNDLE = "Falls bundle introduced: care plan within 24 hours, bay supervision, footwear"
SEPSIS_TRIAGE = "Sepsis screening at triage, with antibiotics stocked in the resuscitation room"
PRE_ASSESSMENT = "Pre-assessment phone call 72 hours before surgery"
SAFEWARDS = "Safewards interventions introduced on the ward"
BAY_TAGGING = "Bay tagging: a member of staff always present in high-risk bays"
STEWARDSHIP = "Antimicrobial stewardship ward rounds and rapid isolation"
COMPRESSION = "Compression therapy pathway and leg ulcer clinic opened"

PLANS = [
    # Ward 7 Respiratory: the demo lead's ward. The falls bundle worked; escalation of NEWS2
    # has slipped since the autumn rota change and needs the team's attention now.
    P("ward-7", "falls-rate", 8.5, 800, 0, None, Step(14, 4.8, FALLS_BUNDLE)),
    P("ward-7", "falls-care-plan", 52, 30, 0, None, Step(64, 89, FALLS_BUNDLE)),
    P("ward-7", "falls-harm-days", 40, 0, 0, None, Step(451, 95, FALLS_BUNDLE)),
    P("ward-7", "news2-escalation", 90, 32, 0, None,
      Step(9, 68, note="Autumn rota change: fewer registered nurses on early shifts")),
    P("ward-7", "hand-hygiene", 96, 40),
    P("ward-7", "vte-assessment", 93, 30),
    P("ward-7", "pressure-ulcers", 1.2, story=(Winter(0.3),)),
    P("ward-7", "sickness", 5.2, 7200, 0.12, None, Winter(0.15)),
    P("ward-7", "copd-bundle", 58, 22, 0, None, Trend(9, 80)),
    P("ward-7", "recommend", 91, 26),
    # Ward 8 Cardiology
    P("ward-8", "falls-rate", 3.8, 700),
    P("ward-8", "hand-hygiene", 99, 40, 0, 90.0),
    P("ward-8", "news2-escalation", 93, 22),
    P("ward-8", "vte-assessment", 97, 36),
    P("ward-8", "cardiac-rehab", 64, 30, 0, None, Step(8, 88)),
    P("ward-8", "discharge-before-noon", 30, 34, 0, None, Trend(12, 12)),
    # Ward 9 Gastroenterology
    P("ward-9", "falls-rate", 6.5, 760),
    P("ward-9", "hand-hygiene", 94, 40),
    P("ward-9", "omitted-doses", 6.5, 420),
    P("ward-9", "vte-assessment", 86, 32, 0, None, Trend(10, 97)),
    P("ward-9", "sickness", 6.8, 6800, 0.05),
    P("ward-9", "rn-fill", 91, 105, 0, None, Step(8, 76,
      note="Two registered nurses on maternity leave; vacancies not yet filled")),
    # Acute Medical Unit
    P("amu", "vte-assessment", 91, 150),
    P("amu", "amu-los", 31, 0, 2.6, None, Winter(0.08)),
    P("amu", "news2-escalation", 79, 60, 0, None,
      Step(44, 92, "Safety huddle at 10:00 and 22:00 reviews every NEWS2 of 5 or more")),
    P("amu", "falls-rate", 5.0, 900),
    P("amu", "amu-admissions", 38, story=(Winter(0.12),)),
    P("amu", "discharge-before-noon", 24, 150),
    P("amu", "sickness", 5.0, 9800, 0.1),
    # Ward 14 General Surgery
    P("ward-14", "falls-rate", 3.2, 760),
    P("ward-14", "hand-hygiene", 97, 40),
    P("ward-14", "vte-assessment", 96, 40, 0, 90.0),
    P("ward-14", "fasting", 42, 28, 0, None,
      Step(10, 16, note="PDSA: patients may drink water until 2 hours before theatre")),
    P("ward-14", "cauti", 4.5, 260),
    # Ward 15 Orthopaedics
    P("ward-15", "falls-rate", 5.2, 720, 0, None, Trend(10, 10.0)),
    P("ward-15", "falls-harm-days", 55),
    P("ward-15", "hip-fracture-36h", 66, 32),
    P("ward-15", "delirium-screen", 78, 34),
    P("ward-15", "pressure-ulcers", 1.6),
    P("ward-15", "ssi-days", 45, 0, 0, None, Step(400, 110, "Pre-operative decolonisation "
      "and skin preparation bundle introduced")),
    # Ward 16 Surgical Receiving
    P("ward-16", "vte-assessment", 81, 120),
    P("ward-16", "news2-escalation", 90, 30),
    P("ward-16", "surgical-review", 150, 0, 22),
    P("ward-16", "hand-hygiene", 92, 40, 0, None, Spike(11, 70, "New starters not yet trained")),
    # Ward 3 Rehabilitation
    P("ward-3", "falls-rate", 11, 700, 0, 8.0, Step(20, 7.2, BAY_TAGGING)),
    P("ward-3", "falls-harm-days", 38),
    P("ward-3", "delayed-discharges", 4, 0, 0, None, Winter(0.3), Trend(12, 9)),
    P("ward-3", "pressure-ulcers", 0.8),
    P("ward-3", "ot-48h", 72, 30),
    P("ward-3", "discharge-home", 66, 30),
    P("ward-3", "care-experience", 8.7, 0, 0.3),
    P("ward-3", "food-fluid", 74, 20, 0, None, Trend(12, 88)),
    # Emergency Department
    P("ed", "ed-4h", 69, 1450, 0.1, None, Winter(-0.08)),
    P("ed", "ed-12h", 22, 0, 0, None, Winter(0.35), Trend(14, 60)),
    P("ed", "ed-attendances", 205, story=(Winter(0.07),)),
    P("ed", "sepsis-antibiotics", 96, 0, 16, None, Step(52, 52, SEPSIS_TRIAGE)),
    P("ed", "triage-time", 17, 0, 2.5),
    P("ed", "left-before-seen", 3.8, 1450, 0, 6.0),
    P("ed", "ed-reattend", 5.6, 5200),
    P("ed", "ambulance-handover", 72, 420, 0, None, Winter(-0.1), Trend(10, 48)),
    P("ed", "interpreter", 71, 60),
    # Minor Injuries Unit
    P("miu", "miu-4h", 98.6, 360),
    P("miu", "miu-treatment-time", 44, 0, 7),
    P("miu", "left-before-seen", 1.6, 360, 0, 5.0),
    P("miu", "recommend", 95, 45),
    # Hospital at Night
    P("hospital-at-night", "han-tasks", 84, 75),
    P("hospital-at-night", "han-review", 78, 26, 0, None,
      Step(30, 90, "Second registrar rostered overnight")),
    P("hospital-at-night", "han-calls", 54, story=(Winter(0.1),)),
    # Theatres
    P("theatres", "safety-checklist", 97.5, 180),
    P("theatres", "cancelled-on-day", 6.2, 180, 0, None, Step(30, 3.4, PRE_ASSESSMENT)),
    P("theatres", "theatre-utilisation", 77, 2400, 0.04),
    P("theatres", "on-time-start", 50, 40, 0, None, Step(9, 76)),
    # Day Surgery Unit
    P("day-surgery", "day-case-rate", 78, 300),
    P("day-surgery", "unplanned-admission", 2.6, 300),
    P("day-surgery", "next-day-call", 91, 60),
    P("day-surgery", "recommend", 96.5, 60),
    # District nursing, north and south
    P("dn-north", "first-visit-48h", 82, 40),
    P("dn-north", "community-pressure-ulcers", 4.2, story=(Trend(12, 9),)),
    P("dn-north", "missed-visits", 6, story=(Winter(0.35), Step(8, 14))),
    P("dn-north", "preferred-place", 72, 15),
    P("dn-north", "caseload", 305, 0, 9, None, Trend(40, 345)),
    P("dn-north", "sickness", 6.1, 5400, 0.1),
    P("dn-south", "first-visit-48h", 91, 36),
    P("dn-south", "community-pressure-ulcers", 3.1),
    P("dn-south", "missed-visits", 4, story=(Winter(0.3),)),
    P("dn-south", "preferred-place", 79, 13),
    P("dn-south", "insulin-on-time", 97, 280),
    # Treatment Room Service
    P("treatment-room", "treatment-room-wait", 8.5, 0, 1.6, None, Spike(40, 16,
      "Treatment room closed for two weeks: flooding")),
    P("treatment-room", "leg-ulcer-healing", 44, 30, 0, None, Step(14, 63, COMPRESSION)),
    P("treatment-room", "dna", 8.2, 260),
    # Rehabilitation and Older People teams
    P("falls", "falls-assessment-6w", 60, 50),
    P("falls", "falls-admissions", 46, story=(Winter(0.12), Step(9, 33))),
    P("falls", "strength-balance", 55, 40),
    P("hospital-at-home", "hah-patients", 14, story=(Trend(60, 30),)),
    P("hospital-at-home", "hah-transfer", 8.5, 90),
    P("hospital-at-home", "readmissions", 11, 90, 0, 12.0),
    P("hospital-at-home", "care-experience", 9.2, 0, 0.25),
    # Primary care support
    P("pharmacotherapy", "polypharmacy-review", 34, 220, 0, None, Trend(18, 56)),
    P("pharmacotherapy", "serial-prescriptions", 2100, 0, 55, None, Trend(24, 3400)),
    P("pharmacotherapy", "high-risk-monitoring", 88, 320),
    P("vaccination", "six-in-one", 94.5, 310),
    P("vaccination", "vaccine-uptake-deprived", 86, 80, 0, None, Trend(12, 92)),
    P("vaccination", "vaccine-wastage", 3.4, 2600),
    P("vaccination", "dna", 6.5, 420, 0, None, Step(8, 10.5)),
    # Ward 21 Adult Acute Admissions (mental health)
    P("ward-21", "restraint", 5.2, story=(Step(26, 2.3, SAFEWARDS),)),
    P("ward-21", "violence", 6, story=(Spike(1, 19,
      "Two patients in crisis on the same weekend; extra staff called in"),)),
    P("ward-21", "co-produced-care-plan", 55, 22, 0, None, Step(8, 86)),
    P("ward-21", "physical-health-check", 72, 24),
    P("ward-21", "occupancy", 103, 0, 3.5),
    P("ward-21", "sickness", 7.2, 6200, 0.06),
    # Community Mental Health Team North
    P("cmht-north", "psychological-therapies-18w", 68, 120, 0.05),
    P("cmht-north", "cmht-wait", 7, 0, 0.8, None, Trend(10, 12)),
    P("cmht-north", "dna", 11.5, 95, 0, 10.0),
    P("cmht-north", "dna-deprived", 19, 60),
    P("cmht-north", "care-plan-review", 81, 360),
    # Crisis Resolution Team
    P("crisis", "crisis-4h", 87, 28),
    P("crisis", "home-treatment", 61, 60),
    P("crisis", "re-referral", 13, 60),
    # Learning disability
    P("ld-community", "ld-health-check", 44, 260, 0, None, Step(4, 62)),
    P("ld-community", "ld-first-contact", 27, 0, 5),
    P("ward-24", "restraint", 3),
    P("ward-24", "pbs-plan", 70, 0, 8, None, Trend(18, 88)),
    P("ward-24", "ready-for-discharge", 4),
    # Services
    P("medicine", "readmissions", 12.5, 1800, 0, 12.0),
    P("medicine", "hsmr", 0.97, 0, 0.04),
    P("medicine", "delayed-bed-days", 610, 0, 45, None, Winter(0.18)),
    P("medicine", "sickness", 5.4, 38000, 0.07),
    P("surgery", "readmissions", 6.8, 950, 0, 8.0),
    P("surgery", "long-waits", 340, story=(Trend(20, 520),)),
    P("emergency", "emergency-admissions", 610, story=(Winter(0.1),)),
    P("emergency", "long-ed-waits", 95, story=(Winter(0.3),)),
    P("community-nursing", "first-visit-48h", 86, 76),
    P("rehabilitation", "delayed-discharges", 11, story=(Winter(0.25),)),
    P("rehabilitation", "care-package-on-day", 74, 45),
    P("primary-care", "pharmacotherapy-coverage", 18, 0, 1.2, None, Trend(10, 42)),
    P("primary-care", "antibiotic-prescribing", 52, 410000, 0.06, None, Winter(0.2)),
    P("adult-mental-health", "psychological-therapies-18w", 71, 260, 0.05),
    P("adult-mental-health", "readmissions", 9, 120),
    P("learning-disability", "ld-health-check", 47, 520, 0, None, Step(4, 60)),
    P("learning-disability", "out-of-area", 21, 0, 1.5, None, Trend(8, 14)),
    # Divisions
    P("acute", "cdiff-days", 16, 0, 0, None, Step(420, 34, STEWARDSHIP)),
    P("acute", "cardiac-arrests", 1.5, 5400),
    P("acute", "sab", 3.2),
    P("acute", "complaints-20d", 56, 34),
    P("acute", "sickness", 5.3, 120000, 0.05, None, Winter(0.1)),
    P("acute", "mandatory-training", 84, 2600, 0, None, Trend(14, 91)),
    P("community", "sickness", 5.6, 60000, 0.05),
    P("community", "delayed-discharges", 38, story=(Winter(0.2), Trend(10, 58))),
    P("community", "complaints-20d", 72, 16),
    P("mental-health", "sickness", 6.4, 48000, 0.05),
    P("mental-health", "restraint", 24, story=(Step(26, 15,
      "Safewards rolled out across the inpatient wards"),)),
    P("mental-health", "complaints-20d", 64, 14),
    # The board
    P("riverside", "ed-4h", 72, 7600, 0.06, None, Winter(-0.07)),
    P("riverside", "complaints-20d", 61, 64, 0, None, Trend(10, 76)),
    P("riverside", "hsmr", 0.99, 0, 0.035),
    P("riverside", "sickness", 5.6, 260000, 0.04),
    P("riverside", "overall-rating", 8.4, 0, 0.12),
    P("riverside", "outpatient-dna-deprived", 14.5, 1900, 0, None, Trend(12, 11.5)),
]  # fmt: skip


# Building ----------------------------------------------------------------------------------


def build(rng: random.Random, *, today: dt.date | None = None) -> dict[str, int]:
    """Create (or complete) the demo standards, measures and their data, then compute the SPC
    results (and so raise the signals) for the measures given data in this run.

    Call after `organisation.build`: measures belong to its units, owned by each unit's team
    lead (or the nearest quality lead or executive above it). `today` (default: the current
    date) decides the last period of data; the same seed and day give the same values.
    Returns counts for the summary, including `signals` raised in this run.
    """
    today = today or timezone.localdate()
    seed = rng.getrandbits(32)
    units = {unit.code: unit for unit in Unit.objects.all()}
    standards = _ensure_standards(units)
    owners = _owners(units)
    existing = {measure.code: measure for measure in Measure.objects.all()}
    with_data = set(Observation.objects.values_list("measure_id", flat=True).distinct().order_by())

    rows: list[services.ObservationInput] = []
    changes: list[tuple[Measure, dt.date, Step | Spike]] = []
    fresh: list[Measure] = []
    for plan in PLANS:
        definition = DEFINITIONS[plan.definition]
        measure = existing.get(plan.code) or _create_measure(
            plan, definition, units[plan.unit], standards, owners
        )
        if measure.pk in with_data:
            continue  # built before: leave it, and everything done to it since, alone
        periods, values, denominators, marks = _series(plan, definition, seed, today)
        rows += [
            services.ObservationInput(
                measure=measure, period=period, value=value, denominator=denominator
            )
            for period, value, denominator in zip(periods, values, denominators, strict=True)
        ]
        changes += [(measure, period, effect) for period, effect in marks]
        fresh.append(measure)

    if rows:
        services.observations_save(by=None, rows=rows, refresh=False)
    phases = 0
    for measure, period, effect in changes:
        if isinstance(effect, Step) and effect.phase:
            services.phase_start(by=None, measure=measure, starts_on=period, reason=effect.phase)
            phases += 1
        if effect.note:  # a phase shows its own reason on the chart; notes say the rest
            services.annotation_add(by=None, measure=measure, period=period, text=effect.note)
    # The command runs in one transaction, so the refresh that saving data would queue for the
    # commit is done here, once, for every new measure: this raises the signals.
    raised = services.results_refresh([measure.pk for measure in fresh]) if fresh else []
    handled = _handle_some_signals(raised, owners)
    return {
        "standards": Standard.objects.count(),
        "measures": Measure.objects.count(),
        "observations": Observation.objects.count(),
        "observations_added": len(rows),
        "phases_added": phases,
        "signals": len(raised),
        "signals_handled": handled,
        "open_signals": selectors.open_signals().count(),  # as the report and huddle count
        "escalations": Escalation.objects.count(),
    }


def _handle_some_signals(raised: list[Signal], owners: dict[str, Person | None]) -> int:
    """What teams have already done about a few of the new signals, so the demo shows each
    state: acknowledged with a note, linked to an issue, escalated (one of them two levels up)
    and returned with advice. The rest stay open; Ward 7's are left for the demo lead.
    Returns how many signals were handled."""
    found = {(signal.measure.code, signal.kind): signal for signal in raised}
    concern, fail = SignalKind.CONCERN, SignalKind.ASSURANCE_FAIL
    handled = 0

    def pick(code: str, kind: str, unit: str) -> tuple[Signal | None, Person | None]:
        nonlocal handled
        signal, person = found.get((code, kind)), owners.get(unit)
        if signal is None or person is None:
            return None, None  # another seed told a different story: nothing to do
        handled += 1
        return signal, person

    signal, lead = pick("ward-9-rn-fill", concern, "ward-9")
    if signal:
        services.signal_escalate(
            by=lead,
            signal=signal,
            reason="Outside our control: two registered nurse vacancies and a maternity leave. "
            "We need the service to approve agency staff until the posts are filled.",
        )
    signal, lead = pick("ed-ed-4h", fail, "ed")
    if signal:
        services.signal_escalate(
            by=lead,
            signal=signal,
            reason="Exit block: patients waiting for ward beds stay in the department. The "
            "department cannot meet the standard by itself.",
        )
        services.signal_escalate(
            by=owners["emergency"],
            signal=signal,
            reason="Whole-hospital flow: needs the division's bed plan and the discharge "
            "before noon work on the medical wards.",
        )
    signal, lead = pick("cmht-north-psychological-therapies-18w", fail, "cmht-north")
    if signal:
        escalation = services.signal_escalate(
            by=lead,
            signal=signal,
            reason="Demand has outgrown the team's psychology time; we cannot recruit to the "
            "vacant post from our budget.",
        )
        services.escalation_respond(
            by=owners["adult-mental-health"],
            escalation=escalation,
            decision="return",
            response="Funding for a second psychologist is agreed from April. Until then, "
            "please offer the group programme to people waiting over 12 weeks.",
        )
    signal, lead = pick("dn-north-missed-visits", concern, "dn-north")
    if signal:
        services.signal_link_issue(
            by=lead,
            signal=signal,
            title="Missed visits when winter sickness leaves rounds uncovered",
            description="Planned visits dropped at short notice; look at how rounds are "
            "reallocated and whether the South team can help.",
        )
        services.signal_acknowledge(
            by=lead, signal=signal, note="Issue opened; huddle reviewing rounds daily."
        )
    signal, lead = pick("ward-21-violence", concern, "ward-21")
    if signal:
        services.signal_acknowledge(
            by=lead,
            signal=signal,
            note="Two patients in crisis on the same weekend. Debrief held with staff and "
            "patients; care plans updated. No change to the ward's approach needed.",
        )
    signal, lead = pick("surgery-long-waits", concern, "surgery")
    if signal:
        services.signal_acknowledge(
            by=lead,
            signal=signal,
            note="Waiting list validated; weekend orthopaedic lists agreed from next month.",
        )
    return handled


def _ensure_standards(units: dict[str, Unit]) -> dict[str, Standard]:
    standards = {standard.code: standard for standard in Standard.objects.all()}
    for spec in STANDARDS:
        if spec.code in standards:
            continue
        standard = Standard(
            code=spec.code,
            title=spec.title,
            statement=spec.statement,
            source=spec.source,
            scope="local" if spec.unit else "national",
            unit=units[spec.unit] if spec.unit else None,
        )
        standard.full_clean()
        standard._history_user = None
        standard.save()
        standards[spec.code] = standard
    return standards


def _owners(units: dict[str, Unit]) -> dict[str, Person | None]:
    """Each unit's measure owner: its team lead; failing that, the nearest quality lead, then
    executive, up the tree (services and divisions have no team lead of their own)."""
    by_unit: dict[tuple[int, str], Person] = {}
    memberships = Membership.objects.filter(
        role__in=[Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.EXECUTIVE]
    ).select_related("person")
    for membership in memberships.order_by("person_id"):  # the longest-standing person first
        by_unit.setdefault((membership.unit_id, membership.role), membership.person)
    by_id = {unit.pk: unit for unit in units.values()}
    owners: dict[str, Person | None] = {}
    for code, unit in units.items():
        owner = by_unit.get((unit.pk, Role.TEAM_LEAD))
        for role in (Role.QUALITY_LEAD, Role.EXECUTIVE):
            node: Unit | None = unit
            while owner is None and node is not None:
                owner = by_unit.get((node.pk, role))
                node = by_id.get(node.parent_id) if node.parent_id else None
        owners[code] = owner
    return owners


def _create_measure(plan, definition, unit, standards, owners) -> Measure:
    multiply, unit_label = definition.scale
    target, target_source = definition.target, definition.target_source
    if plan.target is not None and plan.target != target:
        target, target_source = plan.target, "Local target agreed by the team"
    return services.measure_create(
        by=None,
        unit=unit,
        name=definition.name,
        code=plan.code,
        kind=definition.kind,
        domain=definition.domain,
        operational_definition=definition.operational_definition,
        numerator_definition=definition.numerator_definition,
        denominator_definition=definition.denominator_definition,
        data_source=definition.data_source,
        frequency=definition.frequency,
        chart=definition.chart,
        direction=definition.direction,
        multiply=multiply,
        unit_label=unit_label,
        target=target,
        target_source=target_source if target is not None else "",
        standard=standards.get(definition.standard) if definition.standard else None,
        rules=definition.rules,
        owner=owners.get(plan.unit),
    )


# Generating the data -------------------------------------------------------------------------


def periods_until(today: dt.date, frequency: str, count: int) -> list[dt.date]:
    """The last `count` complete periods before `today`, oldest first.

    >>> periods_until(dt.date(2026, 11, 26), "month", 3)
    [datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)]
    >>> periods_until(dt.date(2026, 11, 26), "week", 2)
    [datetime.date(2026, 11, 9), datetime.date(2026, 11, 16)]
    """
    if frequency == "day":
        return [today - dt.timedelta(days=count - i) for i in range(count)]
    if frequency == "week":
        last = period_start(today, "week") - dt.timedelta(days=7)
        return [last - dt.timedelta(weeks=count - 1 - i) for i in range(count)]
    months = 3 if frequency == "quarter" else 1
    current = period_start(today, frequency)
    first = current.year * 12 + current.month - 1 - months * count
    return [
        dt.date((first + months * i) // 12, (first + months * i) % 12 + 1, 1) for i in range(count)
    ]


def _season(days: list[dt.date]) -> np.ndarray:
    """+1 in mid-January, -1 in mid-July."""
    ordinal = np.array([day.timetuple().tm_yday for day in days], dtype=float)
    return np.cos(2 * np.pi * (ordinal - 15) / 365.25)


def _levels(plan: Plan, days: list[dt.date]) -> tuple[np.ndarray, list[tuple[int, object]]]:
    """The true level of the process in each period (or day), and where changes happened."""
    size = len(days)
    level = np.full(size, float(plan.level))
    marks: list[tuple[int, object]] = []
    for effect in plan.story:
        if not isinstance(effect, Winter) and not 0 < effect.ago <= size:
            raise ValueError(f"{plan.code}: {effect} lies outside the {size} periods of data")
        if isinstance(effect, Step):
            start = size - effect.ago
            level[start:] = effect.to
            marks.append((start, effect))
        elif isinstance(effect, Trend):
            start = size - effect.ago
            level[start:] = np.linspace(level[start], effect.to, size - start)
    for effect in plan.story:
        if isinstance(effect, Winter):
            level *= 1 + effect.amplitude * _season(days)
    for effect in plan.story:
        if isinstance(effect, Spike):
            level[size - effect.ago] = effect.to
            marks.append((size - effect.ago, effect))
    return level, marks


def _series(plan: Plan, definition: Definition, seed: int, today: dt.date):
    """Periods, values, denominators and marked changes of one measure, from its own stream of
    random numbers (so adding a measure never changes another's data)."""
    gen = np.random.default_rng([seed, zlib.crc32(plan.code.encode())])
    chart, multiply = definition.chart, definition.scale[0]
    if chart in EVENT_CHARTS:
        return _events(plan, gen, today)
    periods = periods_until(today, definition.frequency, SPAN[definition.frequency])
    level, marks = _levels(plan, periods)
    size = len(periods)
    denominators: list[float | None] = [None] * size
    if chart in PROPORTIONS:
        share = np.clip(level / multiply, 0.001, 0.999)
        if plan.spread:  # extra variation between periods, as in large real-world samples
            logit = np.log(share / (1 - share)) + gen.normal(0, plan.spread, size)
            share = 1 / (1 + np.exp(-logit))
        n = np.maximum(gen.poisson(plan.size, size), 1)
        values = gen.binomial(n, share).astype(float)
        denominators = n.astype(float).tolist()
    elif chart in RATES:
        rate = level / multiply
        if plan.spread:
            rate = rate * gen.lognormal(0, plan.spread, size)
        exposure = np.round(plan.size * gen.normal(1, 0.04, size))
        values = gen.poisson(rate * exposure).astype(float)
        denominators = exposure.tolist()
    elif chart == "c" or (chart == "run" and not plan.spread):
        values = gen.poisson(level).astype(float)
    else:  # measured values (i, run): gamma, so times and scores stay positive and skewed
        shape = (level / plan.spread) ** 2
        values = np.round(gen.gamma(shape, level / shape), definition.decimals)
        if definition.ceiling is not None:
            values = np.minimum(values, definition.ceiling)
    return (
        periods,
        values.tolist(),
        denominators,
        [(periods[index], effect) for index, effect in marks],
    )


def _events(plan: Plan, gen: np.random.Generator, today: dt.date):
    """One point per event for g and t charts: the days since the previous event, dated on
    the day it happened. The story's `ago` counts days."""
    days = [today - dt.timedelta(days=EVENT_SPAN_DAYS - i) for i in range(EVENT_SPAN_DAYS)]
    level, marks = _levels(plan, days)
    happened = gen.random(len(days)) < 1 / np.maximum(level, 1.0)
    dates = [day for day, event in zip(days, happened, strict=True) if event]
    previous = days[0] - dt.timedelta(days=1)
    values = []
    for day in dates:
        values.append(float((day - previous).days))
        previous = day
    return dates, values, [None] * len(dates), [(days[index], effect) for index, effect in marks]


def summary_line(counts: dict[str, int]) -> str:
    """One line for the command's output."""
    return (
        f"Quality control: {counts['standards']} standards, {counts['measures']} measures, "
        f"{counts['observations']:,} observations; {counts['open_signals']} open signals and "
        f"{counts['escalations']} escalations ({counts['signals']} signals raised in this run)."
    )
