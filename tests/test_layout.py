"""Tests mirror the code: one directory per app, each a package (tests/<app>/__init__.py), so two
apps' test modules may share a name (tests/web/test_views.py, tests/issues/test_views.py)."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_it_makes_every_test_directory_a_package():
    directories = {path.parent for path in TESTS.rglob("test_*.py") if path.parent != TESTS}
    assert [d for d in directories if not (d / "__init__.py").exists()] == []
