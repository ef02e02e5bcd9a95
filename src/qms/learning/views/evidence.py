"""Pages of the evidence library: the library, an item with everywhere it is used, adding,
changing, retiring and restoring an item, and citing items from the work they support. Thin:
the record through the selectors' one visibility rule, a form, a service, a page.

Evidence is not patient data: staff anywhere in an item's organisation read it; partners read
the items cited by work they are given a role on; its unit's evidence editors change it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qms.learning import selectors, services
from qms.learning.forms_evidence import (
    CiteForm,
    CiteSearchForm,
    EvidenceForm,
    LibraryFilterForm,
    RetireForm,
    evidence_initial,
)
from qms.learning.models import Certainty, Evidence, EvidenceLink
from qms.web.forms import apply_service

# Ids in a URL fit a database integer; anything larger is no record's (and must not reach the
# database, which would refuse it with an error rather than find nothing).
_ID_MAX = 2**63 - 1


def _id_or_404(value: int) -> int:
    if value > _ID_MAX:
        raise Http404("Not found")
    return value


def _status(form) -> int:
    return 400 if form is not None and form.errors else 200


def _evidence_or_404(request, pk) -> Evidence:
    """The item, when the person reads it (404 otherwise, as for one that does not exist)."""
    item = (
        selectors.evidence_visible_to(request.user)
        .select_related("unit", "added_by")
        .filter(pk=_id_or_404(pk))
        .first()
    )
    if item is None:
        raise Http404("Not found")
    return item


def _editable_or_403(request, pk) -> Evidence:
    item = _evidence_or_404(request, pk)
    if not selectors.may_edit_evidence(request.user, item):
        raise PermissionDenied("Only the evidence editors of its unit change this item.")
    return item


def _levels() -> list[tuple[str, str, str]]:
    return [
        (value, label, selectors.CERTAINTY_MEANINGS[value]) for value, label in Certainty.choices
    ]


# The library -----------------------------------------------------------------------------------


@login_required
def evidence_list(request):
    """The library the person reads: searched, filtered by kind and certainty, paginated."""
    form = LibraryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = selectors.evidence_library(
        request.user,
        text=data.get("q", "").strip(),
        kind=data.get("kind", ""),
        certainty=data.get("certainty", ""),
        retired=bool(data.get("retired")),
        page=request.GET.get("page", 1),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "can_add": bool(selectors.evidence_editor_units(request.user)),
        "filtered": any(data.values()),
    }
    return render(request, "learning/evidence_list.html", context, status=_status(form))


@login_required
def evidence_detail(request, pk):
    item = _evidence_or_404(request, pk)
    context = {
        "item": item,
        "meaning": selectors.CERTAINTY_MEANINGS.get(item.certainty, ""),
        "uses": selectors.uses_of(item, request.user),
        "can_edit": selectors.may_edit_evidence(request.user, item),
        "levels": _levels(),
    }
    return render(request, "learning/evidence_detail.html", context)


@login_required
def evidence_create(request):
    units = selectors.evidence_editor_units(request.user)
    if not units:
        raise PermissionDenied("Only evidence editors add to the library.")
    by_pk = {unit.pk: unit for unit in units}
    form = EvidenceForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("identifiers_checked", None)
        unit = by_pk[data.pop("unit")]
        item = apply_service(
            form, lambda: services.evidence_create(by=request.user, unit=unit, **data)
        )
        if item is not None:
            messages.success(request, f"“{item.title}” added to the library.")
            return redirect(item)
    context = {
        "form": form,
        "title": "Add evidence",
        "submit": "Add to the library",
        "back": reverse("learning:evidence-list"),
        "levels": _levels(),
    }
    return render(request, "learning/evidence_form.html", context, status=_status(form))


@login_required
def evidence_edit(request, pk):
    item = _editable_or_403(request, pk)
    if not item.is_active:
        raise PermissionDenied("This item is retired: restore it to change it.")
    form = EvidenceForm(request.POST or None, initial=evidence_initial(item), editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("identifiers_checked", None)
        done = apply_service(
            form, lambda: services.evidence_update(by=request.user, evidence=item, **data)
        )
        if done is not None:
            messages.success(request, "Evidence saved.")
            return redirect(done)
    context = {
        "form": form,
        "item": item,
        "title": f"Change “{item.title}”",
        "submit": "Save",
        "back": item.get_absolute_url(),
        "levels": _levels(),
    }
    return render(request, "learning/evidence_form.html", context, status=_status(form))


@login_required
def evidence_retire(request, pk):
    item = _editable_or_403(request, pk)
    if not item.is_active:
        messages.info(request, "This item is retired already.")
        return redirect(item)
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.evidence_retire(
                by=request.user, evidence=item, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "Retired: it is no longer offered to cite.")
            return redirect(done)
    context = {"item": item, "form": form, "uses": selectors.uses_of(item, request.user)}
    return render(request, "learning/evidence_retire.html", context, status=_status(form))


@login_required
@require_POST
def evidence_restore(request, pk):
    item = _editable_or_403(request, pk)
    if item.is_active:
        messages.info(request, "This item is in the library already.")
    else:
        services.evidence_restore(by=request.user, evidence=item)
        messages.success(request, "Restored to the library.")
    return redirect(item)


# Citing ----------------------------------------------------------------------------------------


def _record_or_404(request, model: str, object_id: int):
    """The record of a kind that cites evidence, when the person reads it (by its area's
    rule); 404 otherwise."""
    kind = selectors.citable_kind(model)
    model_class = kind.model_class if kind is not None else None
    if kind is None or model_class is None:
        raise Http404("Not found")
    records = model_class._default_manager.filter(pk=_id_or_404(object_id))
    if kind.related:
        records = records.select_related(*kind.related)
    record = records.first()
    if record is None or not kind.accepts(record) or not kind.may_read(request.user, record):
        raise Http404("Not found")
    return kind, record


def _next_url(request, record) -> str:
    """Where to go back to: the page the panel was on, when it is this site's."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return record.get_absolute_url()


