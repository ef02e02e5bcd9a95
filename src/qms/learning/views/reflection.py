"""Pages of reflective practice. A reflection is reached only through
`selectors.reflection_or_404`: its author, or those it is shared with (read-only); anyone else
gets a 404, leads and system administrators included. Changing, sharing, deleting and exporting
are for the author alone. A learning review is its unit's: staff read (and members of a network
it is shared with), REVIEWERS write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.learning import reflection_export, roles
from qms.learning.forms_reflection import GIBBS, ReflectionForm, ReviewForm, ShareForm
from qms.learning.models import Network
from qms.learning.selectors import reflection as selectors
from qms.learning.services import reflection as services
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service
from qms.web.screening import first_error

PER_PAGE = 50
# A unit's or network's page lists the latest of its second kind of record (one list paginates).
SHARED_ROWS = 20


def _page(request, queryset, name: str = "page"):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get(name))


def _form_page(
    request,
    form,
    *,
    title,
    submit,
    back,
    lede="",
    template="learning/reflection_form.html",
    **extra,
):
    context = {
        "form": form,
        "title": title,
        "lede": lede,
        "submit": submit,
        "back": back,
        "action": request.get_full_path(),
        **extra,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


def _subject(request, allowed):
    reference = request.GET.get("subject", "")
    if not reference:
        return None
    return selectors.subject_from_reference(request.user, reference, allowed)


# Reflections -----------------------------------------------------------------------------------


@login_required
def reflection_list(request):
    """The person's own reflections (private and shared), newest first."""
    context = {
        "page": _page(request, selectors.my_reflections(request.user)),
        "shared_count": selectors.shared_reflections(request.user).count(),
    }
    return render(request, "learning/reflection_list.html", context)


@login_required
def reflection_shared(request):
    """Reflections others chose to share with the person's units or networks."""
    context = {"page": _page(request, selectors.shared_reflections(request.user))}
    return render(request, "learning/reflection_shared.html", context)


@login_required
def reflection_create(request):
    subject = _subject(request, selectors.REFLECTION_SUBJECTS)
    form = ReflectionForm(request.POST or None, author=request.user)
    if request.method == "POST" and form.is_valid():
        reflection = apply_service(
            form,
            lambda: services.reflection_create(
                by=request.user, subject=subject, **form.cleaned_data
            ),
        )
        if reflection is not None:
            messages.success(request, _saved_message(reflection))
            return redirect(reflection.get_absolute_url())
    lede = (
        "Gibbs' reflective cycle, in six steps: only the first is needed. It stays private to "
        "you unless you choose to share it."
    )
    return _form_page(
        request,
        form,
        title="Write a reflection",
        lede=lede,
        submit="Save the reflection",
        back=subject.get_absolute_url()
        if subject is not None
        else reverse("learning:reflection-list"),
        subject=subject,
    )


def _saved_message(reflection) -> str:
    if reflection.sharing == "private":
        return "Reflection saved. Only you can read it."
    return f"Reflection saved and shared with {_shared_with(reflection)}."


def _shared_with(reflection) -> str:
    if reflection.shared_unit is not None:
        return f"the staff of {reflection.shared_unit}"
    if reflection.shared_network is not None:
        return f"the members of {reflection.shared_network}"
    return "nobody"


@login_required
def reflection_detail(request, pk):
    reflection = selectors.reflection_or_404(request.user, pk)
    is_author = reflection.author_id == request.user.pk
    context = {
        "reflection": reflection,
        "is_author": is_author,
        "stages": [(GIBBS[name][0], getattr(reflection, name)) for name in GIBBS],
        "themes": [
            services.CODE_THEMES[t] for t in reflection.code_themes if t in services.CODE_THEMES
        ],
        "shared_with": _shared_with(reflection),
        "share_form": ShareForm(
            author=request.user,
            initial={
                "sharing": reflection.sharing,
                "shared_unit": reflection.shared_unit_id,
                "shared_network": reflection.shared_network_id,
            },
        )
        if is_author
        else None,
        "subject": _visible_subject(request.user, reflection),
    }
    return render(request, "learning/reflection_detail.html", context)


def _visible_subject(user, record_with_subject):
    """The record a reflection or review is about, if the reader may see it (a name alone can
    say more than it should)."""
    subject = record_with_subject.subject
    if subject is None or not selectors.subject_visible(user, subject):
        return None
    return subject


@login_required
def reflection_edit(request, pk):
    reflection = selectors.reflection_or_404(request.user, pk, author_only=True)
    initial = {
        name: getattr(reflection, name)
        for name in ("title", "happened_on", *GIBBS, "code_themes", "sharing")
    }
    initial |= {
        "shared_unit": reflection.shared_unit_id,
        "shared_network": reflection.shared_network_id,
    }
    form = ReflectionForm(request.POST or None, author=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: services.reflection_update(
                by=request.user, reflection=reflection, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "Reflection saved.")
            return redirect(saved.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"Change “{reflection.title}”",
        submit="Save the reflection",
        back=reflection.get_absolute_url(),
    )


@login_required
@require_POST
def reflection_share(request, pk):
    reflection = selectors.reflection_or_404(request.user, pk, author_only=True)
    form = ShareForm(request.POST, author=request.user)
    if form.is_valid():
        saved = apply_service(
            form,
            lambda: services.reflection_share(
                by=request.user, reflection=reflection, **form.cleaned_data
            ),
        )
        if saved is not None:
            if saved.sharing == "private":
                messages.success(request, "Only you can read this reflection now.")
            else:
                messages.success(request, f"Shared with {_shared_with(saved)}.")
            return redirect(saved.get_absolute_url())
    messages.error(request, f"Nothing was changed: {first_error(form)}")
    return redirect(reflection.get_absolute_url() + "#sharing")


@login_required
def reflection_delete(request, pk):
    reflection = selectors.reflection_or_404(request.user, pk, author_only=True)
    if request.method == "POST":
        services.reflection_delete(by=request.user, reflection=reflection)
        messages.success(request, f"Reflection “{reflection.title}” deleted.")
        return redirect("learning:reflection-list")
    return render(request, "learning/reflection_delete.html", {"reflection": reflection})


@login_required
def reflection_nmc(request, pk):
    """The reflection in the layout of the NMC's reflective accounts form, to print."""
    reflection = selectors.reflection_or_404(request.user, pk, author_only=True)
    context = {
        "reflection": reflection,
        "account": reflection_export.nmc_account(reflection),
        "note": reflection_export.IDENTIFIERS_NOTE,
    }
    return render(request, "learning/reflection_nmc.html", context)


@login_required
def reflection_nmc_pdf(request, pk):
    reflection = selectors.reflection_or_404(request.user, pk, author_only=True)
    pdf = reflection_export.render_pdf(reflection_export.nmc_account(reflection))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="reflective-account-{reflection.pk}.pdf"'
    )
    return response


