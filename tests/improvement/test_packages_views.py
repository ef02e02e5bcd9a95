"""Change package pages: the list for staff anywhere, a draft only for the project's people, a
published one for all staff, and the leads' create, change, publish and withdraw."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from helpers import make_measure

from improvement.spread_support import *  # noqa: F403
from improvement.spread_support import ADOPTED_ON
from qms.improvement import services
from qms.improvement.models import ChangePackage, PackageStatus


def detail(package):
    return reverse("improvement:package-detail", args=[package.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("coach", 200),
        ("team_partner", 200),
        ("member", 200),
        ("other_lead", 404),
        ("outsider", 404),
        ("partner", 404),  # a partner of the ward, not on the project: a draft is not disclosed
    ],
)
def test_it_shows_a_draft_only_to_the_projects_people(client, as_user, package, who, status):
    as_user(who)
    response = client.get(detail(package))
    assert response.status_code == status
    if status == 200:
        assert "Night-time falls bundle" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "adopt"),
    [
        ("lead", False),
        ("member", False),
        ("team_partner", False),
        ("other_lead", True),
        ("outsider", True),
    ],
)
def test_it_shows_a_published_package_to_staff_anywhere(client, as_user, published, who, adopt):
    as_user(who)
    response = client.get(detail(published))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Round every hour from 22:00." in page
    assert "Inpatient falls, any harm." in page  # the measure's operational definition
    assert ("Adopt in your unit" in page) is adopt


def test_it_sends_anonymous_visitors_to_log_in(client, published):
    assert client.get(detail(published)).status_code == 302


def test_it_answers_404_for_a_package_that_does_not_exist(client, as_user, org):
    as_user("lead")
    assert client.get(reverse("improvement:package-detail", args=[99999])).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 200), ("outsider", 200), ("team_partner", 403), ("partner", 403)],
)
def test_it_lists_published_packages_for_staff_anywhere(
    client, as_user, published, project, lead, who, status
):
    services.package_create(by=lead, project=project, title="Secret draft", summary="S")
    as_user(who)
    response = client.get(reverse("improvement:package-list"))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Night-time falls bundle" in page and "Secret draft" not in page


def test_it_searches_the_list(client, as_user, published):
    as_user("member")
    url = reverse("improvement:package-list")
    assert "Night-time falls" in client.get(url, {"q": "rounding"}).content.decode()
    assert "No published change package matches" in client.get(url, {"q": "zzz"}).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("coach", 200), ("member", 403), ("team_partner", 403), ("outsider", 404)],
)
def test_it_lets_only_leads_open_the_new_package_page(client, as_user, project, idea, who, status):
    as_user(who)
    url = reverse("improvement:package-create", args=[project.pk])
    assert client.get(url).status_code == status


def test_it_creates_a_package_offering_tested_ideas_first(
    client, as_user, project, untested_idea, idea, outcome
):
    as_user("lead")
    url = reverse("improvement:package-create", args=[project.pk])
    page = client.get(url).content.decode()
    assert page.index("Hourly rounding") < page.index("Bed alarms")
    assert "tested: 1 of 1 cycles adopted or adapted" in page
    response = client.post(
        url,
        {
            "title": "Night bundle",
            "summary": "Rounding.",
            "change_ideas": [idea.pk],
            "measures": [outcome.pk],
        },
    )
    package = ChangePackage.objects.get()
    assert response.status_code == 302 and response.url == package.get_absolute_url()
    assert list(package.change_ideas.all()) == [idea]


def test_it_names_the_field_and_saves_nothing_on_bad_input(client, as_user, project, idea, org):
    as_user("lead")
    stray = make_measure(org["ward"], "stray")
    url = reverse("improvement:package-create", args=[project.pk])
    response = client.post(url, {"title": "", "summary": "S", "measures": [stray.pk]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing has been saved yet" in page and "This field is required" in page
    assert not ChangePackage.objects.exists()
    identifier = client.post(url, {"title": "T", "summary": "NHS 943 476 5919"})
    assert identifier.status_code == 400 and not ChangePackage.objects.exists()


def test_it_publishes_and_withdraws_for_leads_only(client, as_user, package):
    as_user("member")
    publish = reverse("improvement:package-publish", args=[package.pk])
    assert client.post(publish).status_code == 403
    as_user("lead")
    assert client.get(publish).status_code == 405
    assert client.post(publish).status_code == 302
    package.refresh_from_db()
    assert package.status == PackageStatus.PUBLISHED
    withdraw = reverse("improvement:package-withdraw", args=[package.pk])
    assert client.post(withdraw, {"reason": ""}).status_code == 400
    assert client.post(withdraw, {"reason": "Superseded."}).status_code == 302
    package.refresh_from_db()
    assert package.status == PackageStatus.WITHDRAWN
    assert client.get(reverse("improvement:package-edit", args=[package.pk])).status_code == 403


def test_it_changes_a_package(client, as_user, package, idea):
    as_user("lead")
    url = reverse("improvement:package-edit", args=[package.pk])
    assert "Night-time falls bundle" in client.get(url).content.decode()
    response = client.post(url, {"title": "Bundle v2", "summary": "S", "change_ideas": [idea.pk]})
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.title == "Bundle v2" and not package.measures.exists()


def _adopt(package, unit, by, code, adopted_on=ADOPTED_ON):
    measure = make_measure(unit, code)
    return services.adoption_create(
        by=by, package=package, unit=unit, adopted_on=adopted_on, link_measures=[measure]
    )


def test_it_reads_the_package_page_in_the_same_queries_whatever_its_adoptions(
    client, as_user, org, published, other_lead
):
    from helpers import make_person

    from qms.people.roles import Role

    as_user("member")
    _adopt(published, org["other_ward"], other_lead, "w8")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail(published)).status_code == 200
        return len(queries)

    one = count()
    for month, code in ((3, "other_service"), (4, "elsewhere")):
        adopter = make_person(f"lead-{code}", (Role.TEAM_LEAD, org[code]))
        _adopt(published, org[code], adopter, code, ADOPTED_ON.replace(month=month))
    assert count() == one


def test_it_shares_a_published_packages_files_with_staff_anywhere(
    client, as_user, package, lead, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qms.comments import services as comments

    settings.MEDIA_ROOT = tmp_path
    body = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    sheet = SimpleUploadedFile("rounding-sheet.pdf", body, content_type="application/pdf")
    attachment = comments.attachment_add(by=lead, subject=package, file=sheet)
    download = reverse("comments:attachment-download", args=[attachment.pk])
    as_user("other_lead")
    assert client.get(download).status_code == 404  # a draft's files stay with the project
    services.package_publish(by=lead, package=package)
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == body
    page = client.get(detail(package)).content.decode()
    assert "rounding-sheet.pdf" in page and "Add a comment" not in page
    as_user("team_partner")
    assert client.get(download).status_code == 200


def test_it_links_the_list_only_for_those_who_may_open_it(client, as_user, project, published):
    list_url = reverse("improvement:package-list")
    for who, linked in (("lead", True), ("team_partner", False)):
        as_user(who)
        page = client.get(project.get_absolute_url()).content.decode()
        assert "Night-time falls bundle" in page
        assert (f'href="{list_url}"' in page) is linked, who
    assert f'href="{list_url}"' not in client.get(reverse("improvement:home")).content.decode()
    as_user("member")
    assert f'href="{list_url}"' in client.get(reverse("improvement:home")).content.decode()
