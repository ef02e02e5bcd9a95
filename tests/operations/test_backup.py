"""`qms backup` and `qms restore`: a snapshot restored into a fresh database holds every row of
every table (history and timestamps included) and every stored file, byte for byte; a damaged or
changed snapshot, one of another kind of database or of a newer QMS, and a database already in
use without --yes are refused with nothing changed; a backup taken while another connection
writes is consistent.

The database under test is the suite's (SQLite, or PostgreSQL when DATABASE_URL says so; CI runs
both), so each round trip runs on the vendor configured: into a new SQLite file, or into a new
PostgreSQL database on the same server.
"""

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import threading
import time
import uuid

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from helpers import make_measure, record

from qms.comments.services import attachment_add, comment_add
from qms.core import backup
from qms.core.backup import BackupError, backup_restore, backup_write
from qms.issues.models import Issue
from qms.issues.services import issue_close, issue_raise, issue_update

# Snapshots are read by other connections (pg_dump, SQLite's backup): the data is committed.
transactional = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def records(org, lead, member):
    """A ward's realistic records: a measure with a year of observations (one corrected, so
    it has history), an issue raised, changed and closed, a comment and an attached file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    measure = make_measure(org["ward"], "ward-7-falls", by=lead)
    record(measure, [4, 6, 5, 7, 3, 5, 6, 4, 8, 5, 6, 7], by=lead)
    record(measure, [9], by=lead, replace=True, reason="Two falls were entered late")
    issue = issue_raise(
        by=lead, unit=org["ward"], title="Falls at night", source="incident", description="Rising."
    )
    issue = issue_update(by=lead, issue=issue, title="Falls at night on Ward 7", reason="Clearer")
    comment_add(by=member, subject=issue, text="Bed rails checked on the night shift.")
    attachment = attachment_add(
        by=lead, subject=issue, file=SimpleUploadedFile("huddle-notes.pdf", PDF)
    )
    issue_close(by=lead, issue=issue, note="Night checks every hour; falls back to usual.")
    return {"measure": measure, "issue": issue, "attachment": attachment}


@pytest.fixture
def fresh_database(tmp_path):
    """The settings of a new, empty database of the configured vendor, dropped afterwards."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg
    from psycopg import sql

    name = f"qms_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = {
        "dbname": "postgres",
        "user": source["USER"],
        "password": source["PASSWORD"],
        "host": source["HOST"],
        "port": source["PORT"] or None,
    }
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {**source, "NAME": name}
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def every_row(database) -> dict[str, list[tuple]]:
    """Every table's rows, all columns, in a stable order, read through Django's backend (so
    timestamps and decimals come back as the application reads them)."""
    wrapper = load_backend(database["ENGINE"]).DatabaseWrapper(dict(database), alias="compare")
    try:
        with wrapper.cursor() as cursor:
            quote = wrapper.ops.quote_name
            tables = {}
            for table in sorted(wrapper.introspection.table_names(cursor)):
                cursor.execute(f"SELECT * FROM {quote(table)} LIMIT 0")
                columns = len(cursor.description)
                order = ", ".join(str(position) for position in range(1, columns + 1))
                cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {order}")
                tables[table] = [
                    tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
                    for row in cursor.fetchall()
                ]
            return tables
    finally:
        wrapper.close()


def stored(storage) -> dict[str, bytes]:
    contents = {}
    for name in backup.stored_files(storage):
        with storage.open(name, "rb") as file:
            contents[name] = file.read()
    return contents


