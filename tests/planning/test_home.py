"""The Plan home page: who may open it and what it offers."""

import pytest


@pytest.mark.parametrize("who", ["lead", "member", "quality_lead", "outsider", "partner", "admin"])
def test_it_opens_the_plan_home_for_anyone_signed_in(client, as_user, who):
    as_user(who)
    response = client.get("/plan/")
    assert response.status_code == 200
    assert "<h1>Plan</h1>" in response.content.decode()


def test_it_tells_a_partner_with_no_staff_role_that_they_plan_nothing_here_yet(client, as_user):
    as_user("partner")
    assert "You have no role in a unit" in client.get("/plan/").content.decode()


def test_it_sends_an_anonymous_visitor_to_log_in(client, org):
    response = client.get("/plan/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "/accounts/login" in response["Location"]
