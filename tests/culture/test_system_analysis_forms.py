"""Item 3 of issue 12: every place an issue or what went wrong is analysed or described uses the
one screening module (qms.web.screening with qms.text.find_blame): text that blames a named person
or uses blaming words gets the gentle prompt, "Keep my wording" lets it through, identifiers are
refused; and the analysis asks about the system (task, tools, environment, team, organisation)."""

import datetime as dt

import pytest
from django.urls import reverse
from helpers import make_person

from qms.control.forms import IssueForm as SignalIssueForm
from qms.control.forms import NoteForm as SignalNoteForm
from qms.culture.forms_concerns import ConcernForm
from qms.culture.forms_walkrounds import FeedbackForm, ItemForm
from qms.escalation.forms import EscalateForm, EscalationResponseForm
from qms.improvement.forms_cycles import DoForm, StudyForm
from qms.issues import services as issue_services
from qms.issues.forms import IssueForm, NoteForm, ReopenForm
from qms.issues.models import Issue
from qms.learning.forms_reflection import ReviewForm
from qms.planning.forms_factors import AnalysisForm
from qms.text import SYSTEM_DOMAINS, SYSTEM_QUESTION
from qms.web import screening

BLAMING = "Nurse Smith forgot to check the wristband"
SYSTEM = "The wristband printer was out of labels on nights"

# (form, the field that holds the account, the other data it needs, keyword arguments)
FORMS = [
    (IssueForm, "description", {"title": "Wrong wristband", "source": "incident"}, "owners"),
    (NoteForm, "note", {}, None),
    (ReopenForm, "reason", {}, None),
    (EscalateForm, "reason", {}, None),
    (EscalationResponseForm, "response", {"decision": "return"}, None),
    (SignalNoteForm, "note", {}, None),
    (SignalIssueForm, "description", {"title": "Falls up"}, None),
    (DoForm, "what_happened", {}, None),
    (DoForm, "observations", {}, None),
    (ItemForm, "what", {"theme": "tools"}, "owners"),
    (ConcernForm, "description", {"title": "Night staffing"}, None),
    (FeedbackForm, "feedback", {"feedback_on": "2026-12-01"}, None),
    # An issue's title is the account most people read (lists, the huddle board).
    (IssueForm, "title", {"source": "incident"}, "owners"),
    (SignalIssueForm, "title", {}, None),
    (ConcernForm, "title", {}, None),
]


def _form(form_class, field, text, extra, needs, **more):
    kwargs = {}
    if needs == "owners":
        owner = make_person("owner")
        kwargs["owners"] = [owner]
        extra = extra | {"owner": owner.pk}
    return form_class({field: text, **extra, **more}, **kwargs)


@pytest.mark.parametrize("form_class, field, extra, needs", FORMS)
def test_it_prompts_gently_on_blame_in_every_account_of_what_went_wrong(
    db, form_class, field, extra, needs
):
    form = _form(form_class, field, BLAMING, extra, needs)
    assert not form.is_valid()
    assert form.blame_prompted
    assert "may read as blaming a person" in form.errors[field][0]
    assert screening.BLAME_CONFIRM_FIELD in form.fields


@pytest.mark.parametrize("form_class, field, extra, needs", FORMS)
def test_it_keeps_the_wording_when_the_writer_says_so(db, form_class, field, extra, needs):
    form = _form(form_class, field, BLAMING, extra, needs, wording_kept="on")
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == BLAMING


@pytest.mark.parametrize("form_class, field, extra, needs", FORMS)
def test_it_lets_an_account_of_the_system_through(db, form_class, field, extra, needs):
    form = _form(form_class, field, SYSTEM, extra, needs)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("form_class, field, extra, needs", FORMS)
def test_it_refuses_an_nhs_number_in_every_account(db, form_class, field, extra, needs):
    form = _form(form_class, field, "Bed 4, 943 476 5919", extra, needs, wording_kept="on")
    assert not form.is_valid() and "NHS" in form.errors[field][0]


