"""The measure page's discussions: the measure's and each signal's comments and files, with
forms for those who may write, read in a fixed number of queries however many signals."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from helpers import make_measure, make_person

from qms.comments import services as comments
from qms.control import services
from qms.control.models import Signal, SignalKind
from qms.people.roles import Role


def raise_signals(measure, count):
    return [
        Signal.objects.create(
            measure=measure,
            kind=SignalKind.CONCERN,
            first_period=dt.date(2024, 1, 1),
            last_period=dt.date(2024, 7, 1),
            explanation=f"Run {number}",
        )
        for number in range(count)
    ]


def discuss(signals, lead, member):
    for signal in signals:
        comments.comment_add(by=member, subject=signal, text=f"About {signal.explanation}")
        comments.comment_add(by=lead, subject=signal, text="Agreed")
        comments.attachment_add(
            by=lead, subject=signal, file=SimpleUploadedFile("notes.txt", b"Huddle notes")
        )


def test_a_member_sees_each_signals_discussion_with_its_forms(client, measure, lead, member):
    signal = raise_signals(measure, 1)[0]
    discuss([signal], lead, member)
    comments.comment_add(by=lead, subject=measure, text="Data from the e-rostering system")
    client.force_login(member)
    html = client.get(measure.get_absolute_url()).content.decode()
    assert f'id="discussion-control-signal-{signal.pk}"' in html
    assert "About Run 0" in html and "notes.txt" in html
    assert f'action="/comments/control.signal/{signal.pk}/comments/"' in html
    assert f'action="/comments/control.measure/{measure.pk}/attachments/"' in html
    assert "Data from the e-rostering system" in html


def test_staff_who_may_not_write_read_without_the_forms(client, org, measure, lead, member):
    signal = raise_signals(measure, 1)[0]
    discuss([signal], lead, member)
    coach = make_person("coach", (Role.IMPROVEMENT_COACH, org["ward"]))
    client.force_login(coach)
    html = client.get(measure.get_absolute_url()).content.decode()
    assert "About Run 0" in html
    assert "/comments/control.signal/" not in html
    assert "/comments/control.measure/" not in html


def test_the_definitions_history_shows_who_changed_what_and_why(client, measure, lead):
    services.measure_update(by=lead, measure=measure, reason="New national target", target=4.0)
    client.force_login(lead)
    html = client.get(measure.get_absolute_url()).content.decode()
    assert "Changes to the definition" in html
    assert "Target: “5” → “4”" in html
    assert "Reason: New national target" in html


@pytest.mark.parametrize("who", ["lead", "member"])
def test_the_page_reads_the_discussions_in_the_same_queries_whatever_their_number(
    client, org, lead, member, who
):
    counts = []
    for code, signals in (("one", 1), ("many", 12)):
        measure = make_measure(org["ward"], code, by=lead)
        discuss(raise_signals(measure, signals), lead, member)
        client.force_login(lead if who == "lead" else member)
        client.get(measure.get_absolute_url())  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(measure.get_absolute_url()).status_code == 200
        counts.append(sum("comments_" in q["sql"] for q in queries.captured_queries))
    assert counts[0] == counts[1] == 2


def test_the_discussion_forms_carry_the_pages_csrf_token(measure, lead, member):
    signal = raise_signals(measure, 1)[0]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    html = browser.get(measure.get_absolute_url()).content.decode()
    action = f'action="/comments/control.signal/{signal.pk}/comments/"'
    form = html[html.index(action) :]
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = browser.post(
        f"/comments/control.signal/{signal.pk}/comments/",
        {"text": "Seen", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_any_page_can_include_a_records_discussion(rf, measure, lead, member):
    signal = raise_signals(measure, 1)[0]
    discuss([signal], lead, member)
    request = rf.get("/")
    request.user = member
    template = Template(
        '{% include "comments/_discussion.html" with subject=signal level=3 %}'
        '{% include "comments/_discussion.html" with subject=measure %}'
    )
    html = template.render(Context({"signal": signal, "measure": measure, "request": request}))
    assert '<h3 id="discussion-control-signal-' in html and "About Run 0" in html
    assert f'<h2 id="discussion-control-measure-{measure.pk}-heading"' in html
