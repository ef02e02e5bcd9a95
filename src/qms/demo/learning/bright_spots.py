"""The demo's bright spots (see qms.demo.learning): the finder run over the demo's stored
results as the nightly command would, then the acute division's quality lead accepting two
candidates, the first with its appreciative inquiry written by the ward and turned into a draft
change package. Idempotent: a second run finds the same candidates open or decided and accepts
nothing more."""

from __future__ import annotations

import datetime as dt

from qms.learning.models import BrightSpot, BrightSpotKind, BrightSpotStatus, Generalisability
from qms.learning.services import bright_spots as services
from qms.people.models import Person, Unit

ACCEPTED = 2

# What the teams said when asked, by words in the measure's name; any other measure gets the
# general account below.
INQUIRIES = {
    "falls care plan": {
        "what_differently": "The falls care plan is started at the admission clerking, not "
        "the next morning: the admitting nurse completes the multifactorial risk assessment "
        "with the patient and family, and the plan is checked at the evening safety huddle. "
        "A lying and standing blood pressure is taken before the first night.",
        "what_works": "The electronic admission form will not close without the assessment; "
        "the ward's falls champion audits five records a week and feeds back the same day; "
        "families are asked what the patient's usual mobility is.",
        "context": "A 28-bed respiratory ward, most patients over 70, many admitted at night "
        "through the acute medical unit; a stable nursing team with two falls champions.",
        "generalisability": Generalisability.CONDITIONAL,
        "conditions": "Likely to work on adult inpatient wards with electronic admission "
        "records and a named falls champion; wards admitting mostly at night need the "
        "assessment built into the night shift's routine. Not relevant to day-case areas.",
    },
    "falls": {
        "what_differently": "Every handover ends with a two-minute falls huddle: who is new, "
        "who is confused or on new sedation, who needs the bed lowered and the call bell "
        "moved. Those patients get intentional rounding every hour, and a sticker on the "
        "board so anyone passing knows.",
        "what_works": "The senior charge nurse leads the huddle herself on most days and "
        "thanks whoever spotted a risk. Physiotherapy joins twice a week. Bank staff are "
        "walked through it on their first shift.",
        "context": "A 28-bed ward of frail older people, most over 80, many with delirium; "
        "stable nursing team with low vacancy; single rooms at both ends of the ward.",
        "generalisability": Generalisability.CONDITIONAL,
        "conditions": "Likely to work on wards with a daily safety huddle already and a "
        "stable core team; on wards with many agency staff the huddle needs a named owner "
        "each shift. Less relevant where patients are young and mobile (day surgery).",
    },
}
GENERAL = {
    "what_differently": "The team reviews this measure at its weekly huddle, agrees one small "
    "change at a time and tests it with a PDSA cycle before making it routine.",
    "what_works": "A named owner for the measure, protected time for the huddle, and quick "
    "feedback from the chart.",
    "context": "A stable team with a lead who champions improvement.",
    "generalisability": Generalisability.UNKNOWN,
    "conditions": "Not yet known: other teams should test it on a small scale first.",
}


def _acute_candidates(acute: Unit) -> list[BrightSpot]:
    """Open candidates in the acute division, the likeliest to learn from first: better than
    peers before sustained improvement, then by unit and measure."""
    candidates = BrightSpot.objects.filter(
        status=BrightSpotStatus.CANDIDATE, unit__path__startswith=acute.path
    ).select_related("unit", "measure")
    order = {BrightSpotKind.FUNNEL: 0, BrightSpotKind.SUSTAINED: 1}
    return sorted(candidates, key=lambda s: (order[s.kind], s.unit.path, s.measure.name))


def _inquiry_of(spot: BrightSpot) -> dict:
    name = spot.measure.name.lower()
    return next((said for words, said in INQUIRIES.items() if words in name), GENERAL)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    services.bright_spots_find(today=today)
    quality = Person.objects.filter(username="quality").first()
    acute = Unit.objects.filter(code="acute").first()
    accepted = BrightSpot.objects.filter(status=BrightSpotStatus.ACCEPTED)
    if quality is not None and acute is not None and not accepted.exists():
        for index, spot in enumerate(_acute_candidates(acute)[:ACCEPTED]):
            spot = services.bright_spot_accept(
                by=quality,
                bright_spot=spot,
                reason="Confirmed with the ward: the change behind it is deliberate and has "
                "lasted; worth learning from.",
            )
            if index == 0:
                spot = services.bright_spot_inquiry_update(
                    by=quality, bright_spot=spot, **_inquiry_of(spot)
                )
                services.bright_spot_package_create(by=quality, bright_spot=spot)
    return {
        "bright spot candidates": BrightSpot.objects.filter(
            status=BrightSpotStatus.CANDIDATE
        ).count(),
        "bright spots": accepted.count(),
    }
