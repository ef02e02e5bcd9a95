"""The demo's evidence library (see qms.demo.learning): published guidelines, Cochrane reviews
and trials with their real citations, and the demo board's own audits, local data, expert
opinion and patient experience (synthetic, like every unit of the demo), each graded and
cited by the demo's change ideas, change packages, priorities and designs.

Some work is left citing nothing on purpose, so the "cites no evidence" notes show: the
package "Care plans written with patients" and the priority "Four-hour waits in the
Emergency Department"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qms.improvement.models import ChangePackage, DriverNode, NodeKind
from qms.learning import services
from qms.learning.models import Evidence, EvidenceLink
from qms.people.models import Unit
from qms.planning.models import Design, Priority

BOARD = "riverside"


@dataclass(frozen=True)
class Item:
    title: str
    kind: str
    source: str
    summary: str
    certainty: str
    reason: str
    published: dt.date | None = None
    url: str = ""
    unit: str = BOARD
    # What cites it: ("package", title), ("priority", title), ("design", title), or
    # ("idea", project title, change idea text, "" for the project's first change idea).
    cites: tuple[tuple[str, ...], ...] = ()
    note: str = ""


FALLS_PROJECT = "Fewer falls on Ward 7"

ITEMS: tuple[Item, ...] = (
    # Guidelines --------------------------------------------------------------------------------
    Item(
        title="Falls in older people: assessing risk and prevention (NICE CG161)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Falls in older people: "
        "assessing risk and prevention. Clinical guideline CG161. London: NICE, 2013.",
        url="https://www.nice.org.uk/guidance/cg161",
        published=dt.date(2013, 6, 12),
        summary="Older people in hospital should have a multifactorial falls risk assessment "
        "and an individualised, multifactorial intervention; the guideline advises against "
        "falls risk prediction tools to predict inpatients' risk of falling.",
        certainty="moderate",
        reason="The recommendations for inpatients rest on randomised trials with some risk of "
        "bias and heterogeneous interventions.",
        cites=(
            ("package", "Falls bundle for medical wards"),
            ("idea", FALLS_PROJECT, "Falls care plan within 24 hours of arrival"),
        ),
        note="Multifactorial assessment and a care plan for every older inpatient.",
    ),
    Item(
        title="Pressure ulcers: prevention and management (NICE CG179)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Pressure ulcers: prevention "
        "and management. Clinical guideline CG179. London: NICE, 2014.",
        url="https://www.nice.org.uk/guidance/cg179",
        published=dt.date(2014, 4, 23),
        summary="Assess the risk of pressure ulcers on admission, examine the skin of those at "
        "high risk, help them change position regularly and use high-specification foam "
        "mattresses.",
        certainty="low",
        reason="Most recommendations rest on low or very low quality evidence and the "
        "committee's consensus.",
    ),
    Item(
        title="Sepsis: recognition, diagnosis and early management (NICE NG51)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Sepsis: recognition, "
        "diagnosis and early management. NICE guideline NG51. London: NICE, 2016.",
        url="https://www.nice.org.uk/guidance/ng51",
        published=dt.date(2016, 7, 13),
        summary="Think sepsis in anyone with a possible infection; stratify risk; give "
        "antibiotics to those at highest risk within one hour of recognising it.",
        certainty="low",
        reason="The timing of antibiotics rests mainly on observational studies; the one-hour "
        "target is a consensus of the committee.",
        cites=(("idea", "Antibiotics within the hour for sepsis", ""),),
        note="The one-hour standard the project measures against.",
    ),
    Item(
        title="National Early Warning Score (NEWS) 2",
        kind="guideline",
        source="Royal College of Physicians. National Early Warning Score (NEWS) 2: "
        "Standardising the assessment of acute-illness severity in the NHS. Updated report "
        "of a working party. London: RCP, 2017.",
        published=dt.date(2017, 12, 19),
        summary="One score from six physiological measurements, with thresholds for "
        "escalation: a score of 5 or more, or 3 in one parameter, prompts an urgent review.",
        certainty="moderate",
        reason="Validated against outcomes in large observational datasets; its effect on "
        "outcomes when used has not been tested in trials.",
        cites=(("idea", "Reliable escalation of NEWS2 on early shifts", ""),),
        note="The escalation thresholds the team follows.",
    ),
    Item(
        title="Delirium: prevention, diagnosis and management (NICE CG103)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Delirium: prevention, "
        "diagnosis and management in hospital and long-term care. Clinical guideline CG103. "
        "London: NICE, 2010.",
        url="https://www.nice.org.uk/guidance/cg103",
        published=dt.date(2010, 7, 28),
        summary="Assess people at risk for recent changes in behaviour on admission and daily; "
        "offer a tailored multicomponent intervention to prevent delirium.",
        certainty="moderate",
        reason="Multicomponent prevention is supported by randomised and controlled studies; "
        "assessment recommendations rest on diagnostic accuracy studies.",
        cites=(
            ("priority", "Delirium recognised within 24 hours for over-75s"),
            ("idea", "Delirium screening on admission", ""),
        ),
        note="Assessment on admission and a multicomponent prevention plan.",
    ),
    Item(
        title="COPD in over 16s: diagnosis and management (NICE NG115)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Chronic obstructive "
        "pulmonary disease in over 16s: diagnosis and management. NICE guideline NG115. "
        "London: NICE, 2018.",
        url="https://www.nice.org.uk/guidance/ng115",
        published=dt.date(2018, 12, 5),
        summary="Before discharge after an exacerbation: check inhaler technique, offer "
        "pulmonary rehabilitation within 4 weeks, give a self-management plan, and arrange "
        "follow-up.",
        certainty="moderate",
        reason="Pulmonary rehabilitation after an exacerbation rests on randomised trials; the "
        "rest of the discharge bundle on weaker evidence and consensus.",
        cites=(
            ("priority", "COPD discharge bundle for every patient"),
            ("idea", "COPD discharge bundle for every patient", ""),
        ),
        note="What a COPD discharge bundle contains.",
    ),
    Item(
        title="Cardiac rehabilitation after myocardial infarction (NICE CG172)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Myocardial infarction: "
        "cardiac rehabilitation and prevention of further cardiovascular disease. Clinical "
        "guideline CG172. London: NICE, 2013.",
        url="https://www.nice.org.uk/guidance/cg172",
        published=dt.date(2013, 11, 13),
        summary="Offer cardiac rehabilitation to everyone after a myocardial infarction, with "
        "a visit before discharge, and start it as soon as possible after discharge.",
        certainty="moderate",
        reason="Randomised trials of exercise-based rehabilitation; uptake measures rest on "
        "observational data.",
        cites=(("idea", "Cardiac rehabilitation referral before discharge", ""),),
        note="Referral and a visit before discharge.",
    ),
    Item(
        title="Safe staffing for nursing in adult inpatient wards (NICE SG1)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Safe staffing for nursing "
        "in adult inpatient wards in acute hospitals. Safe staffing guideline SG1. London: "
        "NICE, 2014.",
        url="https://www.nice.org.uk/guidance/sg1",
        published=dt.date(2014, 7, 15),
        summary="Set nursing establishments from patients' needs, monitor red flag events "
        "(such as missed intentional rounding or delayed medicines) and respond to them on "
        "every shift.",
        certainty="low",
        reason="Associations between staffing and outcomes come from observational studies; "
        "no single ratio was supported.",
        cites=(("priority", "Safe staffing on medical wards at night"),),
        note="Red flags to watch on night shifts.",
    ),
    Item(
        title="Transition between hospital and community settings (NICE NG27)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Transition between "
        "inpatient hospital settings and community or care home settings for adults with "
        "social care needs. NICE guideline NG27. London: NICE, 2015.",
        url="https://www.nice.org.uk/guidance/ng27",
        published=dt.date(2015, 12, 1),
        summary="Start discharge planning early, name a discharge coordinator, and agree the "
        "plan with the person and their family before the day of discharge.",
        certainty="low",
        reason="Mostly qualitative studies and the committee's consensus.",
        cites=(("design", "Discharge planned the day before"),),
        note="Planning discharge early, with the person.",
    ),
    Item(
        title="The NHS Patient Safety Strategy",
        kind="guideline",
        source="NHS England and NHS Improvement. The NHS Patient Safety Strategy: Safer "
        "culture, safer systems, safer patients. London, 2019.",
        published=dt.date(2019, 7, 2),
        summary="Insight, involvement and improvement: a just culture, patient safety "
        "partners, a patient safety syllabus for all staff, and national improvement "
        "programmes in areas such as deterioration and medication safety.",
        certainty="very_low",
        reason="A national strategy built on expert consensus and reviews, not a test of effect.",
    ),
    Item(
        title="Patient Safety Incident Response Framework (PSIRF)",
        kind="guideline",
        source="NHS England. Patient Safety Incident Response Framework. London, 2022.",
        published=dt.date(2022, 8, 16),
        summary="Replaces the Serious Incident Framework: a proportionate, systems-based "
        "response to incidents that involves patients, families and staff and looks for "
        "learning rather than blame.",
        certainty="very_low",
        reason="A framework based on expert consensus; its effect on safety is not yet evaluated.",
    ),
    Item(
        title="Reducing harm from omitted and delayed medicines in hospital",
        kind="guideline",
        source="National Patient Safety Agency. Reducing harm from omitted and delayed "
        "medicines in hospital. Rapid Response Report NPSA/2010/RRR009. London: NPSA, 2010.",
        summary="Identify the critical medicines that must not be omitted or delayed, audit "
        "omitted doses, and review them as incidents.",
        certainty="very_low",
        reason="Based on incident reports and expert review.",
        cites=(("priority", "Omitted doses of critical medicines on Ward 9"),),
        note="The list of critical medicines and the audit.",
    ),
    # Systematic reviews ------------------------------------------------------------------------
    Item(
        title="Interventions for preventing falls in care facilities and hospitals",
        kind="systematic_review",
        source="Cameron ID, Dyer SM, Panagoda CE, et al. Interventions for preventing falls in "
        "older people in care facilities and hospitals. Cochrane Database of Systematic "
        "Reviews 2018, Issue 9. Art. No.: CD005465.",
        url="https://doi.org/10.1002/14651858.CD005465.pub4",
        published=dt.date(2018, 9, 7),
        summary="In hospitals, multifactorial interventions may reduce the rate of falls; "
        "the effect of single interventions, such as bed alarms or education alone, is "
        "uncertain.",
        certainty="low",
        reason="Downgraded for risk of bias and imprecision (the confidence interval for "
        "multifactorial interventions in hospital includes no effect).",
        cites=(
            ("package", "Falls bundle for medical wards"),
            ("idea", FALLS_PROJECT, "Intentional rounding with toileting at 1 am and 3 am"),
            ("idea", FALLS_PROJECT, "Cohort high-risk patients in a supervised bay"),
        ),
        note="Multifactorial interventions in hospital; single ones are uncertain.",
    ),
    Item(
        title="Exercise for preventing falls in older people living in the community",
        kind="systematic_review",
        source="Sherrington C, Fairhall NJ, Wallbank GK, et al. Exercise for preventing falls "
        "in older people living in the community. Cochrane Database of Systematic Reviews "
        "2019, Issue 1. Art. No.: CD012424.",
        url="https://doi.org/10.1002/14651858.CD012424.pub2",
        published=dt.date(2019, 1, 31),
        summary="Exercise reduces the rate of falls by about 23%; balance and functional "
        "exercises, and programmes with several kinds of exercise, work best.",
        certainty="high",
        reason="Many randomised trials with consistent results.",
        cites=(("idea", "Strength and balance classes after a fall", ""),),
        note="Why strength and balance classes.",
    ),
    Item(
        title="Non-pharmacological interventions for preventing delirium in hospital",
        kind="systematic_review",
        source="Burton JK, Craig LE, Yong SQ, et al. Non-pharmacological interventions for "
        "preventing delirium in hospitalised non-ICU patients. Cochrane Database of "
        "Systematic Reviews 2021, Issue 7. Art. No.: CD013307.",
        summary="Multicomponent interventions reduce the incidence of delirium in older "
        "people in hospital compared with usual care.",
        certainty="moderate",
        reason="Randomised trials, downgraded for risk of bias.",
        cites=(("priority", "Delirium recognised within 24 hours for over-75s"),),
        note="Prevention works once delirium risk is recognised.",
    ),
    Item(
        title="Exercise-based cardiac rehabilitation for coronary heart disease",
        kind="systematic_review",
        source="Anderson L, Thompson DR, Oldridge N, et al. Exercise-based cardiac "
        "rehabilitation for coronary heart disease. Cochrane Database of Systematic Reviews "
        "2016, Issue 1. Art. No.: CD001800.",
        url="https://doi.org/10.1002/14651858.CD001800.pub3",
        published=dt.date(2016, 1, 5),
        summary="Exercise-based cardiac rehabilitation reduces cardiovascular mortality and "
        "hospital admissions, and improves quality of life.",
        certainty="moderate",
        reason="Randomised trials, downgraded for risk of bias in older trials.",
        cites=(("idea", "Cardiac rehabilitation referral before discharge", ""),),
        note="What referral gains for the patient.",
    ),
    Item(
        title="Pulmonary rehabilitation after an exacerbation of COPD",
        kind="systematic_review",
        source="Puhan MA, Gimeno-Santos E, Cates CJ, Troosters T. Pulmonary rehabilitation "
        "following exacerbations of chronic obstructive pulmonary disease. Cochrane Database "
        "of Systematic Reviews 2016, Issue 12. Art. No.: CD005305.",
        summary="Rehabilitation started soon after an exacerbation improves quality of life "
        "and exercise capacity and may reduce readmissions.",
        certainty="moderate",
        reason="Randomised trials with heterogeneous results for readmission.",
        cites=(("priority", "COPD discharge bundle for every patient"),),
        note="Referral to rehabilitation at discharge.",
    ),
    Item(
        title="Discharge planning from hospital",
        kind="systematic_review",
        source="Gonçalves-Bradley DC, Lannin NA, Clemson L, Cameron ID, Shepperd S. Discharge "
        "planning from hospital. Cochrane Database of Systematic Reviews 2022, Issue 2. Art. "
        "No.: CD000313.",
        summary="A structured, individualised discharge plan probably reduces the length of "
        "stay slightly and readmissions for older people with a medical condition.",
        certainty="moderate",
        reason="Randomised trials, downgraded for risk of bias.",
        cites=(
            ("priority", "Discharge before noon, starting on Ward 8"),
            ("design", "Discharge planned the day before"),
        ),
        note="A plan made early shortens stays a little.",
    ),
    Item(
        title="Admission avoidance hospital at home",
        kind="systematic_review",
        source="Shepperd S, Iliffe S, Doll HA, et al. Admission avoidance hospital at home. "
        "Cochrane Database of Systematic Reviews 2016, Issue 9. Art. No.: CD007491.",
        summary="Hospital at home makes little or no difference to mortality at six months "
        "and may reduce the chance of moving into residential care; patients were more "
        "satisfied.",
        certainty="moderate",
        reason="Randomised trials; imprecise for some outcomes.",
    ),
    Item(
        title="Preoperative fasting for adults",
        kind="systematic_review",
        source="Brady M, Kinn S, Stuart P. Preoperative fasting for adults to prevent "
        "perioperative complications. Cochrane Database of Systematic Reviews 2003, Issue 4. "
        "Art. No.: CD004423.",
        url="https://doi.org/10.1002/14651858.CD004423",
        summary="No evidence that a shortened fluid fast before surgery increases the risk of "
        "aspiration or related complications in adults considered at normal risk.",
        certainty="moderate",
        reason="Randomised trials, few events: imprecise for aspiration, which is rare.",
        cites=(
            ("package", "Drink water until two hours before theatre"),
            ("idea", "Water until two hours before theatre", ""),
        ),
        note="Clear fluids until two hours before are safe.",
    ),
    Item(
        title="Interventions to improve hand hygiene compliance",
        kind="systematic_review",
        source="Gould DJ, Moralejo D, Drey N, Chudleigh JH, Taljaard M. Interventions to "
        "improve hand hygiene compliance in patient care. Cochrane Database of Systematic "
        "Reviews 2017, Issue 9. Art. No.: CD005186.",
        summary="Multimodal strategies and performance feedback may improve hand hygiene "
        "compliance slightly; the effect on infections is uncertain.",
        certainty="low",
        reason="Mostly non-randomised studies with risk of bias.",
        cites=(("priority", "Peer audits of hand hygiene"),),
        note="Feedback from audits may help a little.",
    ),
    Item(
        title="Compression for venous leg ulcers",
        kind="systematic_review",
        source="O'Meara S, Cullum N, Nelson EA, Dumville JC. Compression for venous leg "
        "ulcers. Cochrane Database of Systematic Reviews 2012, Issue 11. Art. No.: CD000265.",
        summary="Venous leg ulcers heal faster with compression than without; multi-component "
        "systems work better than single-component ones.",
        certainty="moderate",
        reason="Randomised trials, downgraded for risk of bias.",
        cites=(("idea", "Compression therapy for leg ulcers", ""),),
        note="Compression heals ulcers faster.",
    ),
    # Trials ------------------------------------------------------------------------------------
    Item(
        title="Multicomponent intervention to prevent delirium (Hospital Elder Life Program)",
        kind="trial",
        source="Inouye SK, Bogardus ST Jr, Charpentier PA, et al. A multicomponent "
        "intervention to prevent delirium in hospitalized older patients. N Engl J Med "
        "1999;340:669-76.",
        url="https://doi.org/10.1056/NEJM199903043400901",
        published=dt.date(1999, 3, 4),
        summary="Delirium developed in 9.9% of patients with the intervention against 15.0% "
        "with usual care.",
        certainty="moderate",
        reason="A controlled trial with matched, not randomised, allocation.",
        cites=(("idea", "Delirium screening on admission", ""),),
        note="Screening is worth it because prevention works.",
    ),
    Item(
        title="Bed alarms to prevent falls in hospital: a cluster randomised trial",
        kind="trial",
        source="Shorr RI, Chandler AM, Mion LC, et al. Effects of an intervention to increase "
        "bed alarm use to prevent falls in hospitalized patients: a cluster randomized "
        "trial. Ann Intern Med 2012;157:692-9.",
        url="https://doi.org/10.7326/0003-4819-157-10-201211200-00005",
        published=dt.date(2012, 11, 20),
        summary="Bed alarm use rose but falls and injurious falls did not fall.",
        certainty="high",
        reason="A large cluster randomised trial.",
        cites=(("package", "Falls bundle for medical wards"),),
        note="Why the bundle does not rely on bed alarms.",
    ),
    Item(
        title="Patient education to prevent falls among older inpatients",
        kind="trial",
        source="Haines TP, Hill AM, Hill KD, et al. Patient education to prevent falls among "
        "older hospital inpatients: a randomized controlled trial. Arch Intern Med "
        "2011;171:516-24.",
        url="https://doi.org/10.1001/archinternmed.2010.444",
        summary="Individual education reduced falls among cognitively intact patients, not "
        "among those with cognitive impairment.",
        certainty="moderate",
        reason="A randomised trial; the benefit is in a subgroup.",
        cites=(("idea", FALLS_PROJECT, "Falls care plan within 24 hours of arrival"),),
        note="Talk to patients about their own risk.",
    ),
    # The board's own audits, data, opinion and patient experience (synthetic) ------------------
    Item(
        title="Ward 7 falls care plan audit, spring 2025",
        kind="audit",
        unit="ward-7",
        source="Ward 7 (Riverside Health Board). Audit of falls care plans in 40 admissions "
        "aged 65 and over, March to April 2025.",
        published=dt.date(2025, 5, 2),
        summary="Half of the patients aged 65 and over had a falls care plan within 24 hours of "
        "arrival; plans were missing most often for patients admitted at night.",
        certainty="very_low",
        reason="One ward, a small sample, no comparison.",
        cites=(
            ("idea", FALLS_PROJECT, "Falls care plan within 24 hours of arrival"),
            ("package", "Falls bundle for medical wards"),
        ),
        note="The gap the bundle closes.",
    ),
    Item(
        title="Falls by hour of day on the medical wards, 2024",
        kind="local_data",
        unit="medicine",
        source="Riverside Health Board incident reports, medical wards, January to December 2024.",
        published=dt.date(2025, 1, 20),
        summary="Most falls on the medical wards happened between midnight and 6 am, many on "
        "the way to the toilet.",
        certainty="very_low",
        reason="Incident reports undercount falls; no adjustment for occupancy.",
        cites=(
            ("idea", FALLS_PROJECT, "Intentional rounding with toileting at 1 am and 3 am"),
            ("priority", "Safe staffing on medical wards at night"),
        ),
        note="Falls cluster at night.",
    ),
    Item(
        title="Door-to-antibiotic times for sepsis in the Emergency Department, 2025",
        kind="local_data",
        unit="ed",
        source="Riverside Emergency Department electronic record, patients with a sepsis "
        "alert, January to June 2025.",
        published=dt.date(2025, 7, 10),
        summary="About two thirds of patients with red flag sepsis had antibiotics within an "
        "hour of arrival; the longest delays were at the change of shift.",
        certainty="very_low",
        reason="One department, routinely recorded times with missing values.",
        cites=(("idea", "Antibiotics within the hour for sepsis", ""),),
        note="Where the hour is lost.",
    ),
    Item(
        title="What patients said about nights on Ward 7",
        kind="patient_experience",
        unit="ward-7",
        source="Ward 7 patient feedback (Friends and Family Test comments), 2025, and two "
        "conversations with the ward's patient partners.",
        published=dt.date(2025, 6, 30),
        summary="Patients said they did not like to ring the bell at night and tried to get "
        "to the toilet alone; they welcomed staff offering help before they asked.",
        certainty="very_low",
        reason="A handful of comments from one ward: it shows what matters to patients, not "
        "the size of an effect.",
        cites=(
            ("idea", FALLS_PROJECT, "Intentional rounding with toileting at 1 am and 3 am"),
            ("package", "Falls bundle for medical wards"),
        ),
        note="Why patients walk alone at night.",
    ),
    Item(
        title="Consensus of the board's falls prevention group on footwear",
        kind="expert_opinion",
        source="Riverside Health Board falls prevention group. Meeting note, September 2025.",
        published=dt.date(2025, 9, 18),
        summary="Non-slip footwear for every patient who walks, offered on the first day, is "
        "cheap and acceptable; the group agreed to test it.",
        certainty="very_low",
        reason="Expert opinion without a study.",
        cites=(("idea", FALLS_PROJECT, "Non-slip footwear for every patient who walks"),),
        note="Why the team tests footwear.",
    ),
    Item(
        title="Venous thromboembolism in over 16s (NICE NG89)",
        kind="guideline",
        source="National Institute for Health and Care Excellence. Venous thromboembolism in "
        "over 16s: reducing the risk of hospital-acquired deep vein thrombosis or pulmonary "
        "embolism. NICE guideline NG89. London: NICE, 2018.",
        url="https://www.nice.org.uk/guidance/ng89",
        published=dt.date(2018, 3, 21),
        summary="Assess every patient's risk of VTE and bleeding on admission and offer "
        "prophylaxis to those whose risk of VTE outweighs their risk of bleeding.",
        certainty="moderate",
        reason="Randomised trials of prophylaxis; risk assessment tools less well studied.",
    ),
)


def _package(title: str):
    return ChangePackage.objects.filter(title=title).order_by("pk").first()


def _priority(title: str):
    return Priority.objects.filter(title=title).order_by("pk").first()


def _design(title: str):
    return Design.objects.filter(title=title).order_by("pk").first()


def _idea(project: str, text: str):
    ideas = DriverNode.objects.filter(project__title=project, kind=NodeKind.CHANGE_IDEA)
    if text:
        ideas = ideas.filter(text=text)
    return ideas.order_by("position", "pk").first()


def _record(cite: tuple[str, ...]):
    kind, *key = cite
    if kind == "package":
        return _package(key[0])
    if kind == "priority":
        return _priority(key[0])
    if kind == "design":
        return _design(key[0])
    return _idea(key[0], key[1])


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    today = today or dt.date.today()
    units = {unit.code: unit for unit in Unit.objects.filter(code__in={i.unit for i in ITEMS})}
    if BOARD not in units:
        return {}
    existing = {(e.unit_id, e.title): e for e in Evidence.objects.all()}
    for spec in ITEMS:
        unit = units.get(spec.unit) or units[BOARD]
        item = existing.get((unit.pk, spec.title))
        if item is None:
            item = services.evidence_create(
                by=None,
                unit=unit,
                title=spec.title,
                kind=spec.kind,
                source=spec.source,
                summary=spec.summary,
                certainty=spec.certainty,
                certainty_reason=spec.reason,
                url=spec.url,
                published_on=spec.published if spec.published and spec.published <= today else None,
            )
        for cite in spec.cites:
            record = _record(cite)
            if record is None:
                continue
            if not EvidenceLink.objects.filter(
                evidence=item,
                content_type__app_label=record._meta.app_label,
                content_type__model=record._meta.model_name,
                object_id=record.pk,
            ).exists():
                services.evidence_link(by=None, evidence=item, record=record, note=spec.note)
    return {
        "evidence items": Evidence.objects.count(),
        "citations of evidence": EvidenceLink.objects.count(),
    }