def test_the_forms_already_screened_still_are():
    # The learning review and the planning analysis opted in before; they stay in.
    assert "why_different" in ReviewForm.blame_screened
    assert "study_summary" in StudyForm.blame_screened
    form = AnalysisForm({"system_account": BLAMING}, domains=[])
    assert not form.is_valid() and form.blame_prompted


def test_one_list_of_blaming_words_lives_in_qms_text_only():
    # The screening module asks qms.text; no other module keeps words of its own.
    import pathlib

    root = pathlib.Path(screening.__file__).parents[1]
    holders = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "negligen" in path.read_text(encoding="utf-8")
    ]
    assert holders == ["text/blame.py"]


def test_the_system_question_names_the_parts_of_the_system():
    for word in ("task", "tools", "environment", "team", "organisation"):
        assert word in SYSTEM_QUESTION
    assert [d.code for d in SYSTEM_DOMAINS] == [
        "task",
        "tools",
        "environment",
        "team",
        "organisation",
        "conditions",
    ]
    assert all(d.question.endswith("more likely?") for d in SYSTEM_DOMAINS)


# Pages --------------------------------------------------------------------------------------------


def test_it_asks_about_the_system_on_the_issue_raise_form(client, as_user, org):
    as_user("member")
    page = client.get(reverse("issues:issue-raise", args=[org["ward"].pk])).content.decode()
    assert SYSTEM_QUESTION in page


def test_it_prompts_on_raising_an_issue_and_raises_it_when_the_wording_is_kept(
    client, as_user, org
):
    member = as_user("member")
    url = reverse("issues:issue-raise", args=[org["ward"].pk])
    data = {"title": "Wrong wristband", "source": "incident", "owner": member.pk}
    response = client.post(url, data | {"description": BLAMING})
    page = response.content.decode()
    assert response.status_code == 400 and "Keep my wording" in page
    assert page.count('name="wording_kept"') == 1
    assert not Issue.objects.exists()
    response = client.post(url, data | {"description": BLAMING, "wording_kept": "on"})
    assert response.status_code == 302 and Issue.objects.get().description == BLAMING


def test_it_prompts_on_closing_an_issue(client, as_user, org, lead):
    issue = issue_services.issue_raise(by=lead, unit=org["ward"], title="Falls", source="incident")
    as_user("lead")
    url = reverse("issues:issue-close", args=[issue.pk])
    response = client.post(url, {"note": "The HCA was careless"})
    assert response.status_code == 400 and "Keep my wording" in response.content.decode()
    issue.refresh_from_db()
    assert not issue.is_closed
    client.post(url, {"note": "Bed rails replaced", "wording_kept": ""})
    issue.refresh_from_db()
    assert issue.is_closed


def test_it_asks_about_the_system_on_the_analysis_page(client, as_user, org, lead):
    issue = issue_services.issue_raise(by=lead, unit=org["ward"], title="Falls", source="incident")
    as_user("lead")
    page = client.get(reverse("planning:analysis", args=[issue.pk])).content.decode()
    assert SYSTEM_QUESTION in page
    # The framework's domains, each with its question: task, tools, environment, team,
    # organisation, and the conditions people worked in.
    for domain in (
        "Task characteristics",
        "Equipment and supplies",
        "Physical environment",
        "Team factors",
        "Policy and procedures",
        "Individual (staff) factors",
    ):
        assert domain in page


def test_it_does_not_prompt_on_due_dates_or_titles(db):
    # Only accounts are screened for blame: an action's wording is not an analysis.
    from qms.issues.forms import ActionForm

    form = ActionForm(
        {"what": "Check the failed-to-print log", "due_on": dt.date(2026, 12, 31), "owner": ""},
        owners=[],
    )
    form.is_valid()
    assert not form.blame_prompted