@login_required
def evidence_cite(request, model, object_id):
    """The evidence a record cites, and for those who may change it, the library to cite
    from (searched): the page behind every record's evidence panel."""
    kind, record = _record_or_404(request, model, object_id)
    can_cite = selectors.may_cite(request.user, record)
    if request.method == "POST" and not can_cite:
        raise PermissionDenied(f"Only those who may change this {kind.label} cite evidence.")
    search = CiteSearchForm(request.GET or None)
    text = search.cleaned_data.get("q", "").strip() if search.is_valid() else ""
    choices, total = ([], 0)
    if can_cite:
        choices, total = selectors.citable_evidence(request.user, record, text=text)
    form = CiteForm(request.POST or None, choices=choices) if can_cite else None
    if request.method == "POST" and form is not None and form.is_valid():
        item = (
            selectors.evidence_visible_to(request.user)
            .filter(pk=form.cleaned_data["evidence"])
            .first()
        )
        if item is None:
            form.add_error("evidence", "Choose an item of the library from the list.")
        else:
            link = apply_service(
                form,
                lambda: services.evidence_link(
                    by=request.user, evidence=item, record=record, note=form.cleaned_data["note"]
                ),
            )
            if link is not None:
                messages.success(request, f"Cited “{item.title}”.")
                return redirect(_next_url(request, record))
    context = {
        "kind": kind,
        "record": record,
        "links": selectors.evidence_for(record),
        "can_cite": can_cite,
        "form": form,
        "search": search,
        "text": text,
        "total": total,
        "shown": len(choices),
        "next": _next_url(request, record),
    }
    return render(request, "learning/evidence_cite.html", context, status=_status(form))


@login_required
@require_POST
def evidence_unlink(request, link_id):
    links = EvidenceLink.objects.select_related("evidence", "content_type")
    link = links.filter(pk=_id_or_404(link_id)).first()
    if link is None:
        raise Http404("Not found")
    model = f"{link.content_type.app_label}.{link.content_type.model}"
    kind, record = _record_or_404(request, model, link.object_id)
    if not selectors.may_cite(request.user, record):
        raise PermissionDenied(f"Only those who may change this {kind.label} stop citing evidence.")
    services.evidence_unlink(by=request.user, link=link)
    messages.success(request, f"No longer cites “{link.evidence.title}”.")
    return redirect(_next_url(request, record))


urlpatterns = [
    path("evidence/", evidence_list, name="evidence-list"),
    path("evidence/new/", evidence_create, name="evidence-create"),
    path("evidence/<int:pk>/", evidence_detail, name="evidence-detail"),
    path("evidence/<int:pk>/edit/", evidence_edit, name="evidence-edit"),
    path("evidence/<int:pk>/retire/", evidence_retire, name="evidence-retire"),
    path("evidence/<int:pk>/restore/", evidence_restore, name="evidence-restore"),
    path("evidence/cite/<str:model>/<int:object_id>/", evidence_cite, name="evidence-cite"),
    path("evidence/links/<int:link_id>/remove/", evidence_unlink, name="evidence-unlink"),
]
