"""The feedback pages in headless Chromium: a lead imports a file, reads the result, the list,
a comment with its correction form, and the p charts (drawn under the Content-Security-Policy);
a measure page shows what people say. axe-core finds no violation on any of them."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot
from helpers import make_measure

from learning.feedback_support import csv_upload, make_feedback, row
from qms.learning.models import Feedback


def _axe(page):
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
    ]


@pytest.fixture
def history(org):
    today = dt.date.today().replace(day=1)
    for months_back in range(1, 14):
        day = (today - dt.timedelta(days=30 * months_back)).replace(day=10)
        for i in range(6):
            make_feedback(
                org["ward"], day, sentiment=1 + (i + months_back) % 5,
                themes=["Parking"] if i % 2 else [], text=f"Comment {i} of {day:%B}.",
            )  # fmt: skip
    return make_measure(org["ward"], "falls-w7")


@pytest.mark.browser
def test_a_lead_imports_feedback_and_reads_it_accessibly(
    live_server, history, lead, page, tmp_path
):
    from playwright.sync_api import expect

    csp_errors = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    unit = history.unit
    base = f"{live_server.url}/learn/units/{unit.pk}/feedback/"

    page.goto(base + "import/", timeout=60_000)
    assert _axe(page) == []
    upload = csv_upload([row("Kind staff; call 07700 900123."), row("The car park was full.")])
    path = tmp_path / "feedback.csv"
    path.write_bytes(upload.read())
    page.get_by_label("File of comments (CSV or Excel)").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-result")).to_contain_text("2 comments")
    shot(page, "feedback-imported")
    assert _axe(page) == []

    for url, name in ((base, "unit"), (base + "comments/", "list")):
        page.goto(url)
        shot(page, f"feedback-{name}")
        assert _axe(page) == [], url
    page.goto(live_server.url + Feedback.objects.order_by("-pk").first().get_absolute_url())
    expect(page.get_by_role("heading", name="Correct the themes and sentiment")).to_be_visible()
    shot(page, "feedback-detail")
    assert _axe(page) == []

    page.goto(base + "charts/", timeout=60_000)
    expect(page.locator("#chart-negative-chart svg")).to_be_visible()
    shot(page, "feedback-charts")
    assert _axe(page) == []

    page.goto(f"{live_server.url}/control/measures/{history.pk}/", timeout=60_000)
    expect(page.get_by_role("heading", name="What people say: Ward 7")).to_be_visible()
    assert _axe(page) == []
    assert csp_errors == []