def rewritten(snapshot, into, change):
    """A copy of `snapshot` with each member's bytes passed through change(name, data); a
    member is left out when it returns None."""
    with tarfile.open(snapshot) as old, tarfile.open(into, "w:gz") as new:
        for member in old:
            data = change(member.name, old.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                new.addfile(member, io.BytesIO(data))
    return into


@pytest.fixture
def snapshot(records, tmp_path):
    path = tmp_path / "snapshot.tar.gz"
    manifest = backup_write(path)
    return path, manifest


@transactional
def test_it_restores_every_row_and_file_into_a_fresh_database(
    snapshot, records, fresh_database, tmp_path
):
    path, _ = snapshot
    before = every_row(connection.settings_dict)
    # The data set is what the test claims: history, timestamps and a file to carry across.
    assert before["control_historicalobservation"] and before["control_historicalissue"]
    assert before["comments_attachment"] and records["attachment"].file.name in stored(
        default_storage
    )
    media = FileSystemStorage(location=tmp_path / "media")

    restored = backup_restore(path, database=fresh_database, storage=media)

    after = every_row(fresh_database)
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"
    assert stored(media) == stored(default_storage)
    assert restored.rows == sum(len(rows) for rows in before.values())
    assert restored.files_written == len(stored(default_storage))


@transactional
def test_the_manifest_describes_the_snapshot(records, tmp_path):
    # The suite builds its tables without migrations: record one as a migrated database would.
    recorder = MigrationRecorder(connection)
    recorder.record_applied("control", "0013_measure_definition")
    path = tmp_path / "snapshot.tar"
    try:
        manifest = backup_write(path)
    finally:  # the next tests' snapshots would name a migration their code does not have
        with connection.schema_editor() as editor:
            editor.delete_model(recorder.Migration)

    with tarfile.open(path) as tar:
        assert json.load(tar.extractfile("manifest.json")) == manifest
        database = tar.extractfile(manifest["database"]["part"]).read()
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["sha256"] == hashlib.sha256(database).hexdigest()
    assert manifest["migrations"] == {"control": "0013_measure_definition"}
    assert manifest["qms_version"]
    created = dt.datetime.fromisoformat(manifest["created"])
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=1)
    rows = every_row(connection.settings_dict)
    rows["django_migrations"] = [("control", "0013_measure_definition")]  # dropped since
    assert manifest["tables"] == {table: len(found) for table, found in rows.items()}
    files = {entry["name"]: entry for entry in manifest["files"]}
    for name, content in stored(default_storage).items():
        assert files[name]["size"] == len(content)
        assert files[name]["sha256"] == hashlib.sha256(content).hexdigest()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@transactional
def test_the_command_writes_into_the_backup_folder_by_default(records, tmp_path, settings):
    settings.QMS_BACKUP_DIR = tmp_path / "backups"
    out = io.StringIO()

    call_command("backup", stdout=out)

    [written] = (tmp_path / "backups").iterdir()
    assert written.name.startswith("qms-") and written.name.endswith("Z.tar.gz")
    assert f"Wrote {written}" in out.getvalue()
    assert backup.snapshot_read(written)["tables"][Issue._meta.db_table] == 1


def test_the_command_refuses_a_name_it_cannot_write(tmp_path):
    with pytest.raises(CommandError, match="ends .tar or .tar.gz"):
        call_command("backup", output=str(tmp_path / "snapshot.zip"))
    with pytest.raises(CommandError, match="no folder"):
        call_command("backup", output=str(tmp_path / "missing" / "snapshot.tar"))
    assert list(tmp_path.iterdir()) == []


@transactional
def test_a_database_in_use_is_replaced_only_with_yes(snapshot, records):
    path, _ = snapshot
    issue = records["issue"]
    Issue.objects.filter(pk=issue.pk).delete()
    stored_before = stored(default_storage)

    with pytest.raises(CommandError, match=r"already holds data \(.*people.*--yes"):
        call_command("restore", str(path))
    assert not Issue.objects.filter(pk=issue.pk).exists()

    out = io.StringIO()
    call_command("restore", str(path), "--yes", stdout=out)

    assert Issue.objects.get(pk=issue.pk).title == "Falls at night on Ward 7"
    assert Issue.history.filter(id=issue.pk).count() == issue.history.count() >= 3
    assert stored(default_storage) == stored_before
    assert "each table's rows checked against the manifest" in out.getvalue()


def _with_manifest(change):
    def edit(member, data):
        if member != "manifest.json":
            return data
        manifest = json.loads(data)
        change(manifest)
        return json.dumps(manifest).encode()

    return edit


