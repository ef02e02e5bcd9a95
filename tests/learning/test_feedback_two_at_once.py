"""Two imports of the same references at the same moment (a file uploaded twice, or the API
retried while the first request runs): one saves its comments, the other is refused as a whole
with a message, and no reference is saved twice. The race is forced: each import, once it has
checked its references, waits for the other to have checked them too. PostgreSQL only: SQLite
serialises writers, so the race cannot happen there."""

import threading

from helpers import RACES, race, wait_after

from learning.feedback_support import csv_upload, row
from qms.learning.models import Feedback, FeedbackImport
from qms.learning.services import feedback as services

pytestmark = RACES


def test_two_imports_of_the_same_references_save_them_once(monkeypatch, org, lead, admin):
    wait_after(monkeypatch, services, "_classify", threading.Barrier(2), timeout=5)
    rows = [row(f"Comment {i}.", reference=f"r{i}") for i in range(20)]

    def import_file(by):
        return lambda: services.feedback_import_file(by=by, unit=org["ward"], file=csv_upload(rows))

    results = race([import_file(lead), import_file(admin)], timeout=120)
    saved = [r for r in results if isinstance(r, services.ImportResult)]
    refused = [r for r in results if isinstance(r, services.FeedbackRefused)]
    assert len(saved) == 1 and len(refused) == 1, results
    assert "at the same moment" in str(refused[0].problems[0])
    assert Feedback.objects.count() == 20
    assert FeedbackImport.objects.count() == 1
