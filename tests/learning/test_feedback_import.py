"""Importing feedback from CSV and Excel files: all or nothing, every problem named by row and
column, identifiers redacted and counted, every comment classified, repeats refused or skipped."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from learning.feedback_support import HEADER, csv_upload, row, xlsx_upload
from qms.learning.models import Feedback, FeedbackImport, FeedbackTheme
from qms.learning.services import feedback as services
from qms.text.feedback import THEMES

pytestmark = pytest.mark.django_db


def _import(by, unit, upload, **kw):
    return services.feedback_import_file(by=by, unit=unit, file=upload, **kw)


def _messages(refused) -> list[str]:
    return [str(problem) for problem in refused.value.problems]


def test_it_imports_a_csv_file_and_classifies_every_comment(org, lead):
    upload = csv_upload(
        [
            row("Staff were rude and we waited four hours.", rating="5", reference="c1"),
            row("Lovely food and a clean ward.", date="2025-01-31", reference="c2"),
            row("Nothing to add", rating="", source="carer", reference=""),
        ]
    )
    result = _import(lead, org["ward"], upload)
    assert (result.created, result.skipped) == (3, 0)
    comments = list(Feedback.objects.order_by("pk"))
    assert [c.received_on for c in comments] == [
        dt.date(2025, 2, 3), dt.date(2025, 1, 31), dt.date(2025, 2, 3)
    ]  # fmt: skip
    assert [c.rating for c in comments] == [5, 1, None]
    assert comments[2].source == "carer"
    for comment in comments:
        assert comment.sentiment in {1, 2, 3, 4, 5}
        assert comment.model_sentiment == comment.sentiment
        assert set(comment.model_themes) <= set(THEMES)
        assert set(comment.themes.values_list("label", flat=True)) == set(comment.model_themes)
        assert comment.batch == result.batch and comment.model_version
    assert result.batch.comments == 3 and result.batch.imported_by == lead


def test_it_imports_an_excel_file_with_real_dates(org, lead):
    upload = xlsx_upload(
        [
            [dt.datetime(2025, 3, 1), "Ward 7", 2, "Good care overall.", "", "", "x1", ""],
            [dt.date(2025, 3, 2), "", None, "Parking was impossible.", "staff", "", "x2", "ward"],
        ]
    )
    result = _import(lead, org["ward"], upload)
    assert result.created == 2
    assert sorted(Feedback.objects.values_list("received_on", "rating", "source")) == [
        (dt.date(2025, 3, 1), 2, "patient"),
        (dt.date(2025, 3, 2), None, "staff"),
    ]


def test_it_saves_nothing_and_names_every_problem_by_row_and_column(org, lead):
    future = (dt.date.today() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    upload = csv_upload(
        [
            row("Fine."),  # row 2: good
            row("Fine.", date=future),  # 3
            row("Fine.", date="12/05/1990"),  # 4
            row("Fine.", date="yesterday"),  # 5
            row(""),  # 6
            row("x" * (services.TEXT_MAX_LENGTH + 1)),  # 7
            row("Fine.", rating="6"),  # 8
            row("Fine.", rating="good"),  # 9
            row("Fine.", unit="elsewhere"),  # 10: another board's unit
            row("Fine.", unit="no-such-unit"),  # 11
            row("Fine.", source="robot"),  # 12
        ]
    )
    with pytest.raises(services.FeedbackRefused) as refused:
        _import(lead, org["ward"], upload)
    found = _messages(refused)
    expected = [
        ("Row 3, date", "in the future"),
        ("Row 4, date", "before 1991"),
        ("Row 5, date", "is not a date"),
        ("Row 6, text", "is empty"),
        ("Row 7, text", "at most"),
        ("Row 8, rating", "is not a rating"),
        ("Row 9, rating", "is not a rating"),
        ("Row 10, unit", "is not the code of Ward 7"),
        ("Row 11, unit", "is not the code"),
        ("Row 12, source", "is not patient, carer, staff or other"),
    ]
    for where, what in expected:
        assert any(m.startswith(where) and what in m for m in found), (where, found)
    assert not any(m.startswith("Row 2") for m in found)
    assert Feedback.objects.count() == FeedbackImport.objects.count() == 0


def test_it_names_missing_columns(org, lead):
    upload = csv_upload([["Ward 7", "Good"]], header=["service", "comment_text"])
    with pytest.raises(services.FeedbackRefused) as refused:
        _import(lead, org["ward"], upload)
    assert "Row 1, date: this column is missing" in _messages(refused)
    assert "Row 1, text: this column is missing" in _messages(refused)


def test_it_refuses_a_file_it_cannot_read(org, lead):
    upload = csv_upload([], name="feedback.pdf")
    with pytest.raises(services.FeedbackRefused) as refused:
        _import(lead, org["ward"], upload)
    assert "CSV" in _messages(refused)[0]


def test_it_redacts_identifiers_and_counts_them(org, lead):
    upload = csv_upload(
        [
            row("Call me on 07700 900123 or write to jo.bloggs@example.com please."),
            row("My NHS number is 943 476 5919 and nobody read my notes."),
            row("Nothing to hide here."),
        ]
    )
    result = _import(lead, org["ward"], upload)
    texts = list(Feedback.objects.order_by("pk").values_list("text", "redactions"))
    assert "07700" not in texts[0][0] and "jo.bloggs" not in texts[0][0]
    assert "[e-mail address]" in texts[0][0] and texts[0][1] == 2
    assert "943 476 5919" not in texts[1][0] and texts[1][1] == 1
    assert texts[2] == ("Nothing to hide here.", 0)
    assert (result.redactions, result.redacted_comments) == (3, 2)
    assert result.batch.redactions == 3


def test_it_refuses_a_reference_imported_before_or_skips_it_when_asked(org, lead):
    _import(lead, org["ward"], csv_upload([row("First.", reference="r1")]))
    again = csv_upload([row("First.", reference="r1"), row("Second.", reference="r2")])
    with pytest.raises(services.FeedbackRefused) as refused:
        _import(lead, org["ward"], again)
    assert any(
        m.startswith("Row 2, reference") and "imported before" in m for m in _messages(refused)
    )
    assert Feedback.objects.count() == 1
    result = _import(lead, org["ward"], again, skip_repeats=True)
    assert (result.created, result.skipped, result.skipped_rows) == (1, 1, [2])
    assert sorted(Feedback.objects.values_list("reference", flat=True)) == ["r1", "r2"]


def test_it_refuses_a_reference_given_twice_in_one_file(org, lead):
    upload = csv_upload([row("A.", reference="r1"), row("B.", reference="r1")])
    with pytest.raises(services.FeedbackRefused) as refused:
        _import(lead, org["ward"], upload)
    assert any(m.startswith("Row 3, reference") and "row 2" in m for m in _messages(refused))


def test_it_files_comments_under_the_unit_named_below_the_page_unit(org, quality_lead):
    upload = csv_upload([row("A.", unit="ward"), row("B.", unit="OTHER-WARD"), row("C.")])
    _import(quality_lead, org["service"], upload)
    assert sorted(Feedback.objects.values_list("text", "unit__code")) == [
        ("A.", "ward"), ("B.", "other-ward"), ("C.", "service")
    ]  # fmt: skip


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_people_who_may_not_import(org, request, who):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        _import(person, org["ward"], csv_upload([row()]))
    assert not Feedback.objects.exists()


def test_it_imports_five_thousand_comments_in_batches(org, lead, django_assert_max_num_queries):
    rows = [row(f"Comment {i}: the staff were helpful.", reference=f"n{i}") for i in range(5000)]
    upload = csv_upload(rows)
    # Inserts in batches, never a query a comment: SQLite takes about 55 comments a statement
    # (its limit of 999 variables), PostgreSQL 1,000.
    with django_assert_max_num_queries(400):
        result = _import(lead, org["ward"], upload)
    assert result.created == 5000
    assert Feedback.history.count() == 5000
    assert FeedbackTheme.objects.count() == sum(
        len(themes) for themes in Feedback.objects.values_list("model_themes", flat=True)
    )


def test_it_accepts_the_header_names_of_friends_and_family_test_exports(org, lead):
    header = ["Date", "Service type 1", "FFT categorical answer", "FFT answer", "Comment ID"]
    upload = csv_upload([["01/02/2025", "111", "2", "Quick answer.", "NEAS 1"]], header=header)
    _import(lead, org["ward"], upload)
    comment = Feedback.objects.get()
    assert (comment.service, comment.rating, comment.reference) == ("111", 2, "NEAS 1")


def test_header_of_the_support_files_is_the_documented_one():
    assert list(services.COLUMNS) == HEADER
