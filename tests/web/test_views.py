"""The layout: error pages in the product's look, navigation by area."""

import pytest
from django.test import RequestFactory
from django.views import defaults


@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        (defaults.server_error, 500, b"Something went wrong on our side"),
        (
            lambda request: defaults.bad_request(request, Exception()),
            400,
            b"could not be understood",
        ),
    ],
)
def test_it_renders_context_free_error_pages_in_the_product_look(view, status, heading):
    # Django renders 400 and 500 pages without a request context: the layout must cope.
    response = view(RequestFactory().get("/"))
    assert response.status_code == status
    assert heading in response.content
    assert b"Skip to main content" in response.content
    assert b"qms.css" in response.content


def test_it_shows_the_product_403_page(client, member, org):
    client.force_login(member)
    response = client.get(f"/units/{org['ward'].pk}/members/")
    assert response.status_code == 403
    assert b"You cannot do this here" in response.content


def test_it_marks_the_current_area_in_the_navigation(client, member):
    client.force_login(member)
    response = client.get("/control/standards/")
    assert b'href="/control/" aria-current="page"' in response.content
    assert b'href="/units/" aria-current' not in response.content
    response = client.get("/units/")
    assert b'href="/units/" aria-current="page"' in response.content
