"""Recognition's writes: who may recognise whom, who is told, what is refused, thanks and
privacy, and the themes of excellence."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from helpers import make_person

from qms.culture.models import ExcellenceTheme, Recognition
from qms.culture.services import recognition as services
from qms.notifications.models import Notification, NotificationKind
from qms.people.roles import Role


@pytest.fixture
def themes(db):
    services.themes_defaults_ensure()
    return {theme.code: theme for theme in ExcellenceTheme.objects.all()}


def _report(by, unit, known, recipient=None, **fields):
    values = {
        "what_happened": "Stayed calm and talked a frightened visitor through the fire alarm.",
        "why_it_mattered": "The visitor felt safe and the ward kept working.",
        "themes": [known["kindness-and-compassion"], known["communication"]],
        **fields,
    }
    return services.recognition_report(by=by, unit=unit, recipient=recipient, **values)


def _told(person):
    return list(
        Notification.objects.filter(person=person, kind=NotificationKind.RECOGNITION).values_list(
            "text", flat=True
        )
    )


def test_it_tells_the_recipient_and_their_lead(org, lead, member, themes):
    colleague = make_person("colleague", (Role.TEAM_MEMBER, org["ward"]))
    recognition = _report(colleague, org["ward"], themes, recipient=member)
    assert recognition.unit == org["ward"]
    assert {t.code for t in recognition.themes.all()} == {
        "kindness-and-compassion",
        "communication",
    }
    assert _told(member) == [f"{colleague} recognised you for excellent practice in Ward 7."]
    assert _told(lead) == [f"{colleague} recognised {member} in Ward 7: pass the thanks on."]
    assert _told(colleague) == []
    assert recognition.history.first().history_user == colleague


def test_it_tells_the_teams_leads_of_a_team_recognition(org, lead, member, partner, themes):
    recognition = _report(partner, org["ward"], themes)
    assert recognition.is_team and recognition.recipient_name == "the Ward 7 team"
    assert _told(lead) == [f"{partner} recognised the Ward 7 team: pass the thanks on."]
    assert _told(member) == []


def test_it_files_recognition_from_above_in_the_recipients_own_team(
    org, lead, member, quality_lead, themes
):
    recognition = _report(quality_lead, org["division"], themes, recipient=member)
    assert recognition.unit == org["ward"]
    assert len(_told(lead)) == 1


def test_it_lets_a_partner_recognise_only_in_their_unit(org, member, partner, themes):
    _report(partner, org["ward"], themes, recipient=member)
    other = make_person("other", (Role.TEAM_MEMBER, org["other_ward"]))
    with pytest.raises(PermissionDenied):
        _report(partner, org["other_ward"], themes, recipient=other)
    # From their own ward, a colleague of another ward is not one of its staff.
    with pytest.raises(ValidationError) as refused:
        _report(partner, org["ward"], themes, recipient=other)
    assert "recipient" in refused.value.message_dict


def test_it_refuses_an_outsider(org, member, outsider, themes):
    with pytest.raises(PermissionDenied):
        _report(outsider, org["ward"], themes, recipient=member)
    assert not Recognition.objects.exists()


def test_it_refuses_a_partner_or_oneself_as_recipient(org, lead, member, partner, themes):
    with pytest.raises(ValidationError) as refused:
        _report(lead, org["ward"], themes, recipient=partner)
    assert "recipient" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _report(member, org["ward"], themes, recipient=member)
    assert "not yourself" in refused.value.message_dict["recipient"][0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"what_happened": "   "}, "what_happened"),
        ({"why_it_mattered": ""}, "why_it_mattered"),
        ({"what_happened": "x" * 3001}, "what_happened"),
        ({"what_happened": "Helped with patient NHS 943 476 5919"}, "what_happened"),
        ({"why_it_mattered": "bad\x00text"}, "why_it_mattered"),
        ({"themes": []}, "themes"),
        ({"themes": [999_999]}, "themes"),
        ({"themes": ["teamwork"]}, "themes"),
        ({"themes": "teamwork"}, "themes"),
        ({"themes": [2**70]}, "themes"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(org, lead, member, themes, fields, field):
    with pytest.raises(ValidationError) as refused:
        _report(lead, org["ward"], themes, recipient=member, **fields)
    assert field in refused.value.message_dict
    assert not Recognition.objects.exists()
    assert not Notification.objects.exists()


def test_it_refuses_a_retired_theme_and_too_many(org, lead, member, themes, admin):
    services.theme_retire(by=admin, theme=themes["leadership"])
    with pytest.raises(ValidationError, match="retired"):
        _report(lead, org["ward"], themes, recipient=member, themes=[themes["leadership"]])
    with pytest.raises(ValidationError, match="up to"):
        _report(lead, org["ward"], themes, recipient=member, themes=list(themes.values())[:5])


def test_it_lets_a_lead_thank_once(org, lead, member, themes):
    recognition = _report(member, org["ward"], themes)
    with pytest.raises(PermissionDenied):
        services.recognition_thank(by=member, recognition=recognition)
    services.recognition_thank(by=lead, recognition=recognition, note="Read out at huddle")
    recognition.refresh_from_db()
    assert recognition.thanked_by == lead and recognition.thanks_note == "Read out at huddle"
    with pytest.raises(ValidationError, match="already"):
        services.recognition_thank(by=lead, recognition=recognition)


def test_it_lets_only_the_recipient_keep_it_private(org, lead, member, themes):
    recognition = _report(lead, org["ward"], themes, recipient=member)
    with pytest.raises(PermissionDenied):
        services.recognition_show(by=lead, recognition=recognition, shown=False)
    services.recognition_show(by=member, recognition=recognition, shown=False)
    recognition.refresh_from_db()
    assert recognition.shown is False
    team = _report(member, org["ward"], themes)
    with pytest.raises(ValidationError):
        services.recognition_show(by=None, recognition=team, shown=False)


def test_it_back_dates_only_for_the_system(org, lead, member, themes):
    when = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    with pytest.raises(PermissionDenied):
        _report(lead, org["ward"], themes, recipient=member, reported_at=when)
    assert (
        _report(None, org["ward"], themes, recipient=member, reported_at=when).reported_at == when
    )


def test_it_lets_only_board_quality_leads_and_admins_edit_themes(org, admin, quality_lead, themes):
    board_lead = make_person("boardlead", (Role.QUALITY_LEAD, org["board"]))
    with pytest.raises(PermissionDenied):
        services.theme_create(by=quality_lead, name="Humour")
    theme = services.theme_create(by=board_lead, name="Humour", description="Lightening a day.")
    assert theme.code == "humour" and theme.position > themes["teaching-and-learning"].position
    with pytest.raises(ValidationError, match="already"):
        services.theme_create(by=admin, name="humour")
    services.theme_update(by=admin, theme=theme, name="Humour and warmth")
    services.theme_retire(by=admin, theme=theme)
    services.theme_restore(by=admin, theme=theme)
    theme.refresh_from_db()
    assert theme.name == "Humour and warmth" and theme.is_active


def test_it_keeps_one_theme_in_use(org, admin, themes):
    for theme in list(themes.values())[:-1]:
        services.theme_retire(by=admin, theme=theme)
    with pytest.raises(ValidationError, match="at least one"):
        services.theme_retire(by=admin, theme=list(themes.values())[-1])
