"""Every control service checks that `by` may do what it does, whoever calls it (a view, the
API, the admin or a command): who may and who may not, per service. `by=None` is the system."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from helpers import make_api_key, make_person, record

from qms.control import services
from qms.control.models import (
    Annotation,
    Measure,
    Observation,
    Phase,
    Signal,
    Standard,
)
from qms.escalation import services as escalation_services
from qms.people.roles import Role

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]
# Who holds which role over Ward 7: lead (team lead there), member, partner, quality_lead (the
# division above), admin (system administrator), outsider (a lead in another board).
EDITORS = {"lead": True, "quality_lead": True, "admin": True, "member": False,
           "partner": False, "outsider": False}  # fmt: skip
DATA_ENTRY = {**EDITORS, "member": True}


def _measure_fields(code):
    return dict(
        name=f"Measure {code}",
        code=code,
        kind="outcome",
        domain="safe",
        operational_definition="Something counted.",
        frequency="month",
        chart="i",
        direction="decrease",
    )


@pytest.mark.parametrize(("who", "allowed"), EDITORS.items())
def test_it_lets_only_measure_editors_define_a_measure(request, org, who, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        services.measure_create(by=by, unit=org["ward"], **_measure_fields("new"))
        assert Measure.objects.filter(code="new").exists()
    else:
        with pytest.raises(PermissionDenied):
            services.measure_create(by=by, unit=org["ward"], **_measure_fields("new"))
        assert not Measure.objects.filter(code="new").exists()


@pytest.mark.parametrize(("who", "allowed"), EDITORS.items())
def test_it_lets_only_measure_editors_change_a_measure(request, measure, who, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        services.measure_update(by=by, measure=measure, target=4.0)
        assert Measure.objects.get(pk=measure.pk).target == 4.0
    else:
        with pytest.raises(PermissionDenied):
            services.measure_update(by=by, measure=measure, target=4.0)
        assert Measure.objects.get(pk=measure.pk).target == 5.0


@pytest.mark.parametrize(("who", "allowed"), EDITORS.items())
def test_it_lets_only_leads_agree_a_local_standard(request, org, who, allowed):
    by = request.getfixturevalue(who)
    fields = dict(code="bells", title="Call bells", statement="Answered.", source="Ward")
    if allowed:
        services.standard_create(by=by, unit=org["ward"], **fields)
    else:
        with pytest.raises(PermissionDenied):
            services.standard_create(by=by, unit=org["ward"], **fields)
    assert Standard.objects.filter(code="bells").exists() is allowed


@pytest.mark.parametrize(("who", "allowed"), DATA_ENTRY.items())
def test_it_lets_only_those_who_enter_data_record_values(request, measure, who, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        record(measure, [5, 6], by=by)
    else:
        with pytest.raises(PermissionDenied):
            record(measure, [5, 6], by=by)
    assert measure.observations.exists() is allowed


def test_it_refuses_a_whole_batch_when_one_value_is_for_a_unit_out_of_reach(org, measure, lead):
    other = services.measure_create(by=None, unit=org["other_ward"], **_measure_fields("w8"))
    rows = [
        services.ObservationInput(measure=m, period=dt.date(2025, 1, 1), value=3.0, denominator=9)
        for m in (measure, other)
    ]
    with pytest.raises(PermissionDenied, match="Ward 8"):
        services.observations_save(by=lead, rows=rows)
    assert not Observation.objects.exists()


@pytest.mark.parametrize(("who", "allowed"), DATA_ENTRY.items())
def test_it_lets_only_those_who_enter_data_remove_a_value(request, measure, who, allowed):
    record(measure, [5, 6])
    observation = measure.observations.first()
    by = request.getfixturevalue(who)
    if allowed:
        services.observation_delete(by=by, observation=observation, reason="Wrong ward")
    else:
        with pytest.raises(PermissionDenied):
            services.observation_delete(by=by, observation=observation, reason="Wrong ward")
    assert Observation.objects.filter(pk=observation.pk).exists() is not allowed


@pytest.mark.parametrize(("who", "allowed"), EDITORS.items())
def test_it_lets_only_measure_editors_start_new_limits(request, measure, who, allowed):
    record(measure, STABLE)
    by = request.getfixturevalue(who)
    start = dict(measure=measure, starts_on=dt.date(2025, 1, 1), reason="New falls bundle")
    if allowed:
        services.phase_start(by=by, **start)
    else:
        with pytest.raises(PermissionDenied):
            services.phase_start(by=by, **start)
    assert Phase.objects.filter(measure=measure).exists() is allowed


@pytest.mark.parametrize(("who", "allowed"), DATA_ENTRY.items())
def test_it_lets_only_those_who_enter_data_annotate(request, measure, who, allowed):
    by = request.getfixturevalue(who)
    note = dict(measure=measure, period=dt.date(2025, 1, 1), text="New beds")
    if allowed:
        services.annotation_add(by=by, **note)
    else:
        with pytest.raises(PermissionDenied):
            services.annotation_add(by=by, **note)
    assert Annotation.objects.filter(measure=measure).exists() is allowed


@pytest.fixture
def signal(measure):
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))
    return Signal.objects.get(measure=measure)


@pytest.mark.parametrize(("who", "allowed"), EDITORS.items())
def test_it_lets_only_leads_handle_a_signal(request, signal, who, allowed):
    by = request.getfixturevalue(who)
    if allowed:
        services.signal_acknowledge(by=by, signal=signal, note="Looking into it")
    else:
        with pytest.raises(PermissionDenied):
            services.signal_acknowledge(by=by, signal=signal, note="Looking into it")
        with pytest.raises(PermissionDenied):
            escalation_services.escalate(by=by, subject=signal, reason="Beyond us")
    assert (Signal.objects.get(pk=signal.pk).status == "acknowledged") is allowed


def test_it_lets_only_the_unit_above_answer_an_escalation(org, signal, lead, quality_lead):
    escalation = escalation_services.escalate(by=lead, subject=signal, reason="Needs beds")
    # The ward's lead escalated it; the service's leads (here the division's) answer it.
    with pytest.raises(PermissionDenied):
        escalation_services.escalation_respond(
            by=lead, escalation=escalation, decision="accept", response="Ours now"
        )
    escalation_services.escalation_respond(
        by=quality_lead, escalation=escalation, decision="accept", response="Ours now"
    )


def test_the_system_acts_without_a_person(org, measure):
    """by=None: the demo loader, the SPC refresh, an import command run by the operator."""
    record(measure, STABLE, by=None)
    services.phase_start(by=None, measure=measure, starts_on=dt.date(2025, 1, 1), reason="Demo")
    assert measure.observations.count() == len(STABLE) and measure.phases.count() == 1


def test_an_analyst_may_record_and_define_but_not_handle_signals(org, signal):
    analyst = make_person("analyst", (Role.ANALYST, org["board"]))
    record(signal.measure, [7], start=dt.date(2025, 10, 1), by=analyst)
    services.measure_update(by=analyst, measure=signal.measure, target=4.0)
    with pytest.raises(PermissionDenied):
        services.signal_close(by=analyst, signal=signal, note="Fine")


@pytest.mark.parametrize(("who", "allowed"), EDITORS.items())
def test_it_lets_only_leads_reword_a_local_standard(request, org, who, allowed):
    standard = services.standard_create(
        by=None, unit=org["ward"], code="bells", title="Call bells", statement="Answered.",
        source="Ward",
    )  # fmt: skip
    by = request.getfixturevalue(who)
    if allowed:
        services.standard_update(by=by, standard=standard, title="Call bells answered")
    else:
        with pytest.raises(PermissionDenied):
            services.standard_update(by=by, standard=standard, title="Call bells answered")
    changed = Standard.objects.get(pk=standard.pk).title == "Call bells answered"
    assert changed is allowed


@pytest.mark.parametrize(("who", "allowed"), [("admin", True), ("quality_lead", False)])
def test_it_lets_only_system_administrators_add_national_standards(request, org, who, allowed):
    by = request.getfixturevalue(who)
    fields = dict(code="nat", title="National", statement="Everyone.", source="A national body")
    if allowed:
        standard = services.standard_create(by=by, unit=None, **fields)
        assert standard.scope == "national"
    else:
        with pytest.raises(PermissionDenied):
            services.standard_create(by=by, unit=None, **fields)
    assert Standard.objects.filter(code="nat").exists() is allowed


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_lets_only_leads_close_a_signal_or_open_an_issue_for_it(request, signal, who):
    by = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.signal_close(by=by, signal=signal, note="Fine now")
    with pytest.raises(PermissionDenied):
        services.signal_link_issue(by=by, signal=signal, title="Falls")
    signal.refresh_from_db()
    assert signal.status == "open" and signal.issue is None


def test_an_api_key_writes_for_its_unit_as_its_own_account(client, org, measure):
    """The endpoint acts as the key's account, holding the key's role in its unit alone."""
    key = make_api_key(org["ward"], write=True, name="Ward system")
    body = {"observations": [{"measure": measure.code, "period": "2025-01", "value": 3,
                              "denominator": 900}]}  # fmt: skip
    response = client.post(
        "/control/api/v1/observations", body, content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )  # fmt: skip
    assert response.status_code == 201
    saved = measure.observations.get()
    created = saved.history.get()
    assert created.history_user.api_key.name == "Ward system"
    assert "Ward system" in created.history_change_reason
