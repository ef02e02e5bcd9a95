from django import template

from qms.control import reports

register = template.Library()


@register.inclusion_tag("control/_icons.html")
def mdc_icon(code: str | None, kind: str, label: str = ""):
    """A Making Data Count variation or assurance icon from its stored code, e.g.
    {% mdc_icon measure.result.variation_icon "variation" "Variation" %}."""
    icon = reports.variation_icon(code) if kind == "variation" else reports.assurance_icon(code)
    return {"icon": icon, "label": label}
