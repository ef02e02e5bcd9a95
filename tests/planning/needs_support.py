"""Shared fixtures of the needs part's tests: an assessment of the ward, a community partner
given a role on it, files to upload, and measures broken down by population group."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from helpers import make_measure, make_person

from qms.people import services as people_services
from qms.people.roles import Role
from qms.planning.models import GroupObservation
from qms.planning.services import needs as services


@pytest.fixture
def analyst(org):
    return make_person("analyst", (Role.ANALYST, org["ward"]))


@pytest.fixture
def assessment(org):
    return services.assessment_create(
        by=None,
        unit=org["ward"],
        title="Older people discharged home",
        population="Over-75s discharged from Ward 7",
        summary="Many go home alone.",
    )


@pytest.fixture
def community(org, assessment):
    """A partner from a community group, given a partner role on the assessment only."""
    person = make_person("community", professional_group="public")
    people_services.grant_give(by=None, record=assessment, person=person, role=Role.PARTNER)
    return person


@pytest.fixture
def other_assessment(org):
    return services.assessment_create(
        by=None, unit=org["other_ward"], title="Carers", population="Carers of Ward 8 patients"
    )


def csv_file(text: str, name: str = "table.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, name: str = "table.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def add_groups(measure, rows):
    """Group values written straight (dimension, group, position, period, value, denominator)."""
    for dimension, group, position, period, value, denominator in rows:
        GroupObservation.objects.create(
            measure=measure,
            dimension=dimension,
            group=group,
            position=position,
            period=period,
            value=value,
            denominator=denominator,
        )


SIMD = "Deprivation quintile (SIMD)"
JAN, FEB = dt.date(2025, 1, 1), dt.date(2025, 2, 1)


@pytest.fixture
def falls(org):
    """Falls per 1,000 bed days (lower is better), by deprivation quintile over two months."""
    measure = make_measure(
        org["ward"], "falls", chart="u", multiply=1000, unit_label="per 1,000 bed days"
    )
    add_groups(
        measure,
        [
            (SIMD, "1 (most deprived)", 1, JAN, 12, 2000),
            (SIMD, "5 (least deprived)", 5, JAN, 4, 2000),
            (SIMD, "1 (most deprived)", 1, FEB, 9, 1500),  # 6.0
            (SIMD, "3", 3, FEB, 5, 1000),  # 5.0
            (SIMD, "5 (least deprived)", 5, FEB, 3, 1500),  # 2.0
        ],
    )
    return measure
