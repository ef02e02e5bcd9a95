"""The settings module: environment-driven, safe by default, clean under `check --deploy`."""

import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from qms.config import settings as qms_settings


def run_qms(*args, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="qms.config.settings", QMS_DATA_DIR=str(tmp_path), **env_overrides
    )
    return subprocess.run(
        [sys.executable, "-m", "qms", *args], env=env, capture_output=True, text=True, check=False
    )


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path):
    result = run_qms(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "qms.example.org",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_fails_the_deployment_checks_in_debug_mode(tmp_path):
    result = run_qms(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={"DEBUG": "1"},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_it_makes_and_keeps_a_secret_key_when_none_is_given(tmp_path):
    first = qms_settings.installation_secret_key(tmp_path)
    assert len(first) >= 50
    assert qms_settings.installation_secret_key(tmp_path) == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False)])
def test_it_reads_booleans_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("QMS_FLAG", raw)
    assert qms_settings.env_bool("QMS_FLAG", not expected) is expected


def test_it_names_a_malformed_boolean(monkeypatch):
    monkeypatch.setenv("QMS_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="QMS_FLAG"):
        qms_settings.env_bool("QMS_FLAG", False)


def test_it_hashes_passwords_with_argon2_and_throttles_logins():
    assert qms_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert qms_settings.AUTHENTICATION_BACKENDS[0].startswith("axes.")
    assert qms_settings.AXES_FAILURE_LIMIT == 5


def test_the_qms_command_is_this_projects_manage_py(tmp_path):
    result = run_qms("help", env_overrides={}, tmp_path=tmp_path)
    assert result.returncode == 0
    assert "demo-data" in result.stdout
    assert "migrate" in result.stdout


def _settings_with(tmp_path, **env) -> str:
    code = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
    )
    env = {**{k: v for k, v in os.environ.items() if k != "QMS_CACHE_URL"}, **env}
    env.update(DJANGO_SETTINGS_MODULE="qms.config.settings", QMS_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.stdout.strip() or result.stderr


def test_it_caches_in_each_process_unless_a_shared_cache_is_given(tmp_path):
    local = _settings_with(tmp_path)
    assert local == (
        "django.core.cache.backends.locmem.LocMemCache django.contrib.sessions.backends.db"
    )  # sessions stay in the database: a per-process cache would outlive a log-out
    shared = _settings_with(tmp_path, QMS_CACHE_URL="redis://127.0.0.1:6379/0")
    assert shared == (
        "django.core.cache.backends.redis.RedisCache django.contrib.sessions.backends.cached_db"
    )
    assert "QMS_CACHE_URL must be empty, 'locmem' or a redis:// URL" in _settings_with(
        tmp_path, QMS_CACHE_URL="memcached://x"
    )
