import pytest


@pytest.fixture(scope="session")
def classifier():
    """The feedback classifier of the test settings' model cache: trained once for all tests,
    workers and runs (tests that retrain use a folder of their own)."""
    from django.conf import settings

    from qms.text import feedback

    return feedback.load(settings.QMS_MODEL_DIR)
