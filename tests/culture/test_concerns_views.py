"""The pages of concerns: who may raise, read and answer; the follow-up code's page (a wrong
code is a 404, many wrong codes are refused for a while); bad input."""

import pytest
from django.urls import reverse

from culture.concerns_support import raise_concern
from qms.culture.models import ClosingFeedback, Concern, ConcernMessage
from qms.culture.services import concerns as services
from qms.culture.views import concerns as views
from qms.issues import services as issue_services
from qms.issues.models import Issue

FOLLOW_UP = reverse("culture:concern-follow-up")


def _raise_url(unit):
    return reverse("culture:concern-raise", args=[unit.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 200), ("lead", 200), ("partner", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_it_shows_the_raise_page_to_the_units_staff_only(client, as_user, org, who, status):
    as_user(who)
    assert client.get(_raise_url(org["ward"])).status_code == status


def test_it_raises_an_anonymous_concern_and_shows_the_code_once(client, member, org):
    client.force_login(member)
    response = client.post(
        _raise_url(org["ward"]),
        {"title": "Night staffing", "description": "One nurse alone.", "anonymous": "on"},
    )
    assert response.status_code == 200
    code = response.context["code"]
    assert code.encode() in response.content
    concern = Concern.objects.get()
    assert concern.anonymous and concern.issue.created_by is None
    assert services.concern_by_code(code) == concern
    # Nothing about it waits in the raiser's session (no message, no code).
    assert not list(response.wsgi_request._messages)
    assert code not in str(dict(client.session))


def test_it_raises_a_named_concern_and_opens_its_issue(client, member, org):
    client.force_login(member)
    response = client.post(_raise_url(org["ward"]), {"title": "Broken hoist"})
    issue = Issue.objects.get()
    assert response.status_code == 302 and response["Location"] == issue.get_absolute_url()
    assert issue.created_by == member


@pytest.mark.parametrize(
    "data",
    [{}, {"title": ""}, {"title": "x" * 201}, {"title": "Fine", "description": "y" * 5001}],
)
def test_it_refuses_bad_input_and_saves_nothing(client, member, org, data):
    client.force_login(member)
    assert client.post(_raise_url(org["ward"]), data).status_code == 400
    assert not Issue.objects.exists()


@pytest.mark.parametrize("unit_id", [0, 999999, 2**70])
def test_it_answers_404_for_units_that_do_not_exist(client, member, unit_id):
    client.force_login(member)
    assert client.get(f"/culture/units/{unit_id}/concerns/raise/").status_code == 404


def test_it_opens_the_thread_with_the_code_and_takes_a_reply(client, member, lead, org):
    concern, code = raise_concern(member, org["ward"], anonymous=True)
    services.concern_reply(by=lead, concern=concern, text="Which nights?")
    client.logout()  # no sign-in needed
    response = client.post(FOLLOW_UP, {"code": code})
    assert response.status_code == 200 and b"Which nights?" in response.content
    response = client.post(FOLLOW_UP, {"code": code, "text": "Sundays."})
    assert response.status_code == 200 and response.context["sent"]
    message = ConcernMessage.objects.get(from_raiser=True)
    assert message.author is None and message.text == "Sundays."


def test_it_answers_404_to_a_wrong_code_and_refuses_many(client, member, org, settings):
    _, code = raise_concern(member, org["ward"], anonymous=True)
    for wrong in ("", "nope", code[:-1] + ("A" if code[-1] != "A" else "B")):
        assert client.post(FOLLOW_UP, {"code": wrong}).status_code == 404
    for _ in range(views.WRONG_CODES_ALLOWED):
        client.post(FOLLOW_UP, {"code": "guess"})
    # Refused for a while, even the right code (a guesser learns nothing from it).
    assert client.post(FOLLOW_UP, {"code": code}).status_code == 429


def test_it_refuses_an_empty_reply_with_the_code(client, member, org):
    _, code = raise_concern(member, org["ward"], anonymous=True)
    assert client.post(FOLLOW_UP, {"code": code, "text": "  "}).status_code == 400
    assert not ConcernMessage.objects.exists()


def test_it_answers_other_methods_on_the_follow_up_page(client):
    assert client.put(FOLLOW_UP).status_code == 405
    assert client.get(FOLLOW_UP).status_code == 200


@pytest.mark.parametrize(("who", "status"), [("lead", 302), ("member", 403), ("outsider", 404)])
def test_it_lets_handlers_reply_on_the_thread(client, as_user, member, org, who, status):
    concern, _ = raise_concern(member, org["ward"], anonymous=True)
    as_user(who)
    url = reverse("culture:concern-reply", args=[concern.pk])
    assert client.post(url, {"text": "Thank you."}).status_code == status
    assert ConcernMessage.objects.count() == (1 if status == 302 else 0)


def test_it_lets_a_named_raiser_reply_and_refuses_empty_replies(client, member, org):
    concern, _ = raise_concern(member, org["ward"])
    client.force_login(member)
    url = reverse("culture:concern-reply", args=[concern.pk])
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "More detail."}).status_code == 302
    assert client.get(reverse("culture:concern-reply", args=[concern.pk])).status_code == 405


def test_it_shows_the_thread_on_the_issue_page_to_handlers_not_to_other_staff(
    client, member, lead, org
):
    concern, _ = raise_concern(lead, org["ward"], anonymous=True)
    services.concern_reply(by=lead, concern=concern, text="A private reply")
    client.force_login(lead)
    page = client.get(concern.issue.get_absolute_url()).content.decode()
    assert "Raised <strong>anonymously</strong>" in page and "A private reply" in page
    client.force_login(member)
    page = client.get(concern.issue.get_absolute_url()).content.decode()
    assert "Raised <strong>anonymously</strong>" in page and "A private reply" not in page


@pytest.mark.parametrize(("who", "status"), [("lead", 302), ("member", 403), ("outsider", 404)])
def test_it_lets_handlers_send_closing_feedback(client, as_user, member, lead, org, who, status):
    issue = issue_services.issue_raise(
        by=member, unit=org["ward"], title="Hoist", source="other", owner=lead
    )
    issue_services.issue_close(by=lead, issue=issue, note="Replaced.")
    as_user(who)
    url = reverse("culture:closing-feedback", args=[issue.pk])
    assert client.post(url, {"text": "Replaced, thank you."}).status_code == status
    assert ClosingFeedback.objects.count() == (1 if status == 302 else 0)


def test_it_refuses_feedback_on_an_open_issue(client, member, lead, org):
    issue = issue_services.issue_raise(by=member, unit=org["ward"], title="H", source="other")
    client.force_login(lead)
    url = reverse("culture:closing-feedback", args=[issue.pk])
    assert client.post(url, {"text": "Done"}).status_code == 400
    assert client.post(reverse("culture:closing-feedback", args=[10**12]), {}).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("lead", 200), ("member", 403), ("outsider", 404)])
def test_it_lists_concerns_for_handlers(client, as_user, member, org, who, status):
    raise_concern(member, org["ward"], anonymous=True)
    as_user(who)
    response = client.get(reverse("culture:concern-list", args=[org["ward"].pk]))
    assert response.status_code == status
    if status == 200:
        assert b"Anonymous" in response.content and b"Member" not in response.content
