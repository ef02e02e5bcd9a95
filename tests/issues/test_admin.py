import datetime as dt

from django.urls import reverse

from qms.issues import services


def test_administrators_read_issues_and_actions_in_the_admin_but_change_them_on_their_pages(
    client, admin, lead, issue
):
    action = services.action_add(
        by=lead, issue=issue, what="Rounds", owner=lead, due_on=dt.date(2099, 1, 1)
    )
    client.force_login(admin)
    assert "Falls at night" in client.get(reverse("admin:issues_issue_changelist")).text
    assert client.get(reverse("admin:issues_issue_change", args=[issue.pk])).status_code == 200
    assert client.get(reverse("admin:issues_action_history", args=[action.pk])).status_code == 200
    response = client.post(
        reverse("admin:issues_issue_change", args=[issue.pk]), {"title": "Changed"}
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:issues_issue_add")).status_code == 403
    issue.refresh_from_db()
    assert issue.title == "Falls at night"