@transactional
def test_a_damaged_foreign_or_newer_snapshot_is_refused_and_nothing_changes(
    snapshot, records, fresh_database, tmp_path
):
    """Each is refused before anything is touched, whether restored into a fresh database or,
    with --yes, over the configured one. (One test, several snapshots: each transactional test
    costs a flush of every table on PostgreSQL.)"""
    path, manifest = snapshot
    file = "files/" + records["attachment"].file.name
    part = manifest["database"]["part"]
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def changed_file(member, data):
        return data.replace(b"1.7", b"1.6") if member == file else data

    def changed_database(member, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if member == part else data

    def file_left_out(member, data):
        return None if member == file else data

    cases = {
        "a changed file": (changed_file, f"nothing was restored: {file} does not match its SHA"),
        "a changed database": (changed_database, f"{part} does not match its SHA-256"),
        "a file missing": (file_left_out, f"{file} is missing"),
        "another vendor's": (
            _with_manifest(lambda manifest: manifest["database"].update(vendor=other)),
            "snapshot is of a .* database and QMS is set up with",
        ),
        "a newer QMS's": (
            _with_manifest(
                lambda manifest: manifest["migrations"].update(control="0999_from_the_future")
            ),
            "made by a newer QMS .* control.0999_from_the_future",
        ),
    }
    media = FileSystemStorage(location=tmp_path / "media")
    Issue.objects.filter(pk=records["issue"].pk).delete()  # a restore would bring it back
    before, files_before = every_row(connection.settings_dict), stored(default_storage)

    for case, (change, message) in cases.items():
        changed = rewritten(path, tmp_path / "changed.tar.gz", change)
        with pytest.raises(BackupError, match=message):
            backup_restore(changed, database=fresh_database, storage=media)
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(changed), "--yes")
        assert every_row(fresh_database) == {}, case
        assert stored(media) == {}, case
        assert every_row(connection.settings_dict) == before, case
        assert stored(default_storage) == files_before, case

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CommandError, match="not a readable snapshot: it is cut short or damaged"):
        call_command("restore", str(truncated), "--yes")
    assert every_row(connection.settings_dict) == before


@pytest.mark.parametrize(
    ("content", "says"),
    [(b"", "it is empty"), (b"a list of names\n", "not a .tar or .tar.gz file made by qms backup")],
)
def test_a_file_that_is_no_archive_is_named_as_such(db, tmp_path, content, says):
    # Not tarfile's list of every compression it tried: the operator learns what the file is not.
    path = tmp_path / "qms.tar.gz"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=says) as refused:
        call_command("restore", str(path), "--yes")
    assert "method" not in str(refused.value)


@pytest.mark.django_db
def test_a_missing_snapshot_path_is_named(tmp_path):
    with pytest.raises(CommandError, match=f"There is no snapshot at {tmp_path / 'none.tar.gz'}"):
        call_command("restore", str(tmp_path / "none.tar.gz"))


@pytest.mark.django_db
def test_a_backup_taken_while_another_connection_writes_is_consistent(tmp_path):
    """SQLite in WAL mode, as QMS runs it: a writer commits a pair of rows (one in each table)
    as fast as it can while the backup runs; the snapshot holds whole pairs only, and the
    manifest counts exactly what it holds."""
    live = {**backup._sqlite_settings(tmp_path / "live.sqlite3")}
    live["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    writer = sqlite3.connect(
        tmp_path / "live.sqlite3", isolation_level=None, timeout=30, check_same_thread=False
    )
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE reading (id INTEGER PRIMARY KEY, body TEXT)")
    writer.execute("CREATE TABLE receipt (id INTEGER PRIMARY KEY, reading_id INTEGER)")
    stop, written = threading.Event(), []

    def write():
        while not stop.is_set():
            writer.execute("BEGIN IMMEDIATE")
            cursor = writer.execute("INSERT INTO reading (body) VALUES (?)", ["x" * 2000])
            writer.execute("INSERT INTO receipt (reading_id) VALUES (?)", [cursor.lastrowid])
            writer.execute("COMMIT")
            written.append(cursor.lastrowid)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        wait_until(lambda: len(written) >= 200)  # the database is busy, its WAL growing
        manifest = backup_write(tmp_path / "live.tar.gz", database=live, storage=_empty(tmp_path))
        wait_until(lambda: len(written) >= manifest["tables"]["reading"] + 50)  # still writing
    finally:
        stop.set()
        thread.join()
        writer.close()

    assert manifest["tables"]["reading"] == manifest["tables"]["receipt"] >= 200
    target = backup._sqlite_settings(tmp_path / "restored.sqlite3")
    backup_restore(tmp_path / "live.tar.gz", database=target, storage=_empty(tmp_path))
    assert every_row(target)["receipt"] == [
        (number, number) for number in range(1, manifest["tables"]["receipt"] + 1)
    ]


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writer stopped writing"
        time.sleep(0.01)


