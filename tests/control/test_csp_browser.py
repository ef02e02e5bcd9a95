"""With the Content-Security-Policy on (no inline script, no eval), the SPC chart still draws
in headless Chromium, and no page breaks the policy: home, the measure list and page, the
quality report, the huddle board and the admin."""

import datetime as dt

import pytest
from browser_support import PASSWORD, shot
from helpers import record

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]

# Collects every violation the page reports, from the first script on.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.mark.browser
def test_the_chart_draws_under_the_content_security_policy(live_server, measure, page):
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))  # a point outside the limits
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    page.add_init_script(WATCH_VIOLATIONS)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")

    # The first page with a chart builds the vega-embed bundle (seconds on a busy machine).
    response = page.goto(f"{live_server.url}/control/measures/{measure.pk}/", timeout=60_000)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    # Vega draws the chart as SVG: marks for the 21 points, and the limits.
    page.wait_for_selector("#spc-chart svg .mark-symbol path", timeout=15_000)
    assert page.locator("#spc-chart svg .mark-symbol path").count() >= 21
    assert "could not be drawn" not in page.locator("#spc-chart").inner_text()
    shot(page, "csp-measure")
    violations = page.evaluate("window.__cspViolations")

    for path in (
        "/",
        f"/control/units/{measure.unit_id}/measures/",
        f"/control/units/{measure.unit_id}/report/",
        f"/control/units/{measure.unit_id}/huddle/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        violations += page.evaluate("window.__cspViolations")

    assert violations == []
    assert not [text for text in console if "Content Security Policy" in text], console


@pytest.mark.browser
def test_the_admin_works_under_the_content_security_policy(live_server, measure, admin, page):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    violations = []
    for path in (
        "/admin/",
        "/admin/people/membership/",
        f"/admin/control/measure/{measure.pk}/change/",
        "/admin/people/membership/add/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        violations += page.evaluate("window.__cspViolations")
    shot(page, "csp-admin")
    assert violations == []
    assert not [text for text in console if "Content Security Policy" in text], console
