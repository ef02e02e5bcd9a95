"""Similar work elsewhere: the suggestions a form that starts a project, a priority or a network
shows as the person writes (an HTML fragment fetched by learning/similar.js), and the same as a
page when the browser runs no script (the form's "Find similar work" button posts to it)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from qms.learning.selectors import similar as selectors

# Longer than any title, aim or problem a form accepts; past it, a clear message, not a search.
MAX_CHARACTERS = 10_000
_KINDS = frozenset(selectors.KIND_LABELS)


def _text(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_CHARACTERS,
        strip=True,
        error_messages={
            "max_length": f"The {label.lower()} is longer than {MAX_CHARACTERS:,} characters: "
            "shorten it to find similar work."
        },
    )


class SimilarWorkForm(forms.Form):
    """What the person has written so far; the names of the network form's fields (name,
    topic) are accepted for title and problem, so each starting form posts as it is. Nothing is
    saved, so the text is not screened."""

    title = _text("Title")
    name = _text("Name")
    aim = _text("Aim")
    problem = _text("Problem")
    topic = _text("Topic")
    measures = _text("Measures")
    factors = _text("Factors")
    exclude = forms.CharField(required=False, max_length=40)

    def query(self) -> dict:
        data = self.cleaned_data
        return {
            "title": " ".join(filter(None, (data["title"], data["name"]))),
            "aim": data["aim"],
            "problem": "\n".join(filter(None, (data["problem"], data["topic"]))),
            "measures": data["measures"].splitlines(),
            "factors": data["factors"].splitlines(),
            "exclude": _exclude_key(data["exclude"]),
        }

    def has_text(self) -> bool:
        return any(self.cleaned_data[name].strip() for name in self.fields if name != "exclude")


def _exclude_key(value: str) -> list[tuple[str, int]]:
    """'project:12' → [('project', 12)]; anything else → [] (it only hides a record)."""
    kind, _, pk = value.partition(":")
    if kind in _KINDS and pk.isdigit() and len(pk) < 19:
        return [(kind, int(pk))]
    return []


@login_required
@require_http_methods(["GET", "POST"])
def similar(request):
    data = request.GET if request.method == "GET" else request.POST
    form = SimilarWorkForm(data)
    suggestions = None
    if form.is_valid() and form.has_text():
        suggestions = selectors.similar_work(request.user, **form.query())
    context = {"form": form, "suggestions": suggestions}
    if request.method == "GET" and data.get("fragment") == "1":
        return render(request, "learning/_similar_results.html", context)
    return render(request, "learning/similar.html", context)


urlpatterns = [path("similar/", similar, name="similar")]
