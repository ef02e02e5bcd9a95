"""Backups: one file holding the database, the stored files and a manifest; and restoring one.

A snapshot is a tar file (gzipped unless its name ends `.tar`) with three parts:

- `database/qms.sqlite3` (SQLite, copied with the online backup API, so a running server and its
  write-ahead log are no obstacle) or `database/qms.pgdump` (PostgreSQL, `pg_dump
  --format=custom`);
- `files/<name>`: every file in Django's default storage (report PDFs, attachments), read
  through the storage API, so the file system and an object store are backed up alike;
- `manifest.json`, last: the QMS version, the database vendor, when it was made, the last
  migration of each app, the rows of each table and the size and SHA-256 of every part.

The database is copied first and the files after it: a file added meanwhile is kept without a
row pointing to it (harmless), whereas the other way round a new attachment's row would point to
a file missing from the snapshot. The row counts and migrations in the manifest are read from the
snapshot itself (SQLite: the copy; PostgreSQL: the transaction snapshot pg_dump is given), so
they describe exactly what was saved even while people keep working.

Restoring checks everything before it changes anything: every part against the manifest's
hashes, the vendor, that the code knows every migration the snapshot has, and that the target
holds no data unless replacing was confirmed. Then it writes the files (adding or overwriting,
never deleting), and replaces the database in one step: SQLite through the backup API from a
checked copy (one write transaction: the old database stays whole if it fails), PostgreSQL by
one `psql --single-transaction` run that drops the old tables, runs the script `pg_restore`
makes of the dump, and checks every table's rows against the manifest before it commits.

These are operator's tools run from the command line (`qms backup`, `qms restore`), for the
whole installation: they take no `by`, and they import no area app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.utils import load_backend

from qms.people.models import Unit

FORMAT = "qms-backup/1"
MANIFEST = "manifest.json"
DATABASE_PARTS = {"sqlite": "database/qms.sqlite3", "postgresql": "database/qms.pgdump"}
FILES = "files/"
CHUNK = 1024 * 1024

# Django's own records of the schema, which `qms migrate` writes: not worth listing as data.
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class Restored:
    """What a restore did, for the command to print."""

    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    files_written: int = 0
    files_unchanged: int = 0
    files_left: list[str] = field(default_factory=list)  # in storage, not in the snapshot
    migrations_to_run: list[str] = field(default_factory=list)


# --- Databases ------------------------------------------------------------------------------


def configured_database() -> dict[str, Any]:
    """The settings of the database QMS uses (in tests, the test database)."""
    return connections["default"].settings_dict


@contextmanager
def _opened(database: dict[str, Any]) -> Iterator[Any]:
    """A connection of its own to `database` (a Django DATABASES entry), closed afterwards."""
    wrapper = load_backend(database["ENGINE"]).DatabaseWrapper(dict(database), alias="backup")
    try:
        yield wrapper
    finally:
        wrapper.close()


def _vendor(database: dict[str, Any]) -> str:
    return load_backend(database["ENGINE"]).DatabaseWrapper.vendor


def _table_counts(cursor, wrapper) -> dict[str, int]:
    quote = wrapper.ops.quote_name
    counts = {}
    for table in sorted(wrapper.introspection.table_names(cursor)):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migration_state(cursor, tables) -> dict[str, str]:
    """The last migration applied in each app (names are numbered, so the greatest is last)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


def database_holdings(database: dict[str, Any] | None = None) -> dict[str, int]:
    """What `database` holds that a restore would replace: the rows of each kind of record
    ("people", "observations"), when it is in use; empty for a new database.

    In use means it has people or units: nothing in QMS exists without them, and `qms migrate`
    alone makes none (it only seeds the product's own lists, such as the contributory factors).
    """
    database = database or configured_database()
    with _opened(database) as wrapper, wrapper.cursor() as cursor:
        counts = _table_counts(cursor, wrapper)
    in_use = {get_user_model()._meta.db_table, Unit._meta.db_table}
    if not any(counts.get(table) for table in in_use):
        return {}
    names = {
        model._meta.db_table: str(model._meta.verbose_name_plural) for model in apps.get_models()
    }
    held = {
        names.get(table, table): rows
        for table, rows in counts.items()
        if rows and table not in BOOKKEEPING
    }
    return dict(sorted(held.items(), key=lambda item: (-item[1], item[0])))


