"""Pages of concerns: raising one (named or anonymous), the concerns a handler answers, the
thread's replies, the anonymous raiser's follow-up with their code, and the closing feedback
sent from an issue's page.

Anonymity is kept in the views too: the page that raises an anonymous concern writes nothing
about the person (no message in their session, no change to their account), shows the
follow-up code once in its answer (never in an address, so it stays out of logs and
histories), and the follow-up page needs no sign-in and records no one. A wrong code is a 404,
and an address that gets many wrong is refused for a while."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from qms.culture import roles
from qms.culture.forms_concerns import CodeForm, CodeReplyForm, ConcernForm, FeedbackForm, ReplyForm
from qms.culture.models import Concern
from qms.culture.selectors import concerns as selectors
from qms.culture.services import concerns as services
from qms.issues.models import Issue
from qms.issues.roles import GRANTED_VIEWERS
from qms.issues.roles import VIEWERS as ISSUE_VIEWERS
from qms.people import access
from qms.people.models import Unit
from qms.web.client_ip import client_ip
from qms.web.forms import apply_service

# Wrong follow-up codes an address may send before it is refused for a while. A code has 160
# random bits, so this only keeps the page from being used to hammer the database.
WRONG_CODES_ALLOWED = 20
WRONG_CODES_WINDOW = 15 * 60


def _unit(request, unit_id, needed) -> Unit:
    return access.object_or_404(request.user, Unit, unit_id, needed)


@login_required
def concern_raise(request, unit_id):
    """Raise a concern in the unit, by name or anonymously (the unit's staff)."""
    unit = _unit(request, unit_id, roles.CONCERN_RAISERS)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = apply_service(
            form,
            lambda: services.concern_raise(
                by=request.user,
                unit=unit,
                title=data["title"],
                description=data["description"],
                anonymous=data["anonymous"],
            ),
        )
        if result is not None:
            concern, code = result
            if code:
                # Shown once, in this answer only: nothing about it goes to the session.
                return render(request, "culture/concern_raised.html", {"unit": unit, "code": code})
            messages.success(request, "Your concern is raised; the unit's leads are told.")
            return redirect(concern.issue.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "culture/concern_form.html", {"unit": unit, "form": form}, status=status)


@login_required
def unit_concerns(request, unit_id):
    """The concerns of the unit and below, for those who answer them."""
    unit = _unit(request, unit_id, roles.CONCERN_HANDLERS)
    context = {"unit": unit, "concerns": selectors.unit_concerns(unit)}
    return render(request, "culture/concern_list.html", context)


def _concern(request, pk) -> Concern:
    queryset = Concern.objects.select_related("issue__unit", "issue__owner")
    concern = access.object_or_404(request.user, queryset, pk, ISSUE_VIEWERS)
    return concern


@login_required
@require_POST
def concern_reply(request, pk):
    """A handler's (or the named raiser's) reply on a concern's thread."""
    concern = _concern(request, pk)
    if not selectors.may_read_thread(request.user, concern):
        access.require(request.user, concern, frozenset())  # seen, not allowed: 403
    form = ReplyForm(request.POST)
    if form.is_valid() and apply_service(
        form,
        lambda: services.concern_reply(
            by=request.user, concern=concern, text=form.cleaned_data["text"]
        ),
    ):
        messages.success(request, "Reply sent.")
        return redirect(concern.issue.get_absolute_url() + "#concern-heading")
    back = concern.issue.get_absolute_url()
    return render(request, "culture/concern_refused.html", {"form": form, "back": back}, status=400)


def _too_many_wrong(request) -> bool:
    return cache.get(_wrong_key(request), 0) >= WRONG_CODES_ALLOWED


def _wrong_key(request) -> str:
    return f"culture:wrong-concern-code:{client_ip(request) or 'unknown'}"


def _count_wrong(request) -> None:
    key = _wrong_key(request)
    if cache.add(key, 1, WRONG_CODES_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, WRONG_CODES_WINDOW)


def concern_follow_up(request):
    """The anonymous raiser's page: their code opens the thread, to read and to reply. No
    sign-in needed and no one recorded; a wrong code is a 404."""
    if request.method not in ("GET", "POST"):
        return render(request, "culture/concern_follow_up.html", {"form": CodeForm()}, status=405)
    if request.method == "GET":
        return render(request, "culture/concern_follow_up.html", {"form": CodeForm()})
    if _too_many_wrong(request):
        return render(
            request, "culture/concern_follow_up.html", {"form": CodeForm(), "refused": True},
            status=429,
        )  # fmt: skip
    code = request.POST.get("code", "")
    concern = services.concern_by_code(code)
    if concern is None:
        _count_wrong(request)
        raise Http404("Not found")
    reply_form = CodeReplyForm(initial={"code": code})
    sent = False
    if "text" in request.POST:
        reply_form = CodeReplyForm(request.POST)
        if reply_form.is_valid() and apply_service(
            reply_form,
            lambda: services.concern_reply_with_code(
                code=code, text=reply_form.cleaned_data["text"]
            ),
        ):
            sent, reply_form = True, CodeReplyForm(initial={"code": code})
    context = {
        "concern": concern,
        "thread": selectors.thread(concern),
        "reply_form": reply_form,
        "sent": sent,
    }
    status = 400 if reply_form.errors else 200
    return render(request, "culture/concern_thread.html", context, status=status)


@login_required
@require_POST
def closing_feedback(request, pk):
    """Send a closed issue's feedback to the person who raised it."""
    queryset = Issue.objects.select_related("unit", "owner", "created_by")
    issue = access.object_or_404(request.user, queryset, pk, ISSUE_VIEWERS, granted=GRANTED_VIEWERS)
    if not selectors.may_handle(request.user, issue):
        access.require(request.user, issue, frozenset())  # seen, not allowed: 403
    form = FeedbackForm(request.POST)
    if form.is_valid() and apply_service(
        form,
        lambda: services.closing_feedback_give(
            by=request.user, issue=issue, text=form.cleaned_data["text"]
        ),
    ):
        messages.success(request, "Feedback sent to the person who raised it.")
        return redirect(issue.get_absolute_url() + "#feedback-heading")
    back = issue.get_absolute_url()
    return render(request, "culture/concern_refused.html", {"form": form, "back": back}, status=400)


urlpatterns = [
    path("units/<int:unit_id>/concerns/raise/", concern_raise, name="concern-raise"),
    path("units/<int:unit_id>/concerns/", unit_concerns, name="concern-list"),
    path("concerns/<int:pk>/reply/", concern_reply, name="concern-reply"),
    path("concerns/follow-up/", concern_follow_up, name="concern-follow-up"),
    path("issues/<int:pk>/feedback/", closing_feedback, name="closing-feedback"),
]
