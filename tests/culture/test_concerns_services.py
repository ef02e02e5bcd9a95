import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from culture.concerns_support import raise_concern
from qms.culture.models import ClosingFeedback, Concern, ConcernMessage
from qms.culture.services import concerns as services
from qms.issues import services as issue_services
from qms.issues.models import Issue, IssueSource
from qms.notifications.models import Notification


def test_it_raises_a_named_concern_as_an_issue_the_handlers_hear_of(member, lead, org):
    concern, code = raise_concern(member, org["ward"])
    issue = concern.issue
    assert code == ""
    assert issue.source == IssueSource.STAFF_CONCERN
    assert issue.created_by == member and issue.owner is None
    assert issue.history.get().history_user == member
    assert concern.raised_by == member and not concern.anonymous
    assert Notification.objects.filter(person=lead, object_id=issue.pk).exists()


def test_it_raises_an_anonymous_concern_with_no_link_to_the_raiser(member, lead, org):
    concern, code = raise_concern(member, org["ward"], anonymous=True)
    issue = Issue.objects.get(pk=concern.issue.pk)
    assert len(code) >= 27  # 160 bits in URL-safe base 64
    assert concern.code_hash == services.code_hash(code) and code not in concern.code_hash
    assert issue.created_by is None and issue.owner is None
    assert concern.raised_by is None
    history = issue.history.get()
    assert history.history_user is None
    # The day only: a time to the second could be matched to the raiser's session.
    assert timezone.localtime(issue.created_at).time() == dt.time(0, 0)
    assert history.history_date == issue.created_at
    # No one is told at the moment it is raised; the daily round tells the handlers.
    assert not Notification.objects.exists()
    assert services.concerns_announce() == 1
    assert Notification.objects.filter(person=lead, object_id=issue.pk).count() == 1
    assert services.concerns_announce() == 0


def test_it_finds_an_anonymous_concern_by_its_code_only(member, org):
    concern, code = raise_concern(member, org["ward"], anonymous=True)
    assert services.concern_by_code(code) == concern
    assert services.concern_by_code(f"  {code} ") == concern
    for wrong in ("", None, 12, code[:-1], code + "x", "x" * 5000, services.code_hash(code)):
        assert services.concern_by_code(wrong) is None


def test_it_lets_the_handler_and_the_anonymous_raiser_talk(member, lead, org):
    concern, code = raise_concern(member, org["ward"], anonymous=True)
    services.concern_reply(by=lead, concern=concern, text="Thank you: which nights?")
    services.concern_reply_with_code(code=code, text="Mostly Sundays.")
    messages = list(concern.messages.all())
    assert [m.from_raiser for m in messages] == [False, True]
    assert messages[0].author == lead and messages[1].author is None
    services.concerns_announce()
    assert Notification.objects.filter(person=lead, text__contains="New reply").count() == 1
    with pytest.raises(PermissionDenied):
        services.concern_reply_with_code(code="wrong", text="Hello")
    with pytest.raises(ValidationError) as error:
        services.concern_reply_with_code(code=code, text="   ")
    assert "text" in error.value.message_dict


def test_it_tells_a_named_raiser_of_replies(member, lead, org):
    concern, _ = raise_concern(member, org["ward"])
    services.concern_reply(by=lead, concern=concern, text="Let us talk on Monday.")
    assert Notification.objects.filter(person=member, text__contains="Reply").count() == 1
    services.concern_reply(by=member, concern=concern, text="Thank you.")
    assert concern.messages.last().from_raiser


def test_it_refuses_replies_from_staff_who_do_not_handle_it(member, lead, org):
    other = raise_concern(lead, org["ward"], anonymous=True)[0]
    with pytest.raises(PermissionDenied):
        services.concern_reply(by=member, concern=other, text="Me too")
    assert not ConcernMessage.objects.exists()


def test_it_refuses_raising_where_one_is_not_staff(partner, outsider, org):
    for person in (partner, outsider):
        with pytest.raises(PermissionDenied):
            raise_concern(person, org["ward"], anonymous=True)
    with pytest.raises(PermissionDenied):
        raise_concern(None, org["ward"])
    assert not Concern.objects.exists() and not Issue.objects.exists()


def test_it_refuses_a_concern_without_a_title_and_saves_nothing(member, org):
    with pytest.raises(ValidationError) as error:
        services.concern_raise(by=member, unit=org["ward"], title=" ", anonymous=True)
    assert "title" in error.value.message_dict
    assert not Concern.objects.exists() and not Issue.objects.exists()


def test_it_sends_closing_feedback_to_a_named_raiser(member, lead, org):
    issue = issue_services.issue_raise(
        by=member, unit=org["ward"], title="Broken hoist", source="other"
    )
    services.issue_close_with_feedback(by=lead, issue=issue, note="Hoist replaced.")
    feedback = ClosingFeedback.objects.get(issue=issue)
    assert feedback.given_by == lead and feedback.text == "Hoist replaced."
    assert Notification.objects.filter(person=member, text__contains="Hoist replaced").exists()


def test_it_sends_closing_feedback_to_an_anonymous_raiser_on_the_thread(member, lead, org):
    concern, code = raise_concern(member, org["ward"], anonymous=True)
    services.issue_close_with_feedback(by=lead, issue=concern.issue, note="Rota changed.")
    assert services.concern_by_code(code).messages.get().text == "Rota changed."
    assert ClosingFeedback.objects.filter(issue=concern.issue).exists()


def test_it_refuses_feedback_on_an_open_or_unraised_issue(member, lead, org):
    issue = issue_services.issue_raise(
        by=member, unit=org["ward"], title="Broken hoist", source="other", owner=lead
    )
    with pytest.raises(ValidationError):
        services.closing_feedback_give(by=lead, issue=issue, text="Done")
    system = issue_services.issue_raise(by=None, unit=org["ward"], title="Signal", source="signal")
    issue_services.issue_close(by=lead, issue=system, note="Fixed")
    with pytest.raises(ValidationError):
        services.closing_feedback_give(by=lead, issue=system, text="Done")
    issue_services.issue_close(by=lead, issue=issue, note="Fixed")
    with pytest.raises(PermissionDenied):
        services.closing_feedback_give(by=member, issue=issue, text="Done")
    assert not ClosingFeedback.objects.exists()
