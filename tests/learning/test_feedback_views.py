"""The feedback pages: who may see and do what (others' units are 404), the list's filters,
a correction kept in history, the "what people say" panel beside the measures, bounded
queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from helpers import ANONYMOUS, make_measure

from learning.feedback_support import csv_upload, make_feedback, row
from qms.learning.models import Feedback

pytestmark = pytest.mark.django_db

READERS = {"lead": 200, "member": 200, "quality_lead": 200, "admin": 200}
NOT_READERS = {"partner": 403, "outsider": 404}


def _expect(who, table):
    return table.get(who, {**READERS, **NOT_READERS}.get(who))


@pytest.fixture
def comment(org):
    return make_feedback(
        org["ward"], timezone.localdate(), sentiment=4, themes=["Parking"],
        text="Nowhere to park, again.", service="Outpatients",
    )  # fmt: skip


@pytest.mark.parametrize("who", [*READERS, *NOT_READERS, ANONYMOUS])
@pytest.mark.parametrize("name", ["feedback-unit", "feedback-list", "feedback-charts"])
def test_it_shows_a_units_feedback_pages_to_its_staff_only(
    client, as_user, org, comment, who, name
):
    as_user(who)
    response = client.get(reverse(f"learning:{name}", args=[org["ward"].pk]))
    if who == ANONYMOUS:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == {**READERS, **NOT_READERS}[who]


@pytest.mark.parametrize("who", [*READERS, *NOT_READERS])
def test_it_shows_a_comment_to_its_units_staff_only(client, as_user, comment, who):
    as_user(who)
    response = client.get(comment.get_absolute_url())
    assert response.status_code == {**READERS, **NOT_READERS}[who]
    if response.status_code == 200:
        assert "Nowhere to park, again." in response.content.decode()


def test_a_comment_of_another_unit_is_not_found(client, as_user, org):
    elsewhere = make_feedback(org["elsewhere"], dt.date(2025, 1, 1), sentiment=1)
    as_user("lead")
    assert client.get(elsewhere.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("learning:feedback-unit", args=[org["elsewhere"].pk])).status_code == 404
    )
    assert client.get(reverse("learning:feedback-detail", args=[99999999])).status_code == 404


@pytest.mark.parametrize(
    "who, status",
    [("lead", 200), ("quality_lead", 200), ("admin", 200), ("member", 403), ("partner", 403),
     ("outsider", 404)],
)  # fmt: skip
def test_only_feedback_editors_import(client, as_user, org, who, status):
    as_user(who)
    url = reverse("learning:feedback-import", args=[org["ward"].pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"file": csv_upload([row()])})
    assert response.status_code == (200 if status == 200 else status)
    assert Feedback.objects.exists() is (status == 200)


def test_the_import_page_says_how_many_were_imported_and_redacted(client, as_user, org):
    as_user("lead")
    upload = csv_upload([row("Ring 07700 900123 please"), row("All good.")])
    response = client.post(
        reverse("learning:feedback-import", args=[org["ward"].pk]), {"file": upload}
    )
    page = response.content.decode()
    assert "2 comments" in page and "redacted from 1 comment" in page


def test_the_import_page_lists_every_problem_and_saves_nothing(client, as_user, org):
    as_user("lead")
    upload = csv_upload([row("Fine."), row("", date="31/02/2025")])
    response = client.post(
        reverse("learning:feedback-import", args=[org["ward"].pk]), {"file": upload}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 3, date" in page and "Row 3, text" in page and "Nothing was imported" in page
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    "who, status", [("lead", 302), ("member", 403), ("partner", 403), ("outsider", 404)]
)
def test_only_feedback_editors_correct(client, as_user, comment, who, status):
    as_user(who)
    url = reverse("learning:feedback-correct", args=[comment.pk])
    response = client.post(
        url, {"sentiment": "2", "themes": ["Food & drink provision & facilities"]}
    )
    assert response.status_code == status
    comment.refresh_from_db()
    assert (comment.sentiment == 2) is (status == 302)


def test_a_correction_keeps_the_models_answer_and_who_changed_what_when(
    client, as_user, comment, lead
):
    as_user("lead")
    url = reverse("learning:feedback-correct", args=[comment.pk])
    themes = ["Parking", "Service location"]
    assert client.post(url, {"sentiment": "5", "themes": themes}).status_code == 302
    comment.refresh_from_db()
    assert comment.sentiment == 5 and comment.model_sentiment == 4
    assert comment.model_themes == ["Parking"]
    assert sorted(comment.themes.values_list("label", flat=True)) == themes
    assert comment.corrected_by == lead and comment.corrected_at is not None
    last = comment.history.order_by("-history_date").first()
    assert last.history_user == lead and last.sentiment == 5
    assert (
        "Parking" in last.history_change_reason and "Service location" in last.history_change_reason
    )
    page = client.get(comment.get_absolute_url()).content.decode()
    assert "Corrected: sentiment 5" in page


@pytest.mark.parametrize(
    "data",
    [{"sentiment": "9"}, {"sentiment": "x"}, {"sentiment": "2", "themes": ["Not a theme"]}, {}],
)
def test_a_bad_correction_is_refused_with_a_message(client, as_user, comment, data):
    as_user("lead")
    response = client.post(reverse("learning:feedback-correct", args=[comment.pk]), data)
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.sentiment == 4 and comment.corrected_at is None


def test_the_list_filters_by_month_theme_sentiment_service_source_and_words(client, as_user, org):
    ward = org["ward"]
    make_feedback(
        ward, dt.date(2025, 1, 5), sentiment=5, themes=["Parking"], text="No parking", service="A"
    )
    kind = ["Staff manner & personal attributes"]
    make_feedback(
        ward, dt.date(2025, 2, 5), sentiment=1, themes=kind, text="Kind nurses", service="B",
        source="carer",
    )  # fmt: skip
    make_feedback(org["other_ward"], dt.date(2025, 2, 6), sentiment=1, text="Other ward")
    as_user("lead")
    url = reverse("learning:feedback-list", args=[ward.pk])

    def shown(**query):
        page = client.get(url, query).content.decode()
        return {t for t in ("No parking", "Kind nurses", "Other ward") if t in page}

    assert shown() == {"No parking", "Kind nurses"}
    assert shown(month="2025-01") == {"No parking"}
    assert shown(theme="Parking") == {"No parking"}
    assert shown(sentiment="negative") == {"No parking"}
    assert shown(sentiment="1") == {"Kind nurses"}
    assert shown(service="B") == {"Kind nurses"}
    assert shown(source="carer") == {"Kind nurses"}
    assert shown(text="PARKING") == {"No parking"}
    # Filters that do not parse are ignored with a message, never a server error.
    for bad in ({"month": "9999-99"}, {"sentiment": "7"}, {"theme": "x" * 500}, {"page": "x"}):
        assert client.get(url, bad).status_code == 200


@pytest.mark.parametrize("size", [5, 60])
def test_the_pages_make_a_bounded_number_of_queries(
    client, as_user, org, size, django_assert_max_num_queries
):
    start = dt.date(2024, 1, 1)
    for i in range(size):
        make_feedback(org["ward"], start + dt.timedelta(days=i * 9), sentiment=1 + i % 5,
                      themes=["Parking", "Staff responsiveness"][: 1 + i % 2])  # fmt: skip
    as_user("lead")
    for name in ("feedback-unit", "feedback-list", "feedback-charts"):
        with django_assert_max_num_queries(22):
            assert client.get(reverse(f"learning:{name}", args=[org["ward"].pk])).status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get(Feedback.objects.first().get_absolute_url()).status_code == 200


def test_what_people_say_is_beside_the_units_measures(client, as_user, org):
    today = timezone.localdate()
    make_feedback(org["ward"], today, sentiment=5, themes=["Parking"], text="Car park is full.")
    make_feedback(org["ward"], today, sentiment=1, themes=["Parking"], text="Easy to park.")
    measure = make_measure(org["ward"], "falls-w7")
    as_user("member")
    for url in (
        reverse("control:measure-detail", args=[measure.pk]),
        reverse("control:huddle-board", args=[org["ward"].pk]),
    ):
        page = client.get(url).content.decode()
        assert "What people say: Ward 7" in page, url
        assert "Car park is full." in page and "50%" in page and "Parking (2)" in page
        assert reverse("learning:feedback-unit", args=[org["ward"].pk]) in page


def test_what_people_say_is_not_shown_to_partners_nor_without_feedback(client, as_user, org):
    make_feedback(org["ward"], timezone.localdate(), sentiment=5, text="Car park is full.")
    measure = make_measure(org["ward"], "falls-w7")
    other = make_measure(org["other_ward"], "falls-w8")
    as_user("admin")
    assert (
        "What people say"
        not in client.get(reverse("control:measure-detail", args=[other.pk])).content.decode()
    )
    measure.unit.refresh_from_db()
    as_user("partner")
    page = client.get(reverse("control:measure-detail", args=[measure.pk]))
    assert "Car park is full." not in page.content.decode()


def test_the_learn_home_counts_recent_feedback(client, as_user, org):
    make_feedback(org["ward"], timezone.localdate(), sentiment=5)
    as_user("lead")
    page = client.get(reverse("learning:home")).content.decode()
    assert reverse("learning:feedback-unit", args=[org["ward"].pk]) in page
    assert "Comments of the last 90 days" in page
