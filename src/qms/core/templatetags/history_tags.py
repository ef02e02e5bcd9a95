"""`{% history_table record caption="..." %}`: a record's history (qms.core.history) as a table,
for any page, including pages of apps below the core that cannot import it."""

from django import template

from qms.core.history import history_of

register = template.Library()


@register.inclusion_tag("core/_history_table.html")
def history_table(record, caption: str = "", limit: int = 50):
    return {"rows": history_of(record, limit=limit), "caption": caption or f"Changes to {record}"}
