"""A measure changed in the Django admin goes through qms.control.services like one changed on
its page: checked against the recorded data, kept in history with a reason, results refreshed."""

from django.forms.models import model_to_dict
from django.test import TestCase
from helpers import record

from qms.control import services
from qms.control.models import Measure, MeasureResult, Standard


def _measure_form(measure, **changes):
    data = model_to_dict(measure, exclude=["id", "unit"])
    data = {key: "" if value is None else value for key, value in data.items()}
    data["is_active"] = "on" if data["is_active"] else ""
    return {**data, **changes, "reason": changes.pop("reason", ""), "_save": "Save"}


def test_a_measure_changed_in_the_admin_is_checked_against_its_data(client, admin, measure):
    # A p chart needs counts no larger than their denominators, which these are not.
    record(measure, [5, 6, 7], denominator=3.0)
    client.force_login(admin)
    response = client.post(
        f"/admin/control/measure/{measure.pk}/change/", _measure_form(measure, chart="p")
    )
    assert response.status_code == 200  # the form again, with the problem named
    html = response.content.decode()
    assert "Jan 2024" in html and "numerator is larger than the denominator" in html
    assert Measure.objects.get(pk=measure.pk).chart == "u"


def test_a_measure_changed_in_the_admin_is_refreshed_and_kept_in_history(client, admin, measure):
    record(measure, [5, 6, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7])
    assert MeasureResult.objects.get(measure=measure).assurance_icon != "fail"
    client.force_login(admin)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/admin/control/measure/{measure.pk}/change/",
            _measure_form(measure, direction="increase", target="20", reason="Now a rate to raise"),
        )
    assert response.status_code == 302
    # A target of 20 to reach upwards lies above the upper limit: assurance fails.
    assert MeasureResult.objects.get(measure=measure).assurance_icon == "fail"
    latest = measure.history.latest()
    assert (latest.target, latest.history_user, latest.history_change_reason) == (
        20.0,
        admin,
        "Now a rate to raise",
    )


def test_the_admin_does_not_revert_history_past_the_services(client, admin, measure):
    services.measure_update(by=admin, measure=measure, target=3.0)
    old = measure.history.earliest()
    client.force_login(admin)
    url = f"/admin/control/measure/{measure.pk}/history/{old.history_id}/"
    assert client.get(url).status_code == 200  # to read
    assert client.post(url, _measure_form(measure, target="5")).status_code == 403
    assert Measure.objects.get(pk=measure.pk).target == 3.0


def test_standards_added_and_changed_in_the_admin_go_through_the_services(client, org, admin):
    client.force_login(admin)
    national = {"code": "nat", "title": "National", "statement": "All.", "source": "NICE"}
    assert client.post("/admin/control/standard/add/", national).status_code == 302
    local = {**national, "code": "ward", "title": "Ward's own", "unit": org["ward"].pk}
    assert client.post("/admin/control/standard/add/", local).status_code == 302
    assert Standard.objects.get(code="nat").scope == "national"
    ward = Standard.objects.get(code="ward")
    assert (ward.scope, ward.unit) == ("local", org["ward"])
    response = client.post(
        f"/admin/control/standard/{ward.pk}/change/", {**local, "title": "Ward 7's own"}
    )
    assert response.status_code == 302
    latest = ward.history.latest()
    assert (latest.title, latest.history_user, latest.history_change_reason) == (
        "Ward 7's own",
        admin,
        "Changed in admin",
    )