# --- PostgreSQL's tools ---------------------------------------------------------------------

_LIBPQ_ENV = {
    "NAME": "PGDATABASE",
    "USER": "PGUSER",
    "PASSWORD": "PGPASSWORD",
    "HOST": "PGHOST",
    "PORT": "PGPORT",
}
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
}


def _libpq_env(database: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump, pg_restore and psql: the connection is passed in PG*
    variables, never as arguments, where `ps` would show the password to everyone."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, variable in _LIBPQ_ENV.items():
        if database.get(key):
            env[variable] = str(database[key])
    for key, variable in _LIBPQ_OPTIONS.items():
        if database.get("OPTIONS", {}).get(key):
            env[variable] = str(database["OPTIONS"][key])
    # Notices ("table does not exist, skipping") are not news to anyone running a restore.
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c client_min_messages=warning".strip()
    return env


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not found:
        raise BackupError(f"Could not read a version number from {version_text!r}.")
    return int(found.group(1))


def _pg_tool(name: str, *, at_least: int) -> str:
    """The path of a PostgreSQL client program whose major version is at least `at_least`."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed (or not on PATH). It comes with PostgreSQL's client "
            f"tools, version {at_least} or later (Debian and Ubuntu: postgresql-client-{at_least})."
        )
    text = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    if _major(text) < at_least:
        raise BackupError(
            f"{name} is version {_major(text)} ({path}), older than the PostgreSQL server or "
            f"snapshot ({at_least}): install PostgreSQL's client tools version {at_least} or "
            "later and put them first on PATH."
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {(done.stderr or done.stdout).strip()}")


# --- Writing a snapshot ---------------------------------------------------------------------


def default_output(now: dt.datetime | None = None) -> Path:
    """Where `qms backup` writes when no path is given: QMS_BACKUP_DIR, named by the time."""
    now = now or dt.datetime.now(dt.UTC)
    return Path(settings.QMS_BACKUP_DIR) / f"qms-{now:%Y%m%d-%H%M%S}Z.tar.gz"


def _tar_mode(path: Path, reading: bool) -> str:
    name = path.name.lower()
    if name.endswith(".tar"):
        return "r:" if reading else "w"
    if name.endswith((".tar.gz", ".tgz")):
        return "r:*" if reading else "w:gz"
    raise BackupError(f"A snapshot's name ends .tar or .tar.gz, not {path.name!r}.")


class _Hashing:
    """A file read through, counting and hashing what passes (tarfile reads it once)."""

    def __init__(self, inner: IO[bytes]):
        self.inner, self.sha256, self.size = inner, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, name: str, source: IO[bytes], size: int) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(dt.datetime.now(dt.UTC).timestamp())
    reader = _Hashing(source)
    tar.addfile(info, reader)
    if reader.size != size:  # tarfile pads a short file with zeros rather than failing
        raise BackupError(f"{name} changed size while it was copied; run the backup again.")
    return {"size": size, "sha256": reader.sha256.hexdigest()}


def stored_files(storage: Storage) -> list[str]:
    """Every file's name in `storage`, through listdir (the file system or an object store)."""
    names, folders = [], [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:  # MEDIA_ROOT not made yet: nothing stored
            continue
        folders.extend(posixpath.join(folder, sub) for sub in subfolders)
        names.extend(posixpath.join(folder, name) for name in files)
    return sorted(names)


def _sqlite_snapshot(database: dict[str, Any], into: Path) -> dict[str, Any]:
    """Copy the live SQLite database into `into` with the online backup API (one step: a
    consistent picture even while others write) and read its tables and migrations."""
    with _opened(database) as wrapper:
        source = wrapper.get_new_connection(wrapper.get_connection_params())
        try:
            copy = sqlite3.connect(into)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
    with _opened(_sqlite_settings(into)) as wrapper, wrapper.cursor() as cursor:
        tables = _table_counts(cursor, wrapper)
        return {
            "vendor": "sqlite",
            "server_version": sqlite3.sqlite_version,
            "tables": tables,
            "migrations": _migration_state(cursor, tables),
        }


def _sqlite_settings(path: Path) -> dict[str, Any]:
    """Settings for a plain SQLite file of our own (a snapshot being written or checked)."""
    database = dict(connections["default"].settings_dict)
    database.update(ENGINE="django.db.backends.sqlite3", NAME=str(path), OPTIONS={})
    return database


def _postgresql_snapshot(database: dict[str, Any], into: Path) -> dict[str, Any]:
    """pg_dump the database inside one repeatable-read transaction whose snapshot it shares
    (`--snapshot`), so the manifest's counts are of exactly the rows dumped."""
    with _opened(database) as wrapper, wrapper.cursor() as cursor:
        server = wrapper.pg_version // 10000
        pg_dump = _pg_tool("pg_dump", at_least=server)
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _table_counts(cursor, wrapper)
            migrations = _migration_state(cursor, tables)
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={into}"],
                _libpq_env(database),
                "pg_dump",
            )
        finally:
            cursor.execute("ROLLBACK")
    version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout
    return {
        "vendor": "postgresql",
        "server_version": server,
        "pg_dump_version": _major(version),
        "tables": tables,
        "migrations": migrations,
    }


def backup_write(
    output: Path,
    *,
    database: dict[str, Any] | None = None,
    storage: Storage | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Write one snapshot of `database` (the configured one unless given) and every file in
    `storage` (the default storage) to `output`, and return its manifest.

    The file is written under a temporary name beside `output` and renamed when complete, so a
    failed backup never leaves a file that looks like a snapshot. It is readable by its owner
    only: it holds everyone's records and password hashes.
    """
    database = database or configured_database()
    storage = storage or default_storage
    vendor = _vendor(database)
    if vendor not in DATABASE_PARTS:
        raise BackupError(f"QMS backs up SQLite and PostgreSQL databases, not {vendor}.")
    mode = _tar_mode(output, reading=False)
    if not output.parent.is_dir():
        raise BackupError(f"There is no folder {output.parent} to write the snapshot in.")
    partial = output.with_name(f".{output.name}.partial")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "qms_version": metadata.version("qms"),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    try:
        with tempfile.TemporaryDirectory(prefix="qms-backup-") as work:
            dump = Path(work) / "database"
            progress("Copying the database")
            if vendor == "sqlite":
                described = _sqlite_snapshot(database, dump)
            else:
                described = _postgresql_snapshot(database, dump)
            handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(handle, "wb") as raw,
                tarfile.open(fileobj=raw, mode=mode, format=tarfile.PAX_FORMAT) as tar,
            ):
                part = DATABASE_PARTS[vendor]
                with dump.open("rb") as source:
                    sums = _add(tar, part, source, dump.stat().st_size)
                manifest["database"] = {
                    "vendor": vendor,
                    "part": part,
                    **sums,
                    **{key: value for key, value in described.items() if key != "vendor"},
                }
                manifest["database"].pop("tables")
                manifest["database"].pop("migrations")
                manifest["migrations"] = described["migrations"]
                manifest["tables"] = described["tables"]
                progress("Copying the stored files")
                manifest["files"], manifest["files_gone"] = _add_files(tar, storage)
                body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode = len(body), 0o600
                info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
                tar.addfile(info, _BytesReader(body))
        os.replace(partial, output)
    except BaseException:
        with suppress(FileNotFoundError):
            partial.unlink()
        raise
    return manifest


class _BytesReader:
    def __init__(self, body: bytes):
        self.body, self.at = body, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.body) if size < 0 else self.at + size
        data, self.at = self.body[self.at : end], min(end, len(self.body))
        return data


def _add_files(tar: tarfile.TarFile, storage: Storage) -> tuple[list[dict[str, Any]], list[str]]:
    """Copy every stored file into the snapshot; those deleted between the listing and the
    copy (a report PDF being replaced) are named, not fatal."""
    files, gone = [], []
    for name in stored_files(storage):
        try:
            size = storage.size(name)
            source = storage.open(name, "rb")
        except FileNotFoundError:
            gone.append(name)
            continue
        with source:
            files.append({"name": name, **_add(tar, FILES + name, source, size)})
    return files, gone


# --- Reading and checking a snapshot --------------------------------------------------------


@dataclass
class _Unpacked:
    manifest: dict[str, Any]
    database: Path
    files: dict[str, Path]


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "\\" not in name


def _unpack(archive: Path, into: Path) -> _Unpacked:
    """Copy every part of the snapshot into `into` (under names of our own, never the
    archive's) and check each against the manifest's size and SHA-256."""
    if not archive.is_file():
        raise BackupError(f"There is no snapshot at {archive}.")
    parts: dict[str, tuple[Path, int, str]] = {}
    mode = _tar_mode(archive, reading=True)
    try:
        opened = tarfile.open(archive, mode=mode)  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError) as error:
        # tarfile's own message lists each compression it tried, which tells an operator
        # nothing: say what the file is not.
        empty = archive.stat().st_size == 0
        raise BackupError(
            f"{archive} is not a readable snapshot: "
            + ("it is empty." if empty else "it is not a .tar or .tar.gz file made by qms backup.")
        ) from error
    try:
        with opened as tar:
            for index, member in enumerate(tar):
                if member.isdir():
                    continue
                if not member.isfile() or member.name in parts:
                    raise BackupError(f"{archive} holds {member.name!r}, which no snapshot has.")
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                target = into / str(index)
                sha256, size = hashlib.sha256(), 0
                with source, target.open("wb") as copy:
                    while chunk := source.read(CHUNK):
                        sha256.update(chunk)
                        size += len(chunk)
                        copy.write(chunk)
                parts[member.name] = (target, size, sha256.hexdigest())
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(
            f"{archive} is not a readable snapshot: it is cut short or damaged ({error}). "
            "Nothing was changed."
        ) from error
    if MANIFEST not in parts:
        raise BackupError(f"{archive} has no {MANIFEST}: it is not a QMS snapshot.")
    try:
        manifest = json.loads(parts.pop(MANIFEST)[0].read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(
                f"{archive} is a snapshot in format {manifest.get('format')!r}; this QMS reads "
                f"{FORMAT!r}."
            )
        expected = {manifest["database"]["part"]: manifest["database"]}
        for entry in manifest["files"]:
            if not _safe_name(entry["name"]):
                raise BackupError(f"The snapshot names a file {entry['name']!r} outside storage.")
            expected[FILES + entry["name"]] = entry
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{archive} has a damaged {MANIFEST} ({error!r}).") from error
    problems = []
    for name, entry in expected.items():
        if name not in parts:
            problems.append(f"{name} is missing")
        elif parts[name][1:] != (entry["size"], entry["sha256"]):
            problems.append(f"{name} does not match its SHA-256 in the manifest")
    problems += [f"{name} is not in the manifest" for name in sorted(set(parts) - set(expected))]
    if problems:
        raise BackupError(
            f"{archive} is damaged or was changed, so nothing was restored: "
            + "; ".join(problems[:10])
            + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
            + "."
        )
    return _Unpacked(
        manifest=manifest,
        database=parts[manifest["database"]["part"]][0],
        files={entry["name"]: parts[FILES + entry["name"]][0] for entry in manifest["files"]},
    )


def snapshot_read(archive: Path) -> dict[str, Any]:
    """The manifest of a snapshot, once every part is checked against it."""
    with tempfile.TemporaryDirectory(prefix="qms-restore-") as work:
        return _unpack(archive, Path(work)).manifest


# --- Restoring ------------------------------------------------------------------------------


def _migrations_on_disk() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    # Without a connection: the code's migrations alone, none of any database's state.
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _migrations_unknown(manifest: dict[str, Any]) -> list[str]:
    """The snapshot's last migrations that this code does not have (a newer QMS made it)."""
    known = _migrations_on_disk()
    labels = {config.label for config in apps.get_app_configs()}
    return [
        f"{app}.{name}"
        for app, name in sorted(manifest["migrations"].items())
        if app in labels and (app, name) not in known
    ]


def _migrations_to_run(database: dict[str, Any]) -> list[str]:
    """The code's migrations that the restored database has not had."""
    with _opened(database) as wrapper, wrapper.cursor() as cursor:
        if "django_migrations" not in wrapper.introspection.table_names(cursor):
            applied = set()
        else:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {tuple(row) for row in cursor.fetchall()}
    return [f"{app}.{name}" for app, name in sorted(_migrations_on_disk() - applied)]


def backup_restore(
    archive: Path,
    *,
    replace: bool = False,
    database: dict[str, Any] | None = None,
    storage: Storage | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> Restored:
    """Bring the snapshot at `archive` back into `database` and `storage` (the configured
    ones unless given), all of the database or none of it.

    Refused before anything is touched: a snapshot whose parts do not match its manifest, one
    from another database vendor or from a newer QMS, and a database that holds data unless
    `replace` is true (the error says what it holds).
    """
    database = database or configured_database()
    storage = storage or default_storage
    vendor = _vendor(database)
    with tempfile.TemporaryDirectory(prefix="qms-restore-") as work:
        progress("Checking the snapshot")
        unpacked = _unpack(archive, Path(work))
        manifest = unpacked.manifest
        made_on = manifest["database"]["vendor"]
        if made_on != vendor:
            raise BackupError(
                f"This snapshot is of a {_VENDORS.get(made_on, made_on)} database and QMS is "
                f"set up with {_VENDORS.get(vendor, vendor)}: restore it into "
                f"{_VENDORS.get(made_on, made_on)} (DATABASE_URL), then move the data across."
            )
        unknown = _migrations_unknown(manifest)
        if unknown:
            raise BackupError(
                f"This snapshot was made by a newer QMS ({manifest['qms_version']}): this "
                f"version does not know its migrations {', '.join(unknown)}. Install QMS "
                f"{manifest['qms_version']} or later, then restore."
            )
        held = database_holdings(database)
        if held and not replace:
            listed = ", ".join(f"{rows} {name}" for name, rows in list(held.items())[:12])
            raise BackupError(
                f"The database already holds data ({listed}"
                + (f" and {len(held) - 12} more kinds of record" if len(held) > 12 else "")
                + "). Restoring replaces all of it with the snapshot of "
                f"{manifest['created']}; run again with --yes to do that."
            )
        if vendor == "sqlite":
            _sqlite_check(unpacked.database, manifest)
        else:
            _pg_restore_tool(manifest)
        restored = Restored(manifest=manifest)
        progress("Restoring the stored files")
        _restore_files(unpacked.files, manifest, storage, restored)
        progress("Restoring the database")
        if vendor == "sqlite":
            _sqlite_restore(unpacked.database, database)
        else:
            _postgresql_restore(unpacked.database, database, manifest)
    counts = _verify_counts(database, manifest)
    restored.tables, restored.rows = len(counts), sum(counts.values())
    restored.migrations_to_run = _migrations_to_run(database)
    return restored


_VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _restore_files(
    files: dict[str, Path], manifest: dict[str, Any], storage: Storage, restored: Restored
) -> None:
    """Write the snapshot's files into storage under their own names. A file already there with
    the same contents is left; files the snapshot does not have are left too (no row of the
    restored database points to them) and named in the report."""
    for entry in manifest["files"]:
        name = entry["name"]
        if storage.exists(name):
            with storage.open(name, "rb") as current:
                if _sha256(current) == entry["sha256"]:
                    restored.files_unchanged += 1
                    continue
            storage.delete(name)
        with files[name].open("rb") as content:
            saved = storage.save(name, File(content, name=posixpath.basename(name)))
        if saved != name:
            raise BackupError(f"Storage kept {name} as {saved}; the database names {name}.")
        restored.files_written += 1
    wanted = {entry["name"] for entry in manifest["files"]}
    restored.files_left = [name for name in stored_files(storage) if name not in wanted]


def _sha256(source: IO[bytes]) -> str:
    sha256 = hashlib.sha256()
    while chunk := source.read(CHUNK):
        sha256.update(chunk)
    return sha256.hexdigest()


def _sqlite_check(snapshot: Path, manifest: dict[str, Any]) -> None:
    """The unpacked SQLite file is sound and holds the rows the manifest says."""
    with _opened(_sqlite_settings(snapshot)) as wrapper, wrapper.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        verdict = [row[0] for row in cursor.fetchall()]
        if verdict != ["ok"]:
            raise BackupError(f"The snapshot's database is damaged: {'; '.join(verdict[:5])}.")
        counts = _table_counts(cursor, wrapper)
    if counts != manifest["tables"]:
        raise BackupError("The snapshot's database does not hold the rows its manifest lists.")


def _sqlite_restore(snapshot: Path, database: dict[str, Any]) -> None:
    """Copy the checked snapshot over the target with the backup API: one write transaction on
    the target, so a running server's readers see the old database or the new, and a failure
    leaves the old one whole (as a file swap would, without breaking the write-ahead log of the
    connections already open)."""
    name = str(database["NAME"])
    if not name.startswith("file:"):  # a new machine's data folder may not exist yet
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(snapshot)
    try:
        with _opened(database) as wrapper:
            target = wrapper.get_new_connection(wrapper.get_connection_params())
            try:
                source.backup(target)
            except sqlite3.Error as error:
                raise BackupError(
                    f"The database could not be replaced ({error}); it is as it was. Stop the "
                    "web servers and workers and try again."
                ) from error
            finally:
                target.close()
    finally:
        source.close()


def _pg_restore_tool(manifest: dict[str, Any]) -> str:
    _pg_tool("psql", at_least=0)
    return _pg_tool("pg_restore", at_least=manifest["database"].get("pg_dump_version", 0))


def _postgresql_restore(dump: Path, database: dict[str, Any], manifest: dict[str, Any]) -> None:
    """Replace the database's tables with the dump's, in one transaction that checks every
    table's rows before it commits.

    `pg_restore` writes the dump as a script (`--clean --if-exists --no-owner`, and no grants,
    which name roles a new server may not have); psql runs it with `--single-transaction` between
    our own two steps: before it, dropping every table the database has (so tables of a newer
    schema do not outlive the restore), after it, counting every table's rows against the
    manifest. Any error, theirs or ours, rolls the whole of it back.
    """
    env = _libpq_env(database)
    pg_restore = _pg_restore_tool(manifest)
    psql = _pg_tool("psql", at_least=0)
    work = dump.parent
    script = work / "restore.sql"
    _run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
         f"--file={script}", str(dump)],
        env,
        "pg_restore",
    )  # fmt: skip
    with _opened(database) as wrapper, wrapper.cursor() as cursor:
        present = wrapper.introspection.table_names(cursor, include_views=True)
        listed = wrapper.introspection.get_table_list(cursor)
        views = {info.name for info in listed if info.type == "v"}
        quote = wrapper.ops.quote_name
    before = work / "before.sql"
    before.write_text(
        "".join(f"DROP VIEW IF EXISTS {quote(name)} CASCADE;\n" for name in sorted(views))
        + "".join(
            f"DROP TABLE IF EXISTS {quote(name)} CASCADE;\n"
            for name in sorted(set(present) - views)
        )
    )
    expected = json.dumps(manifest["tables"]).replace("'", "''")
    after = work / "after.sql"
    after.write_text(
        "RESET search_path;\n"
        "DO $qms$\nDECLARE expected jsonb := '" + expected + "'::jsonb; t text; n bigint;\n"
        "BEGIN\n"
        "  FOR t IN SELECT jsonb_object_keys(expected) LOOP\n"
        "    EXECUTE format('SELECT count(*) FROM %I', t) INTO n;\n"
        "    IF n <> (expected->>t)::bigint THEN\n"
        "      RAISE EXCEPTION 'table % has % rows after restoring; the snapshot has %',\n"
        "        t, n, expected->>t;\n"
        "    END IF;\n"
        "  END LOOP;\n"
        "END $qms$;\n"
    )
    _run(
        [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
         f"--file={before}", f"--file={script}", f"--file={after}"],
        env,
        "Restoring the database (nothing was changed)",
    )  # fmt: skip


def _verify_counts(database: dict[str, Any], manifest: dict[str, Any]) -> dict[str, int]:
    with _opened(database) as wrapper, wrapper.cursor() as cursor:
        counts = _table_counts(cursor, wrapper)
    if counts != manifest["tables"]:
        differ = sorted(
            table
            for table in set(counts) | set(manifest["tables"])
            if counts.get(table) != manifest["tables"].get(table)
        )
        raise BackupError(f"After restoring, these tables differ from the snapshot: {differ}.")
    return counts
