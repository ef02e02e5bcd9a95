"""Every kind of page, as each role sees it, checked by axe-core in headless Chromium: no
violation of WCAG 2.2 A and AA or of axe's best practices. And the SPC chart is readable on a
320 px wide phone.

The crawl starts at home and follows same-site links breadth-first (one page of each kind,
e.g. one measure page, one huddle board of a team and one of a division), waiting for the chart
to be drawn where there is one, so its SVG is checked too. Screenshots go to test-artifacts/.
"""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import shot
from crawl_support import build_demo, crawl, template_of_page

from qms.demo.organisation import DEMO_PASSWORD

ROLES = ["board", "quality", "lead", "member", "partner", "admin"]


def _log_in(page, base, username, password=DEMO_PASSWORD):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def _describe(violation) -> str:
    targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
    return f"{violation['id']} ({violation['help']}): {', '.join(targets)}"


@pytest.mark.browser
def test_no_page_has_an_accessibility_violation_for_any_role(live_server, db, page):
    build_demo()
    axe = Axe()
    base = live_server.url
    page.set_default_timeout(30_000)  # the first chart builds the vega-embed bundle
    problems: dict[str, list[str]] = {}
    checked = 0
    started = time.monotonic()
    # The login page, before anyone logs in.
    page.goto(base + "/accounts/login/")
    problems |= {
        "anonymous /accounts/login/": [_describe(v) for v in axe.run(page).response["violations"]]
    }
    for role in ROLES:
        _log_in(page, base, role)

        def visit(path, role=role):
            nonlocal checked
            response = page.goto(base + path)
            status = response.status if response else 0
            if status == 200:
                if page.locator("#spc-chart").count():
                    page.wait_for_selector("#spc-chart svg")
                violations = axe.run(page).response["violations"]
                checked += 1
                if violations:
                    problems[f"{role} {path}"] = [_describe(v) for v in violations]
            return status, page.content()

        statuses = crawl(visit, max_pages=40, per_kind=1, kind=template_of_page)
        assert {path: s for path, s in statuses.items() if s != 200} == {}, role
    print(f"axe checked {checked} pages in {time.monotonic() - started:.0f} s")
    assert {where: found for where, found in problems.items() if found} == {}
    assert checked >= 40  # six roles' pages were checked, not a handful


@pytest.mark.browser
def test_the_chart_is_readable_on_a_320_pixel_screen(live_server, db, page):
    from qms.control.models import Measure

    build_demo()
    measure = Measure.objects.filter(unit__name="Ward 7 Respiratory", frequency="month").first()
    page.set_viewport_size({"width": 320, "height": 700})
    page.set_default_timeout(30_000)
    _log_in(page, live_server.url, "lead")

    page.goto(f"{live_server.url}/control/measures/{measure.pk}/")
    chart = page.wait_for_selector("#spc-chart svg")
    page.locator("#spc-chart").scroll_into_view_if_needed()
    page.screenshot(path=shot_path("320-chart"))

    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320  # inside the screen, no sideways
    assert box["height"] >= 200  # scroll, and tall enough to read
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert re.search(r"(Jan|Apr|Jul|Oct) 20\d\d", _axis_labels(page))  # dates on the x axis
    # The downloads replace vega-embed's unnamed menu, as links with names.
    assert page.get_by_role("link", name="Download the chart (PNG)").count() == 1
    shot(page, "320-measure")


def _axis_labels(page) -> str:
    return page.evaluate(
        "[...document.querySelectorAll('#spc-chart svg .role-axis-label text')]"
        ".filter((t) => t.getAttribute('opacity') !== '0').map((t) => t.textContent).join('|')"
    )


def shot_path(name: str) -> str:
    from browser_support import ARTIFACTS

    return str(ARTIFACTS / f"browser-{name}.png")
