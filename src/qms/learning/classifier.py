"""The one way Django code reaches the feedback classifier: `get()`, kept per process.

The model lives in the directory of the setting QMS_MODEL_DIR (default DATA_DIR/models); the
first `get()` of a fresh installation trains it from the bundled data (seconds) and caches it
there, so nothing is downloaded and no separate training step is needed. `qms feedback train`
retrains it, with the corrections people made in QMS if asked (`corrections()`).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from qms.text import feedback


def model_dir() -> Path:
    return Path(settings.QMS_MODEL_DIR)


def get() -> feedback.Classifier:
    """The classifier (trained and cached on first use; the same object while the file is)."""
    return feedback.load(model_dir())


def corrections() -> list[feedback.Labelled]:
    """The comments a person corrected in QMS, with their corrected themes and sentiment, as
    training rows. `comment_id` is the comment's reference (its Comment ID when it came from
    the bundled data, so a correction of a TEST comment is recognised and kept out)."""
    from qms.learning.models import Feedback

    rows = []
    corrected = (
        Feedback.objects.filter(corrected_at__isnull=False)
        .prefetch_related("themes")
        .order_by("pk")
    )
    for item in corrected.iterator(chunk_size=2_000):
        themes = tuple(sorted(t.label for t in item.themes.all() if t.label in feedback.THEMES))
        rows.append(
            feedback.Labelled(
                comment_id=item.reference, text=item.text, themes=themes, sentiment=item.sentiment
            )
        )
    return rows
