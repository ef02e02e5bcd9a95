from django import template

from qms.people.links import record_people_url

register = template.Library()


@register.filter
def people_url(record) -> str:
    """`{{ measure|people_url }}`: the page of the people given a role on the record."""
    return record_people_url(record)
