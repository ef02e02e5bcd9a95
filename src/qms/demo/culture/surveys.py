"""The demo's surveys: Ward 7's relational coordination about discharging patients, a year
apart (its ties with pharmacy and physiotherapy stronger in the second, after the discharge
work), three team pulses of psychological safety rising, and a pulse open now that `member`
can answer (three colleagues have answered online already: fewer than five, so no count).

Ward 7 has too few demo accounts for a survey's worth of answers, so the closed surveys' answers
are entered as answers collected on paper (`survey_answers_enter`, by the ward's lead), from a
seeded generator: the same answers every time. One tie has four raters only (one pharmacist
left physiotherapy as "does not apply"), so the matrix shows one cell suppressed. Idempotent:
a survey found by its unit and title is left as it is."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from qms.culture import instruments
from qms.culture.models import SurveyKind, SurveyRun
from qms.culture.services import surveys as services
from qms.people.models import Person, Unit

WORKGROUPS = ("Nurses", "Doctors", "Physiotherapists", "Pharmacists", "Ward clerks")
# Respondents of each workgroup in each relational coordination survey.
RESPONDENTS = {
    "Nurses": 14,
    "Doctors": 8,
    "Physiotherapists": 6,
    "Pharmacists": 5,
    "Ward clerks": 5,
}
# The mean each workgroup gives each other, before noise: (first survey, second survey).
# Nurses and doctors work closely; pharmacy and physiotherapy were weak links at discharge
# and strengthened once they joined the board round (the discharge project's change).
_BASE = 3.7
_TIES = {
    ("Nurses", "Pharmacists"): (3.0, 3.9),
    ("Pharmacists", "Nurses"): (3.2, 3.9),
    ("Doctors", "Pharmacists"): (3.1, 3.8),
    ("Pharmacists", "Doctors"): (2.9, 3.7),
    ("Nurses", "Physiotherapists"): (3.3, 4.1),
    ("Physiotherapists", "Nurses"): (3.4, 4.0),
    ("Nurses", "Doctors"): (3.9, 4.2),
    ("Doctors", "Nurses"): (4.0, 4.3),
    ("Nurses", "Nurses"): (4.3, 4.4),
    ("Ward clerks", "Doctors"): (3.1, 3.3),
}
# Pulse scores' centre (1 to 7, after reversing) for each closed pulse, oldest first.
PULSES = ((300, 4.7, 12), (180, 5.1, 11), (60, 5.5, 13))  # (days ago it closed, centre, n)


def _rc_answers(rng: random.Random, second: bool) -> list[tuple[str, dict]]:
    answers = []
    for own in WORKGROUPS:
        for number in range(RESPONDENTS[own]):
            scores = {}
            for rated in WORKGROUPS:
                if own == "Pharmacists" and rated == "Physiotherapists" and number == 0:
                    continue  # "does not apply": this tie has four raters, suppressed
                centre = _TIES.get((own, rated), (_BASE, _BASE + 0.2))[1 if second else 0]
                scores[rated] = [_score(rng, centre, 5) for _ in instruments.RC_DIMENSIONS]
            answers.append((own, scores))
    return answers


def _score(rng: random.Random, centre: float, top: int) -> int:
    return max(1, min(top, round(rng.gauss(centre, 0.7))))


def _pulse_answers(rng: random.Random, centre: float, count: int) -> list[tuple[None, dict]]:
    answers = []
    for _ in range(count):
        # Answer each item near the centre as scored, then un-reverse the negative items.
        scored = [_score(rng, centre, 7) for _ in instruments.PULSE_ITEMS]
        given = [
            instruments.pulse_item_value(item, value)
            for item, value in zip(instruments.PULSE_ITEMS, scored, strict=True)
        ]
        answers.append((None, {instruments.PULSE_KEY: given}))
    return answers


def _run(unit, lead, title, **fields) -> tuple[SurveyRun, bool]:
    found = SurveyRun.objects.filter(unit=unit, title=title).first()
    if found:
        return found, False
    return services.survey_create(by=lead, unit=unit, title=title, **fields), True


def build(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    unit = Unit.objects.filter(code="ward-7").first()
    lead = Person.objects.filter(username="lead").first()
    if unit is None or lead is None:
        return {}
    rng = random.Random(12)  # one generator, drawn in a fixed order: the same answers each time
    entered = 0
    for years_ago, title in ((1, "Discharge teamwork, last year"), (0, "Discharge teamwork")):
        closes = today - dt.timedelta(days=30 + 365 * years_ago)
        run, new = _run(
            unit,
            lead,
            title,
            kind=SurveyKind.RELATIONAL_COORDINATION,
            focal_process="discharging patients",
            workgroups=WORKGROUPS,
            opens_on=closes - dt.timedelta(days=20),
            closes_on=closes,
            today=closes - dt.timedelta(days=20),
        )
        answers = _rc_answers(rng, second=years_ago == 0)
        if new:
            entered += services.survey_answers_enter(by=lead, run=run, answers=answers)
    for number, (days_ago, centre, count) in enumerate(PULSES, start=1):
        closes = today - dt.timedelta(days=days_ago)
        run, new = _run(
            unit,
            lead,
            f"Team pulse {number}",
            kind=SurveyKind.PULSE,
            opens_on=closes - dt.timedelta(days=14),
            closes_on=closes,
            today=closes - dt.timedelta(days=14),
        )
        answers = _pulse_answers(rng, centre, count)
        if new:
            entered += services.survey_answers_enter(by=lead, run=run, answers=answers)
    entered += _open_pulse(unit, lead, rng, today)
    services.surveys_seal_closed(unit=unit, today=today)
    return {
        "surveys": SurveyRun.objects.filter(unit=unit).count(),
        "survey answers entered": entered,
    }


def _open_pulse(unit, lead, rng, today) -> int:
    run, new = _run(
        unit,
        lead,
        "Team pulse, this month",
        kind=SurveyKind.PULSE,
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=11),
        today=today,
    )
    if not new:
        return 0
    # Three colleagues answered online; `member` has not (the demo's answer to give).
    colleagues = (
        Person.objects.filter(memberships__unit=unit, memberships__role="team_member")
        .exclude(username="member")
        .order_by("username")[:3]
    )
    for person in colleagues:
        answers = _pulse_answers(rng, 5.6, 1)[0][1]
        services.survey_answer(by=person, run=run, scores=answers, today=today)
    return len(colleagues)
