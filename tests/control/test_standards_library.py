"""The standards library: national standards and the local standards of units the user can
see or that lie above their own; another organisation's local standards stay its own."""

import pytest

from qms.control import services
from qms.control.models import Standard


@pytest.fixture
def standards(org, outsider, lead, quality_lead):
    Standard.objects.create(
        code="falls", title="Falls prevention national", statement="Assessed.",
        source="A national body", scope="national",
    )  # fmt: skip
    local = dict(statement="Agreed locally.", source="Team meeting")
    services.standard_create(
        by=outsider, unit=org["elsewhere"], code="theirs", title="Their own standard", **local
    )
    services.standard_create(
        by=lead, unit=org["ward"], code="ward", title="Ward 7 call bells", **local
    )
    services.standard_create(
        by=quality_lead, unit=org["division"], code="division", title="Division handover", **local
    )
    services.standard_create(
        by=None, unit=org["other_ward"], code="ward-8", title="Ward 8 mealtimes", **local
    )


@pytest.mark.parametrize(
    ("who", "shown"),
    [("lead", {"Falls prevention national", "Ward 7 call bells", "Division handover"}),
     ("quality_lead", {"Falls prevention national", "Ward 7 call bells", "Division handover",
                       "Ward 8 mealtimes"}),
     ("outsider", {"Falls prevention national", "Their own standard"}),
     ("admin", {"Falls prevention national", "Ward 7 call bells", "Division handover",
                "Ward 8 mealtimes", "Their own standard"})],
)  # fmt: skip
def test_it_shows_national_standards_and_the_local_ones_of_visible_units(
    client, as_user, standards, who, shown
):
    as_user(who)
    html = client.get("/control/standards/").content.decode()
    every = {standard.title for standard in Standard.objects.all()}
    assert {title for title in every if title in html} == shown


def test_the_measure_form_offers_only_standards_a_measure_of_the_unit_may_serve(
    client, org, lead, measure, standards
):
    client.force_login(lead)
    html = client.get(f"/control/measures/{measure.pk}/edit/").content.decode()
    assert "Ward 7 call bells" in html and "Division handover" in html
    assert "Their own standard" not in html and "Ward 8 mealtimes" not in html
    theirs = Standard.objects.get(code="theirs")
    response = client.post(
        f"/control/measures/{measure.pk}/edit/", {"standard": theirs.pk, "name": measure.name}
    )
    assert response.status_code == 400
    measure.refresh_from_db()
    assert measure.standard is None
