"""Template tags of the evidence library, for the pages of the work that cites evidence:

{% load learning_evidence %}
{% evidence_panel record %}          the evidence a record cites, and a "Cite evidence" form
{% evidence_cited records as counts %}  how many items each record of a list cites (one query)
{{ counts|cites:record.pk }}         that count for one record (0 when it cites none)
{% evidence_cite_url record %}       the record's page of evidence (to cite from a list)
{% evidence_home %}                  the Learn home page's card
"""

from django import template
from django.urls import reverse

from qms.learning import selectors

register = template.Library()


def _user(context):
    return context.get("user") or context["request"].user


def _cite_url(record) -> str:
    meta = record._meta
    model = f"{meta.app_label}.{meta.model_name}"
    return reverse("learning:evidence-cite", args=[model, record.pk])


@register.inclusion_tag("learning/_evidence_panel.html", takes_context=True)
def evidence_panel(context, record, heading_level: int = 2):
    """The evidence the record cites, strongest first, each with its GRADE certainty and how it
    supports the work; "cites no evidence" when it cites none; and for those who may change the
    record, a form to cite an item of the library they read (a few queries, whatever the size
    of the library)."""
    user = _user(context)
    request = context.get("request")
    kind = selectors.citable_kind_of(record)
    can_cite = selectors.may_cite(user, record)
    choices, total = selectors.citable_evidence(user, record) if can_cite else ([], 0)
    return {
        "record": record,
        "kind": kind,
        "links": selectors.evidence_for(record),
        "can_cite": can_cite,
        "choices": choices,
        "total": total,
        "cite_url": _cite_url(record),
        "next": request.get_full_path() if request is not None else "",
        "heading": f"h{min(max(int(heading_level), 2), 4)}",
        "csrf_token": context.get("csrf_token"),
        "slug": f"{record._meta.model_name}-{record.pk}",
    }


@register.simple_tag
def evidence_cited(records, attribute: str = "") -> dict[int, int]:
    """How many items each record cites, by id, for a list page: `{% evidence_cited
    packages as counts %}`, or of an attribute of each row: `{% evidence_cited
    page.object_list "priority" as counts %}` (one query)."""
    records = list(records or ())
    if attribute:
        records = [getattr(row, attribute) for row in records]
    return selectors.cited_counts(records)


@register.filter
def cites(counts, pk) -> int:
    """The number of items a record cites, from `evidence_cited`'s counts."""
    return (counts or {}).get(pk, 0)


@register.simple_tag
def evidence_cite_url(record) -> str:
    return _cite_url(record)


@register.inclusion_tag("learning/_evidence_home.html", takes_context=True)
def evidence_home(context):
    """The library's size by certainty and its newest items, for the Learn home page."""
    user = _user(context)
    counts = selectors.certainty_counts(user)
    return {
        "counts": counts,
        "total": sum(n for _value, _label, n in counts),
        "recent": selectors.evidence_recent(user),
    }


# GRADE's own notation: one filled circle for each level of certainty.
_SYMBOLS = {"high": "⊕⊕⊕⊕", "moderate": "⊕⊕⊕◯", "low": "⊕⊕◯◯", "very_low": "⊕◯◯◯"}


@register.filter
def grade_symbols(certainty: str) -> str:
    """GRADE's symbols for a certainty (⊕⊕⊕◯ for moderate); shown beside the words, hidden
    from screen readers."""
    return _SYMBOLS.get(certainty, "")