def _empty(tmp_path):
    return FileSystemStorage(location=tmp_path / f"storage-{uuid.uuid4().hex[:6]}")


def test_postgresql_tools_missing_or_too_old_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump is not installed .* postgresql-client-16"):
        backup._pg_tool("pg_dump", at_least=16)
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.9'\n")
    old.chmod(0o755)
    with pytest.raises(BackupError, match="pg_dump is version 13 .* older than the PostgreSQL"):
        backup._pg_tool("pg_dump", at_least=16)
    assert backup._pg_tool("pg_dump", at_least=13) == str(old)


def test_the_database_password_goes_to_the_tools_in_their_environment_only():
    database = {
        "NAME": "qms",
        "USER": "qms",
        "PASSWORD": "s3cret",
        "HOST": "db.example.org",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require"},
    }
    env = backup._libpq_env(database)
    assert env["PGPASSWORD"] == "s3cret" and env["PGSSLMODE"] == "require"
    assert (env["PGHOST"], env["PGPORT"], env["PGDATABASE"]) == ("db.example.org", "5433", "qms")


@transactional
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is PostgreSQL's")
def test_the_postgresql_tools_are_given_no_connection_details_as_arguments(
    snapshot, fresh_database, monkeypatch
):
    path, _ = snapshot
    seen = []
    run = backup.subprocess.run

    def watched(command, *args, **kwargs):
        seen.append(command)
        return run(command, *args, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", watched)
    backup_write(path.with_name("again.tar.gz"))
    backup_restore(path, database=fresh_database, storage=_empty(path.parent))
    assert {command[0].rsplit("/", 1)[-1] for command in seen} >= {"pg_dump", "pg_restore", "psql"}
    # The connection (database, user, password...) travels in PG* variables: no argument names
    # even the database, so none could carry its password.
    name = connection.settings_dict["NAME"]
    assert not [command for command in seen if any(name in part for part in command)]


@pytest.mark.django_db
def test_files_in_an_object_store_go_through_the_storage_api_both_ways(tmp_path):
    """With QMS_S3_BUCKET the files are in an S3 store (here moto's server): the backup lists
    and reads them, the restore writes them back (over a different file of the same name). The
    database is a SQLite file of its own: the files are the point here."""
    import boto3
    from django.core.files.base import ContentFile
    from moto.server import ThreadedMotoServer
    from storages.backends.s3 import S3Storage

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        options = {
            "bucket_name": "qms-backups-test",
            "endpoint_url": f"http://{host}:{port}",
            "region_name": "eu-west-2",
            "access_key": "test-key",
            "secret_key": "test-secret",
            "addressing_style": "path",
            "file_overwrite": False,  # as qms.config.settings sets it
        }
        boto3.client(
            "s3",
            endpoint_url=options["endpoint_url"],
            region_name="eu-west-2",
            aws_access_key_id="test-key",
            aws_secret_access_key="test-secret",
        ).create_bucket(
            Bucket=options["bucket_name"],
            CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
        )
        live = S3Storage(**options, location="live")
        files = {
            "attachments/2026/12/notes.pdf": PDF,
            "reports/ward-7/2026-11.pdf": PDF + b"report",
            "readme.txt": b"Top level.",
        }
        for name, body in files.items():
            assert live.save(name, ContentFile(body)) == name
        elsewhere = S3Storage(**options, location="restored")
        elsewhere.save("attachments/2026/12/notes.pdf", ContentFile(b"another file"))
        sqlite3.connect(tmp_path / "live.sqlite3").close()

        manifest = backup_write(
            tmp_path / "snapshot.tar.gz",
            database=backup._sqlite_settings(tmp_path / "live.sqlite3"),
            storage=live,
        )
        restored = backup_restore(
            tmp_path / "snapshot.tar.gz",
            database=backup._sqlite_settings(tmp_path / "restored.sqlite3"),
            storage=elsewhere,
        )

        assert sorted(entry["name"] for entry in manifest["files"]) == sorted(files)
        assert stored(elsewhere) == files
        assert restored.files_written == 3
    finally:
        server.stop()
