"""The one pagination every long list includes (web/_pagination.html)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _render(number, **context):
    page = Paginator(range(250), 100).page(number)
    return render_to_string("web/_pagination.html", {"page": page, **context})


def test_it_links_the_other_pages_keeping_the_filters_and_the_fragment():
    html = _render(2, label="Pages of gaps", query="domain=safe", fragment="#issues")
    assert 'aria-label="Pages of gaps"' in html
    assert 'href="?domain=safe&amp;page=1#issues" rel="prev"' in html
    assert 'href="?domain=safe&amp;page=3#issues" rel="next"' in html
    assert '<span aria-current="page">2</span>' in html


def test_it_links_plain_pages_without_filters():
    html = _render(1, label="Pages of audits", query="")
    assert 'href="?page=2"' in html and 'rel="prev"' not in html


def test_it_shows_nothing_for_a_single_page():
    page = Paginator(range(5), 100).page(1)
    assert render_to_string("web/_pagination.html", {"page": page, "label": "x"}).strip() == ""
