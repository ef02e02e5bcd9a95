"""The Partners home page. A partner (no staff role anywhere) gets their own page in plain
words: what they are part of, what is coming up, what they said and what happened, their time
and expenses, and how to get help. Staff get the co-design overview of their units: each part's
way in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from qms.codesign import roles
from qms.codesign.selectors import partners as partner_selectors
from qms.codesign.selectors import yousaid as yousaid_selectors
from qms.people import access


@login_required
def home(request):
    user = request.user
    if partner_selectors.is_partner(user):
        context = {
            "work": partner_selectors.partner_work(user),
            "coming_up": partner_selectors.coming_up(user),
            "profile": partner_selectors.profile_of(user),
            "boards": yousaid_selectors.board_units(user),
            "contributions": yousaid_selectors.contributions_of(user),
        }
        return render(request, "codesign/partner_home.html", context)
    units = list(access.units_with_role(user, roles.BOARD_READERS).order_by("path"))
    context = {
        "units": units,
        "organised": partner_selectors.organised_units(user),
        "boards": yousaid_selectors.board_summaries(user),
    }
    return render(request, "codesign/home.html", context)


urlpatterns = [path("", home, name="home")]
