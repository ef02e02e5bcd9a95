"""The kinds of record an issue may come from, declared by the apps that own them.

An area registers its models in its `AppConfig.ready()`:

    from qms.issues.registry import register_source
    register_source(Signal, IssueSource.SIGNAL)

The raise page then accepts such a record as the issue's source (`?from=control.signal:12`),
and the issue page links back to it. Records of models nobody registered are never taken as
a source, so a request cannot point an issue at a person or a grant.
"""

from django.db.models import Model

_SOURCES: dict[str, tuple[type[Model], str]] = {}


def _label(model: type[Model]) -> str:
    return model._meta.label_lower  # "control.signal"


def register_source(model: type[Model], kind: str) -> None:
    """Let records of `model` be the source of issues of `kind` (an `IssueSource` value)."""
    _SOURCES[_label(model)] = (model, kind)


def source_model(label: str) -> type[Model] | None:
    """The registered model with this label ("app_label.model"), or None."""
    entry = _SOURCES.get(label.lower())
    return entry[0] if entry else None


def source_kind(record: Model) -> str | None:
    """The kind of source a record of this model is, if its model is registered."""
    entry = _SOURCES.get(_label(type(record)))
    return entry[1] if entry else None


def source_reference(record: Model) -> str:
    """How the raise page names a source record in its address: "control.signal:12"."""
    return f"{_label(type(record))}:{record.pk}"
