import datetime as dt
from decimal import Decimal

from helpers import make_person

from capability.support import assess, framework
from qms.capability.selectors import gaps
from qms.capability.services import time as time_services
from qms.people.roles import Role

TODAY = dt.date(2026, 3, 15)


def _cells(gap, skill_code):
    row = next(row for row in gap.rows if row.skill.code == skill_code)
    return {
        cell.level.code: (cell.needed, cell.have, cell.gap) for cell in row.cells if cell.needed
    }


def test_it_finds_the_skills_gap_worked_by_hand(org, lead, member, partner, quality_lead):
    """Ward 7: a team member needs awareness in all seven skills; a team lead practitioner in
    measurement and the model for improvement and foundation in the other five."""
    levels, skills = framework(org)
    assess(member, skills["measurement"], levels["awareness"], by=lead)
    assess(member, skills["model-for-improvement"], levels["foundation"], by=lead)
    assess(member, skills["co-design"], levels["expert"], by=member)  # pending: not counted
    assess(lead, skills["measurement"], levels["foundation"], by=quality_lead)
    assess(lead, skills["model-for-improvement"], levels["practitioner"], by=quality_lead)
    assess(lead, skills["understanding-the-problem"], levels["expert"], by=quality_lead)
    make_person("elsewhere", (Role.TEAM_MEMBER, org["other_ward"]))

    gap = gaps.unit_gap(org["ward"], today=TODAY)

    assert [p.person.username for p in gap.people] == ["lead", "member"]  # no partner, no one above
    shortfalls = {p.person.username: {s.skill.code for s in p.shortfalls} for p in gap.people}
    rest = {"human-factors", "co-design", "leading-change", "spread-and-sustain"}
    assert shortfalls["member"] == rest | {"understanding-the-problem"}
    assert shortfalls["lead"] == rest | {"measurement"}
    assert _cells(gap, "measurement") == {"awareness": (1, 1, 0), "practitioner": (1, 0, 1)}
    assert _cells(gap, "model-for-improvement") == {
        "awareness": (1, 1, 0),
        "practitioner": (1, 1, 0),
    }
    assert _cells(gap, "understanding-the-problem") == {
        "awareness": (1, 0, 1),
        "foundation": (1, 1, 0),
    }
    assert _cells(gap, "co-design") == {"awareness": (1, 0, 1), "foundation": (1, 0, 1)}
    assert (gap.requirements, gap.gaps) == (14, 10)
    assert gap.met_share == 0.0

    # The service above counts both wards.
    above = gaps.unit_gap(org["service"], today=TODAY)
    assert [p.person.username for p in above.people] == ["elsewhere", "lead", "member"]
    assert above.requirements == 21


def test_it_closes_the_gap_when_the_level_is_reached(org, lead, member):
    levels, skills = framework(org)
    for skill in skills.values():
        assess(member, skill, levels["awareness"], by=lead)
    gap = gaps.unit_gap(org["ward"], today=TODAY)
    member_gap = next(p for p in gap.people if p.person == member)
    assert member_gap.shortfalls == []
    assert gap.met_share == 50.0


def test_it_sums_protected_time_by_month_for_a_year(org, lead, member):
    framework(org)
    time_services.time_record(by=None, person=member, month=dt.date(2026, 3, 1), planned=8, used=6)
    time_services.time_record(
        by=None, person=lead, month=dt.date(2026, 2, 1), planned=10, used=2, reason="Rota gaps"
    )
    time_services.time_record(by=None, person=lead, month=dt.date(2026, 3, 1), planned=10)
    time_services.time_record(by=None, person=lead, month=dt.date(2025, 3, 1), planned=99, used=99)
    gap = gaps.unit_gap(org["ward"], today=TODAY)
    assert [m.month for m in gap.months][0] == dt.date(2025, 4, 1)
    assert len(gap.months) == 12
    march, february = gap.months[-1], gap.months[-2]
    assert (march.planned, march.used, march.people) == (Decimal(18), Decimal(6), 2)
    assert (february.planned, february.used) == (Decimal(10), Decimal(2))
    assert february.share == 20.0
    assert gap.months[0].used is None and gap.months[0].planned == 0
    assert (gap.time_planned, gap.time_used) == (Decimal(28), Decimal(8))
    assert '"Planned"' in gap.chart_spec


def test_it_summarises_capability_for_the_board_report(org, lead, member):
    levels, skills = framework(org)
    from qms.capability.services import records

    for skill in skills.values():
        assess(member, skill, levels["awareness"], by=lead)
    records.training_record(
        by=lead, person=member, course="QI essentials", completed_on=dt.date(2026, 2, 1), hours=6
    )
    records.training_record(
        by=lead, person=member, course="Old course", completed_on=dt.date(2025, 2, 1), hours=6
    )
    time_services.time_record(by=None, person=member, month=dt.date(2026, 1, 1), planned=8, used=8)
    time_services.time_record(
        by=None, person=lead, month=dt.date(2026, 2, 1), planned=8, used=2, reason="Sickness"
    )
    time_services.time_record(by=None, person=lead, month=dt.date(2025, 12, 1), planned=50, used=50)
    summary = gaps.capability_summary(org["board"], today=TODAY)
    assert (summary.people, summary.needing, summary.at_level) == (2, 2, 1)
    assert summary.at_level_share == 50.0
    assert (summary.training_count, summary.training_hours, summary.training_people) == (1, 6, 1)
    assert summary.quarter == "Q1 2026"
    assert (summary.quarter_planned, summary.quarter_used) == (16, 10)
    assert summary.used_share == 62.5
