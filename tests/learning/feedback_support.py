"""Helpers of the feedback tests: files of comments, and comments made directly (for counts that
must not depend on what the classifier says)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from qms.learning.models import Feedback, FeedbackTheme

HEADER = ["date", "service", "rating", "text", "source", "question", "reference", "unit"]


def csv_upload(rows, *, header=HEADER, name="feedback.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows, *, header=HEADER, name="feedback.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        name,
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def row(text="The nurses were kind and explained everything.", *, date="03/02/2025",
        service="Ward 7", rating="1", source="patient", question="FFT Why?", reference="",
        unit=""):  # fmt: skip
    return [date, service, rating, text, source, question, reference, unit]


def make_feedback(unit, day: dt.date, *, sentiment: int, themes=(), text="A comment.", **kw):
    """A comment saved directly, with the sentiment and themes given."""
    feedback = Feedback.objects.create(
        unit=unit,
        received_on=day,
        text=text,
        sentiment=sentiment,
        model_sentiment=sentiment,
        model_themes=list(themes),
        **kw,
    )
    FeedbackTheme.objects.bulk_create([FeedbackTheme(feedback=feedback, label=t) for t in themes])
    return feedback
