"""compose.yaml and the Dockerfile: PostgreSQL with a volume, a one-shot migrate the others
wait for, the web server, scalable workers and the periodic jobs, each given only environment
variables QMS reads, and settings from that environment that pass Django's deployment checks."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_docs import PRODUCT_SOURCES, environment_variables_read

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "periodic")
INTERPOLATED = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<word>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def resolved(value: str, given: dict[str, str]) -> str:
    """A value as compose fills it in: from `given` (the operator's .env), else its default."""

    def fill(match):
        name, op, word = match["name"], match["op"], match["word"]
        if name in given:
            return given[name]
        if op == ":?":
            raise LookupError(f"{name} is required: {word}")
        return word or ""

    return INTERPOLATED.sub(fill, str(value))


def test_it_has_the_database_web_worker_and_periodic_jobs(services):
    assert {"db", "cache", *APP_SERVICES} <= services.keys()
    db = services["db"]
    assert db["image"].split(":")[0] == "postgres"  # the official image
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert services["cache"]["image"].split(":")[0] == "redis"


def test_every_app_service_runs_the_one_image(services):
    images = {(services[name]["build"], services[name]["image"]) for name in APP_SERVICES}
    assert len(images) == 1
    assert (ROOT / "Dockerfile").exists()


def test_each_service_runs_its_command(services):
    from django.core.management import get_commands

    assert services["migrate"]["command"][-1] == "qms migrate --no-input && qms load-library"
    assert services["migrate"]["restart"] == "no"  # one-shot
    assert services["web"]["command"] == ["gunicorn", "-c", "gunicorn.conf.py", "qms.config.wsgi"]
    assert services["worker"]["command"] == ["qms", "run-worker"]
    assert services["periodic"]["command"] == ["qms", "run-periodic"]
    assert {"migrate", "load-library", "run-worker", "run-periodic"} <= set(get_commands())


def test_the_others_start_once_the_tables_are_migrated(services):
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "periodic"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_workers_scale(services):
    """`docker compose up --scale worker=3`: no fixed name, no port of its own."""
    for name in ("worker", "periodic"):
        assert "container_name" not in services[name] and "ports" not in services[name]
    assert services["web"]["ports"] == ["${QMS_PORT:-8000}:8000"]


def test_the_workers_and_web_servers_share_the_files(services):
    media = {name: services[name]["volumes"] for name in APP_SERVICES}
    assert all(volumes == ["media:/var/lib/qms/media"] for volumes in media.values())
    assert all(
        services[name]["environment"]["MEDIA_ROOT"] == "/var/lib/qms/media" for name in APP_SERVICES
    )


def test_every_variable_it_sets_is_one_qms_reads(services):
    read = set().union(*(environment_variables_read(p) for p in PRODUCT_SOURCES if p.exists()))
    for name in APP_SERVICES:
        unknown = set(services[name]["environment"]) - read
        assert not unknown, f"{name} sets variables QMS never reads: {sorted(unknown)}"


def test_each_service_has_what_it_needs(services):
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert resolved(env["DATABASE_URL"], {}).startswith("postgres://qms:qms@db:5432/qms")
        assert env["TASKS_BACKEND"] == "database"  # work queued for the workers
        assert env["QMS_CACHE_URL"] == "redis://cache:6379/0"
        with pytest.raises(LookupError, match="SECRET_KEY is required"):
            resolved(env["SECRET_KEY"], {})  # the same key everywhere: the operator's
    assert services["web"]["environment"]["QMS_BIND"] == "0.0.0.0:8000"
    assert "QMS_PERIODIC_DAILY_AT" in services["periodic"]["environment"]


def test_its_environment_makes_settings_that_pass_the_deployment_checks(services, tmp_path):
    given = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "qms.example.org"}
    env = {key: resolved(value, given) for key, value in services["web"]["environment"].items()}
    # Only what compose gives, and what any process has (PATH, HOME).
    run_env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    run_env.update(env, QMS_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="qms.config.settings")
    run_env["MEDIA_ROOT"] = str(tmp_path / "media")  # the container's path is not ours
    result = subprocess.run(
        [sys.executable, "-m", "qms", "check", "--deploy", "--fail-level", "WARNING"],
        env=run_env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


# The PostgreSQL client each Debian release of the image's base ships (`qms backup` runs its
# pg_dump, which refuses a server newer than itself).
DEBIAN_POSTGRESQL_CLIENT = {"bookworm": 15, "trixie": 17}


def test_the_images_pg_dump_is_as_new_as_the_database_server(services):
    dockerfile = (ROOT / "Dockerfile").read_text()
    release = re.search(r"^FROM python:[\d.]+-slim-(\w+)$", dockerfile, re.MULTILINE)[1]
    server = int(services["db"]["image"].split(":")[1].split(".")[0])
    assert server <= DEBIAN_POSTGRESQL_CLIENT[release]
    assert "postgresql-client" in dockerfile


def test_the_dockerfile_installs_the_clients_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir '.[redis,s3]'" in dockerfile
    assert "collectstatic --no-input" in dockerfile
    assert 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "qms.config.wsgi"]' in dockerfile
    assert "fonts-dejavu-core" in dockerfile  # report PDFs draw their text in DejaVu Sans
    assert re.search(r"^USER qms$", dockerfile, re.MULTILINE)  # not root


def test_gunicorn_takes_its_workers_and_address_from_the_environment(monkeypatch):
    def load(**env):
        for key in ("WEB_CONCURRENCY", "QMS_BIND"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        namespace: dict = {}
        exec(
            compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace
        )
        return namespace

    default = load()
    assert default["bind"] == "127.0.0.1:8000"
    assert default["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert load(WEB_CONCURRENCY="0")["workers"] == default["workers"]  # compose's default
    chosen = load(WEB_CONCURRENCY="3", QMS_BIND="0.0.0.0:8101")
    assert chosen["workers"] == 3 and chosen["bind"] == "0.0.0.0:8101"


def test_docker_compose_accepts_the_file(tmp_path):
    """Compose's own validation, where a compose client is installed (v2 or v1)."""
    if (
        shutil.which("docker")
        and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        command = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose"]
    else:
        pytest.skip("no docker compose client on this machine")
    env = {**os.environ, "SECRET_KEY": "k" * 60}
    result = subprocess.run(
        [*command, "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        env=env, capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    env.pop("SECRET_KEY")
    refused = subprocess.run(
        [*command, "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        env=env, capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert refused.returncode != 0 and "set SECRET_KEY" in refused.stderr
