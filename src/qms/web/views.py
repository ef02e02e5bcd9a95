from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.text import get_text_list

from qms.web import areas


@login_required
def home(request):
    """Where a person lands: what needs them (each area's card), their own sections (units and
    roles), and the areas of the framework still to come."""
    registered = areas.registered()
    work_cards = _cards_for(request.user, [area.work_card for area in registered])
    context = {
        "work_cards": work_cards,
        "anything_waiting": any(card.anything for card in work_cards),
        "home_sections": _cards_for(request.user, [area.home_section for area in registered]),
        "planned_areas": areas.planned(),
        "built_summary": get_text_list([a.summary for a in registered if a.summary], "and"),
    }
    return render(request, "web/home.html", context)


def _cards_for(user, cards) -> list[areas.ShownCard]:
    shown = (card.for_user(user) for card in cards if card is not None)
    return [card for card in shown if card is not None]
