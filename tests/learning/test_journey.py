"""The learning system's journey as issue 11 names it, in headless Chromium: a quality lead
imports a ward's feedback file, sees its themes beside the ward's measure ("What people say"),
opens the Compare units funnel plot of a library definition, finds the ward flagged better than
its peers, records it as a bright spot, accepts it, writes the appreciative inquiry and turns it
into a change package, whose page is shown. Only the data the journey needs are built."""

import datetime as dt

import pytest
from browser_support import PASSWORD, shot
from django.urls import reverse

from learning.feedback_support import csv_upload, row
from learning.funnel_support import *  # noqa: F403
from qms.learning.models import BrightSpot, BrightSpotStatus, Feedback

pytestmark = pytest.mark.browser


def test_it_goes_from_what_people_say_to_a_change_package(
    live_server, org, quality_lead, falls, page, tmp_path
):
    from playwright.sync_api import expect

    page.set_default_timeout(60_000)  # two cores shared: pages can be slow
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("User name").fill("quality")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    ward = org["ward"]

    # 1. Import the ward's feedback file.
    page.goto(live_server.url + reverse("learning:feedback-import", args=[ward.pk]))
    today = dt.date.today().strftime("%d/%m/%Y")  # the panel shows the last three months
    upload = csv_upload(
        [
            row("The car park was full and I was late for my appointment.", date=today),
            row("Nowhere to park, I drove round for half an hour.", date=today),
            row("The nurses were kind; ring me on 07700 900123.", date=today),
        ]
    )
    path = tmp_path / "ward-7-feedback.csv"
    path.write_bytes(upload.read())
    page.get_by_label("File of comments (CSV or Excel)").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-result")).to_contain_text("3 comments")
    assert Feedback.objects.filter(unit=ward).count() == 3
    assert not Feedback.objects.filter(text__contains="07700 900123").exists()

    # 2. Its themes beside the ward's measure.
    page.goto(live_server.url + falls["ward"].get_absolute_url())
    panel = page.locator("section", has=page.get_by_role("heading", name="What people say"))
    expect(panel.first).to_be_visible()
    themes = {label for f in Feedback.objects.filter(unit=ward) for label in f.model_themes}
    themes -= {"Not assigned", "Labelling not possible"}
    assert themes, "the classifier gave the imported comments no theme"
    expect(panel.first).to_contain_text(sorted(themes)[0])
    shot(page, "journey-measure-what-people-say")

    # 3. Compare units: the funnel plot of the library definition.
    page.goto(live_server.url + reverse("learning:home"))
    page.get_by_role("link", name="Falls per 1,000 bed days").first.click()
    expect(page.locator("#funnel-chart svg")).to_be_visible()
    table = page.get_by_role("table").filter(has_text="Better than expected")
    expect(table).to_contain_text("Ward 7")
    shot(page, "journey-compare-units")

    # 4. Ward 7 is better than its peers: record it as a bright spot.
    ward_row = page.get_by_role("row").filter(has_text=ward.name)
    ward_row.get_by_role("link", name="Record as a bright spot").click()
    expect(page.get_by_role("heading", name="What the data show")).to_be_visible()
    page.get_by_label("Reason").fill("Half the falls expected for its bed days, all year.")
    page.get_by_role("button", name="Record the bright spot").click()
    expect(page.get_by_text("The bright spot is recorded.")).to_be_visible()
    spot = BrightSpot.objects.get(measure=falls["ward"])

    # 5. Accept it and write the appreciative inquiry.
    if spot.status != BrightSpotStatus.ACCEPTED:
        page.get_by_label("Accept it as a bright spot").check()
        page.get_by_label("Reason").fill("Falls have been half the expected for a year.")
        page.get_by_role("button", name="Record the decision").click()
        expect(page.get_by_text("The candidate is accepted.")).to_be_visible()
    page.get_by_role("link", name="Write the appreciative inquiry").click()
    page.get_by_label("What does the team do differently?").fill(
        "A falls huddle at every handover names who is at risk."
    )
    page.get_by_label("Likely under some conditions").check()
    page.get_by_label("Under which conditions?").fill("A stable team with a daily huddle.")
    page.get_by_role("button", name="Save").click()

    # 6. Turn it into a change package: the package page is shown.
    page.get_by_role("button", name="Turn into a change package").click()
    expect(page.get_by_text("is ready for its leads")).to_be_visible()
    spot.refresh_from_db()
    assert spot.status == BrightSpotStatus.ACCEPTED and spot.package is not None
    page.get_by_role("link", name=spot.package.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(spot.package.title)
    shot(page, "journey-change-package")