# Learning reviews ------------------------------------------------------------------------------


@login_required
def unit_learning(request, unit_id):
    """A unit's learning reviews (and its units'), and reflections its staff chose to share
    with it."""
    unit = access.object_or_404(request.user, Unit, unit_id, roles.VIEWERS)
    context = {
        "unit": unit,
        "page": _page(request, selectors.reviews_of_unit(request.user, unit)),
        "shared": list(selectors.shared_reflections(request.user, unit=unit)[:SHARED_ROWS]),
        "can_review": access.can(request.user, unit, roles.REVIEWERS),
    }
    return render(request, "learning/reflection_unit.html", context)


@login_required
def review_create(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.REVIEWERS)
    subject = _subject(request, selectors.REVIEW_SUBJECTS)
    initial = {"title": f"Learning review: {subject}"[:200]} if subject is not None else {}
    form = ReviewForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        review = apply_service(
            form,
            lambda: services.review_create(
                by=request.user, unit=unit, subject=subject, **form.cleaned_data
            ),
        )
        if review is not None:
            messages.success(request, "Learning review saved.")
            return redirect(review.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"Hold a learning review in {unit.name}",
        lede="An after-action review: four questions, answered together, about the system and "
        "not about people.",
        submit="Save the review",
        back=subject.get_absolute_url()
        if subject is not None
        else reverse("learning:unit-learning", args=[unit.pk]),
        subject=subject,
    )


@login_required
def review_detail(request, pk):
    review = selectors.review_or_404(request.user, pk)
    context = {
        "review": review,
        "subject": _visible_subject(request.user, review),
        "can_edit": access.can(request.user, review, roles.REVIEWERS),
        "in_unit": access.can(request.user, review, roles.VIEWERS),
    }
    return render(request, "learning/reflection_review.html", context)


@login_required
def review_edit(request, pk):
    review = selectors.review_or_404(request.user, pk, roles.REVIEWERS)
    fields = (
        "title",
        "held_on",
        "participants",
        "expected",
        "happened",
        "why_different",
        "will_do",
    )
    initial = {name: getattr(review, name) for name in fields} | {
        "shared_network": review.shared_network_id
    }
    form = ReviewForm(request.POST or None, user=request.user, initial=initial)
    if review.shared_network_id:
        # Someone else shared it with a network this person is not in: it may stay shared.
        mine = form.fields["shared_network"].queryset
        form.fields["shared_network"].queryset = Network.objects.filter(
            pk__in=list(mine.values_list("pk", flat=True)) + [review.shared_network_id]
        ).order_by("name")
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: services.review_update(by=request.user, review=review, **form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, "Learning review saved.")
            return redirect(saved.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"Change “{review.title}”",
        submit="Save the review",
        back=review.get_absolute_url(),
    )


@login_required
def network_learning(request, network_id):
    """What members shared with a network: reflections and learning reviews, to its members."""
    try:
        network = selectors.member_networks(request.user, active_only=False).get(pk=network_id)
    except (Network.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Not found") from None
    context = {
        "network": network,
        "page": _page(request, selectors.network_reflections(network)),
        "reviews": list(selectors.network_reviews(network)[:SHARED_ROWS]),
    }
    return render(request, "learning/reflection_network.html", context)


urlpatterns = [
    path("reflections/", reflection_list, name="reflection-list"),
    path("reflections/shared/", reflection_shared, name="reflection-shared"),
    path("reflections/new/", reflection_create, name="reflection-create"),
    path("reflections/<int:pk>/", reflection_detail, name="reflection-detail"),
    path("reflections/<int:pk>/edit/", reflection_edit, name="reflection-edit"),
    path("reflections/<int:pk>/share/", reflection_share, name="reflection-share"),
    path("reflections/<int:pk>/delete/", reflection_delete, name="reflection-delete"),
    path("reflections/<int:pk>/nmc/", reflection_nmc, name="reflection-nmc"),
    path("reflections/<int:pk>/nmc.pdf", reflection_nmc_pdf, name="reflection-nmc-pdf"),
    path("units/<int:unit_id>/reviews/", unit_learning, name="unit-learning"),
    path("units/<int:unit_id>/reviews/new/", review_create, name="review-create"),
    path("reviews/<int:pk>/", review_detail, name="review-detail"),
    path("reviews/<int:pk>/edit/", review_edit, name="review-edit"),
    path("shared-learning/networks/<int:network_id>/", network_learning, name="network-learning"),
]
