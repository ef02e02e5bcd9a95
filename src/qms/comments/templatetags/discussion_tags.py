"""`{% discussion record %}`: a record's comments and attachments, with their forms for those
who may write. A page that shows many records' discussions (a measure's signals) reads them all
at once with `selectors.discussions_of` and puts the result in its context as `discussions`;
the tag takes each record's from there, and reads a single record's itself otherwise."""

from django import template

from qms.comments import registry, selectors
from qms.comments.files import ACCEPT, ALLOWED, max_bytes
from qms.comments.forms import CommentForm

register = template.Library()


@register.inclusion_tag("comments/_discussion_body.html", takes_context=True)
def discussion(context, subject, level: int = 2, collapsed: bool = False):
    """The discussion of `subject`, its heading at `level`; in a closed <details> when
    `collapsed`. Nothing at all for a person who may not read it."""
    known = context.get("discussions")
    user = context["request"].user
    if known is not None:
        found = known.get((registry.entry_for(subject).key, subject.pk))
    else:
        found = selectors.discussion_of(user, subject)
    return {
        "discussion": found,
        "level": level,
        "collapsed": collapsed,
        "comment_form": CommentForm(),
        "accept": ACCEPT,
        "allowed": ALLOWED,
        "max_bytes": max_bytes(),
        "csrf_token": context.get("csrf_token"),
    }
