"""Two imports of the same references at the same moment (a file uploaded twice, or the API
retried while the first request runs): one saves its comments, the other is refused as a whole
with a message, and no reference is saved twice. The race is forced: each import, once it has
checked its references, waits for the other to have checked them too. PostgreSQL only: SQLite
serialises writers, so the race cannot happen there."""

import contextlib
import threading

import pytest
from django.db import connection

from learning.feedback_support import csv_upload, row
from qms.learning.models import Feedback, FeedbackImport
from qms.learning.services import feedback as services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers from BEGIN IMMEDIATE: the race cannot happen there",
    ),
]


def test_two_imports_of_the_same_references_save_them_once(monkeypatch, org, lead, admin):
    barrier = threading.Barrier(2)
    classify = services._classify

    def classify_then_wait(texts):
        answer = classify(texts)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        return answer

    monkeypatch.setattr(services, "_classify", classify_then_wait)
    rows = [row(f"Comment {i}.", reference=f"r{i}") for i in range(20)]
    results = [None, None]

    def run(index, by):
        try:
            results[index] = services.feedback_import_file(
                by=by, unit=org["ward"], file=csv_upload(rows)
            )
        except Exception as error:  # the test looks at what each racer got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, by)) for i, by in enumerate((lead, admin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    saved = [r for r in results if isinstance(r, services.ImportResult)]
    refused = [r for r in results if isinstance(r, services.FeedbackRefused)]
    assert len(saved) == 1 and len(refused) == 1, results
    assert "at the same moment" in str(refused[0].problems[0])
    assert Feedback.objects.count() == 20
    assert FeedbackImport.objects.count() == 1
