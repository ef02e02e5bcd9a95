"""The inbox and the choice of how notifications reach a person's e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from qms.notifications import selectors, services
from qms.notifications.forms import EmailPreferenceForm, MarkReadForm


@login_required
def inbox(request):
    if request.method == "POST":
        form = MarkReadForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was marked: that is not a notification.")
        elif form.cleaned_data["notification"]:
            services.notifications_mark_read(
                person=request.user, ids=[form.cleaned_data["notification"]]
            )
            messages.success(request, "Marked as read.")
        else:
            services.notifications_mark_read(person=request.user)
            messages.success(request, "All marked as read.")
        return redirect("notifications:inbox")
    groups = selectors.inbox(request.user)
    return render(
        request,
        "notifications/inbox.html",
        {"groups": groups, "unread": any(group.unread_count for group in groups)},
    )


@login_required
@require_POST
def email_preference(request):
    """The choice on the person's own page: how notifications reach their e-mail."""
    form = EmailPreferenceForm(request.POST)
    if form.is_valid():
        services.notification_preference_set(
            by=request.user, person=request.user, email=form.cleaned_data["email"]
        )
        messages.success(request, "Saved how alerts reach you.")
    else:
        messages.error(request, "Nothing was saved: choose one of the options.")
    return redirect(request.user.get_absolute_url())
