"""Settings for the test suite: the real settings, with what only slows tests or needs HTTPS off."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from qms.config.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files straight from the apps, as in development: tests never run collectstatic.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Report PDFs made by the tests go to a folder of their own, removed at exit.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="qms-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
# Report PDFs are made by the task backend (immediate: at the commit) rather than in a thread,
# so tests see them finished.
QMS_EXPORTS_IN_THREAD = False
# One trained feedback classifier for every test, worker and run (keyed by data, code and
# scikit-learn versions, so a stale one is never used): CI trains it once.
QMS_MODEL_DIR = Path(tempfile.gettempdir()) / f"qms-test-models-{os.getuid()}"
# Similar work (qms.learning.selectors.similar): check the database on every request and rebuild
# the index on the request, so a test sees a change at its next request.
QMS_SIMILAR_CHECK_SECONDS = 0.0
QMS_SIMILAR_REBUILD_IN_THREAD = False
