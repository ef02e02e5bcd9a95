"""Defects found by trying issue 9 as its users would (the tester's part): landmarks. A page's
regions need different names (axe-core's landmark-unique): a section headed "Changes to this
milestone" around a history table named "Changes to this milestone" is two regions of one name,
and so are two co-design stages' histories opened at once."""

import datetime as dt
from collections import Counter
from html.parser import HTMLParser

from django.urls import reverse

from improvement.cycles_support import *  # noqa: F403
from qms.improvement import services
from qms.improvement.models import Method


class _Landmarks(HTMLParser):
    """The names of a page's regions: `role="region"` with aria-label, and sections named by
    aria-labelledby (their heading's text)."""

    def __init__(self):
        super().__init__()
        self.labels, self.labelledby, self.texts, self._open = [], [], {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("role") == "region" and attrs.get("aria-label"):
            self.labels.append(attrs["aria-label"])
        if tag == "section" and attrs.get("aria-labelledby"):
            self.labelledby.append(attrs["aria-labelledby"])
        if attrs.get("id"):
            self._open.append([attrs["id"], tag, ""])

    def handle_endtag(self, tag):
        if self._open and self._open[-1][1] == tag:
            element_id, _, text = self._open.pop()
            self.texts[element_id] = " ".join(text.split())

    def handle_data(self, data):
        for element in self._open:
            element[2] += data

    def names(self):
        return self.labels + [self.texts.get(i, i) for i in self.labelledby]


def _repeated(html: str) -> list[str]:
    parser = _Landmarks()
    parser.feed(html)
    return [name for name, count in Counter(parser.names()).items() if count > 1]


def test_the_milestone_page_names_its_regions_once(client, as_user, project, lead):
    milestone = services.milestone_add(
        by=lead, project=project, title="Night rota agreed", due_on=dt.date(2027, 1, 6)
    )
    as_user("lead")
    html = client.get(reverse("improvement:milestone-edit", args=[milestone.pk])).content
    assert _repeated(html.decode()) == []


def test_the_co_design_stages_name_their_histories_apart(client, as_user, project, lead):
    services.project_update(by=lead, project=project, method=Method.EBCD)
    for stage in ("gather", "touchpoints"):
        services.ebcd_stage_update(by=lead, project=project, stage=stage, status="in_progress")
    as_user("lead")
    html = client.get(reverse("improvement:ebcd", args=[project.pk])).content.decode()
    assert html.count("Changes to ") >= 2
    assert _repeated(html) == []


def _breadcrumbs(html: str) -> str:
    start = html.index('aria-label="Breadcrumb"')
    return html[start : html.index("</nav>", start)]


def test_the_diagram_and_prototypes_breadcrumbs_lead_up_to_the_project_only(
    client, as_user, project
):
    """The diagram's trail read "project › Prototypes" and the prototypes' "project › Driver
    diagram": neither page is under the other. Each links the other from its text instead."""
    as_user("lead")
    diagram = reverse("improvement:diagram", args=[project.pk])
    prototypes = reverse("improvement:prototype-list", args=[project.pk])
    for url, other in ((diagram, prototypes), (prototypes, diagram)):
        html = client.get(url).content.decode()
        trail = _breadcrumbs(html)
        assert project.get_absolute_url() in trail and other not in trail
        assert f'href="{other}"' in html
