"""The API keys page in headless Chromium: axe-core finds no violation at 1280 and 320 px, with
a new key shown (copied with the button) and keys listed with their history. Screenshots go
to test-artifacts/."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import PASSWORD, shot

from qms.people import keys


def _describe(violations) -> list[str]:
    return [f"{v['id']}: {' '.join(v['nodes'][0]['target'])}" for v in violations]


@pytest.mark.browser
def test_the_keys_page_passes_axe_and_fits_a_phone(live_server, org, lead, page):
    keys.api_key_create(by=lead, unit=org["ward"], name="Data warehouse", can_write=True)
    revoked, _ = keys.api_key_create(by=lead, unit=org["ward"], name="Old survey tool")
    keys.api_key_revoke(by=lead, key=revoked)
    base = live_server.url
    page.set_default_timeout(30_000)  # a loaded machine
    page.goto(base + "/accounts/login/")
    page.get_by_label("User name").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(f"{base}/units/{org['ward'].pk}/api-keys/")
    page.get_by_label("Name of the system").fill("Theatre system feed")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make a key").click()
    key = page.get_by_label("The new key").input_value()
    assert key.startswith("qms_")
    page.get_by_role("button", name="Copy the key").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == key
    page.locator("details.key-history summary").first.click()
    axe = Axe()
    problems = {}
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        problems[width] = _describe(axe.run(page).response["violations"])
        # Nothing wider than the screen but the table, which scrolls in its own region.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"the page is {overflow} px wide at {width} px"
        shot(page, f"api-keys-{width}")
    assert problems == {1280: [], 320: []}
