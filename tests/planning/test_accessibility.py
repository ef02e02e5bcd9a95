"""Every kind of planning page checked by axe-core in headless Chromium, as the demo's quality
lead (of the Acute Services Division) and a team member (of Ward 7) see it, on one demo build
for the module: no violation of WCAG 2.2 A and AA or of axe's best practices, and no page wider
than a 320 px phone. Pages a member may not open (another unit's records) must answer 404/403,
never 500."""

import random
import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import shot
from django.urls import reverse

from qms.demo import improvement, issues, measures, organisation, planning
from qms.demo.organisation import DEMO_PASSWORD
from qms.people.models import Unit
from qms.planning import models as m

pytestmark = pytest.mark.browser


def _build_demo():
    rng = random.Random(2026)
    organisation.build(rng)
    measures.build(rng)
    issues.build()
    improvement.build()
    planning.build(rng)


def _page_kinds() -> dict[str, str]:
    """One page of each kind of planning, chosen from the demo (the division's where it has
    some, as a quality lead plans there)."""
    division = Unit.objects.get(code="acute")
    ward = Unit.objects.get(code="ward-7")
    priority = m.Priority.objects.filter(unit__path__startswith=division.path).first()
    audit = m.Audit.objects.filter(previous__isnull=False).first()
    unit_pages = {
        "vision": "planning:vision",
        "aims": "planning:aims",
        "needs": "planning:needs",
        "gaps": "planning:gaps",
        "Pareto": "planning:pareto",
        "priorities": "planning:priorities",
        "new priority": "planning:priority-create",
        "weights": "planning:weights",
        "resources": "planning:resources",
        "audits": "planning:audits",
    }
    kinds = {"home": reverse("planning:home"), "framework": reverse("planning:framework")}
    for unit in (division, ward):
        for kind, name in unit_pages.items():
            kinds[f"{kind} of {unit.code}"] = reverse(name, args=[unit.pk])
    records = {
        "aim": ("planning:aim-detail", m.Aim.objects.first()),
        "assessment": ("planning:needs-detail", m.NeedsAssessment.objects.first()),
        "equity": ("planning:equity", m.GroupObservation.objects.first().measure),
        "analysis": ("planning:analysis", m.IssueAnalysis.objects.first().issue),
        "priority": ("planning:priority-detail", priority),
        "method": ("planning:priority-method", priority),
        "roles": ("planning:priority-roles", priority),
        "design": ("planning:design-detail", m.Design.objects.first()),
        "audit": ("planning:audit-detail", audit.previous),
        "re-audit comparison": ("planning:audit-detail", audit),
    }
    for kind, (name, record) in records.items():
        kinds[kind] = reverse(name, args=[record.pk])
    return kinds


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


def test_it_finds_no_accessibility_violation_on_any_planning_page(live_server, db, page):
    started = time.monotonic()
    _build_demo()
    kinds = _page_kinds()
    axe = Axe()
    base = live_server.url
    page.set_default_timeout(30_000)
    problems: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    for role in ("quality", "member"):
        _log_in(page, base, role)
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            for kind, path in kinds.items():
                response = page.goto(base + path)
                status = response.status if response else 0
                statuses[f"{role} {kind}"] = status
                if status != 200:
                    continue
                if page.locator(".chart").count():
                    page.wait_for_timeout(300)  # vega-embed draws after load
                where = f"{role} {width}px {kind} {path}"
                found = [_describe(v) for v in axe.run(page).response["violations"]]
                wide = page.evaluate("document.documentElement.scrollWidth")
                if width == 320 and wide > 330:
                    found.append(f"the page is {wide} px wide on a 320 px screen")
                if found:
                    problems[where] = found
                    shot(page, "plan-axe-" + re.sub(r"\W+", "-", f"{role}-{width}-{kind}"))
    print(f"axe checked {len(statuses)} page views in {time.monotonic() - started:.0f} s")
    for where, found in problems.items():
        print(where, *found, sep="\n  ")
    assert problems == {}
    assert all(statuses[f"quality {kind}"] == 200 for kind in kinds), statuses
    assert all(status in (200, 403, 404) for status in statuses.values()), statuses
    assert sum(status == 200 for status in statuses.values()) >= 30
