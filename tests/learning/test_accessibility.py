"""Every kind of Learn page, and the panels the learning system adds to other areas' pages
(measure page, huddle board, project, priority, change package, issue), checked by axe-core in
headless Chromium as each demo role sees them, on one build of the whole demo (`qms demo-data`):
no violation of WCAG 2.1 A and AA or of axe's best practices, and never a server error. Pages a
role may not open answer 403 or 404."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import shot
from django.core.management import call_command
from django.urls import reverse

from qms.control.models import Measure
from qms.demo.organisation import DEMO_PASSWORD
from qms.improvement.models import ChangePackage, Project
from qms.issues.models import Issue
from qms.learning import models as m
from qms.people.models import Unit
from qms.planning.models import Priority

pytestmark = pytest.mark.browser

ROLES = ("quality", "lead", "member", "coach", "analyst", "board", "partner", "admin")


def _pages() -> dict[str, str]:
    """One page of each kind, chosen from the demo (Ward 7's where it has some)."""
    ward = Unit.objects.get(code="ward-7")
    feedback_measure = Measure.objects.filter(unit=ward).first()
    definition = Measure.objects.filter(unit=ward).exclude(definition=None).first().definition
    pages = {
        "home": reverse("learning:home"),
        "evidence list": reverse("learning:evidence-list"),
        "new evidence": reverse("learning:evidence-create"),
        "networks": reverse("learning:network-list"),
        "new network": reverse("learning:network-create"),
        "reflections": reverse("learning:reflection-list"),
        "shared reflections": reverse("learning:reflection-shared"),
        "new reflection": reverse("learning:reflection-create"),
        "similar work": reverse("learning:similar") + "?q=falls",
        "compare units": reverse("learning:compare", args=[definition.code]),
        "feedback": reverse("learning:feedback-unit", args=[ward.pk]),
        "feedback comments": reverse("learning:feedback-list", args=[ward.pk]),
        "feedback charts": reverse("learning:feedback-charts", args=[ward.pk]),
        "feedback import": reverse("learning:feedback-import", args=[ward.pk]),
        "bright spots": reverse("learning:bright-spots", args=[ward.parent_id]),
        "learning reviews": reverse("learning:unit-learning", args=[ward.pk]),
        "new review": reverse("learning:review-create", args=[ward.pk]),
        "measure page": reverse("control:measure-detail", args=[feedback_measure.pk]),
        "huddle board": reverse("control:huddle-board", args=[ward.pk]),
    }
    records = {
        "comment": m.Feedback.objects.filter(unit=ward).first(),
        "evidence": m.Evidence.objects.first(),
        "network": m.Network.objects.first(),
        "bright spot": m.BrightSpot.objects.first(),
        "review": m.LearningReview.objects.first(),
        "shared reflection": m.Reflection.objects.exclude(sharing="private").first(),
        "private reflection": m.Reflection.objects.filter(sharing="private").first(),
        "project": Project.objects.first(),
        "priority": Priority.objects.first(),
        "package": ChangePackage.objects.first(),
        "issue": Issue.objects.first(),
    }
    for kind, record in records.items():
        if record is not None:
            pages[kind] = record.get_absolute_url()
    return pages


def _log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def _describe(violation) -> str:
    targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
    return f"{violation['id']} ({violation['help']}): {', '.join(targets)}"


def test_it_finds_no_accessibility_violation_on_any_learn_page_as_any_role(live_server, db, page):
    started = time.monotonic()
    call_command("demo-data", verbosity=0)
    pages = _pages()
    axe = Axe()
    base = live_server.url
    page.set_default_timeout(60_000)
    problems: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    for role in ROLES:
        _log_in(page, base, role)
        for kind, path in pages.items():
            response = page.goto(base + path)
            status = response.status if response else 0
            statuses[f"{role} {kind}"] = status
            if status != 200:
                continue
            if page.locator(".chart").count():
                page.wait_for_timeout(300)  # vega-embed draws after load
            found = [_describe(v) for v in axe.run(page).response["violations"]]
            if found:
                problems[f"{role} {kind} {path}"] = found
                shot(page, "learn-axe-" + re.sub(r"\W+", "-", f"{role}-{kind}"))
    print(f"axe checked {len(statuses)} page views in {time.monotonic() - started:.0f} s")
    for where, found in problems.items():
        print(where, *found, sep="\n  ")
    assert problems == {}
    assert all(status in (200, 403, 404) for status in statuses.values()), statuses
    seen = {kind for kind in pages if statuses[f"quality {kind}"] == 200}
    assert len(seen) >= len(pages) - 4, sorted(set(pages) - seen)  # the quality lead sees most
    assert statuses["partner private reflection"] in (403, 404)
