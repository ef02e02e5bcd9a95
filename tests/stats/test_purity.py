"""qms.stats is pure numpy and scipy: importing it must not pull in Django."""

import subprocess
import sys

import pytest

NO_DJANGO = (
    "import sys; import {module}; "
    "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
    "assert not loaded, loaded"
)


@pytest.mark.parametrize("module", ["qms.stats", "qms.stats.vega", "qms.stats.funnel_cli"])
def test_it_imports_without_django(module, tmp_path):
    # A clean interpreter: the test process itself has Django loaded by pytest-django.
    environment = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    completed = subprocess.run(
        [sys.executable, "-c", NO_DJANGO.format(module=module)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr


def test_it_would_notice_django_being_imported(tmp_path):
    # The check above can fail: the same script run after importing Django does.
    completed = subprocess.run(
        [sys.executable, "-c", "import django; " + NO_DJANGO.format(module="qms.stats")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert completed.returncode != 0
    assert "django" in completed.stderr
