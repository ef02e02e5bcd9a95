from django import template

from qms.control import icons, reports
from qms.control.periods import period_label

register = template.Library()


@register.inclusion_tag("control/_icons.html")
def mdc_icon(code: str | None, kind: str, label: str = ""):
    """A Making Data Count variation or assurance icon from its stored code, e.g.
    {% mdc_icon measure.result.variation_icon "variation" "Variation" %}."""
    icon = icons.variation_icon(code) if kind == "variation" else icons.assurance_icon(code)
    return {"icon": icon, "label": label}


@register.filter
def measure_value(value, unit_label: str = "") -> str:
    """A value as every page shows it: about three significant figures and the measure's unit,
    e.g. {{ row.value|measure_value:measure.unit_label }} gives 78.4% or 5.2 per 1,000 bed
    days (reports.format_number decides the decimals). A missing value is a dash."""
    if value is None or value == "":
        return "–"
    return reports.with_unit(float(value), unit_label or "")


@register.filter
def period(day, frequency: str):
    """A period as people name it: {{ m.result.last_period|period:m.frequency }} gives
    Nov 2026, w/c 23 Nov 2026 or Q3 2026."""
    return period_label(day, frequency) if day else ""
