"""Backups: the database and the uploaded and generated files (MEDIA_ROOT) in one archive, and back.

PostgreSQL is dumped with ``pg_dump`` in its custom format (restored with ``pg_restore``); the SQLite
default is copied with SQLite's online backup, so a running app can be backed up either way. The
archive is a tar file holding ``manifest.json``, ``database.dump`` or ``database.sqlite3``, and
``media/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _pg_env(sd: dict) -> dict:
    env = {**os.environ}
    for key, value in (
        ("PGHOST", sd.get("HOST")),
        ("PGPORT", sd.get("PORT")),
        ("PGUSER", sd.get("USER")),
        ("PGPASSWORD", sd.get("PASSWORD")),
        ("PGDATABASE", sd.get("NAME")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def backup_create(*, target_dir: Path, database: str = "default") -> Path:
    """Write a backup archive into ``target_dir``; returns its path."""
    connection = connections[database]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target_dir.mkdir(parents=True, exist_ok=True)
    archive = target_dir / f"painway-{stamp}.tar"
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        if connection.vendor == "postgresql":
            dump = work_dir / "database.dump"
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump)], _pg_env(connection.settings_dict))
        elif connection.vendor == "sqlite":
            dump = work_dir / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            raise BackupError(f"No backup for a {connection.vendor} database.")
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "database": connection.vendor,
        }
        (work_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        with tarfile.open(archive, "w") as tar:
            tar.add(work_dir / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname="media")
    return archive


def backup_restore(*, archive: Path, database: str = "default") -> dict:
    """Restore a backup archive into the configured database and MEDIA_ROOT. Returns its manifest.

    Meant for an empty database (a new server, or after ``dropdb``/``createdb``): PostgreSQL objects that
    exist are replaced (``pg_restore --clean --if-exists``); a SQLite file is overwritten.
    """
    connection = connections[database]
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive) as tar:
        work_dir = Path(work)
        tar.extractall(work_dir, filter="data")
        manifest = json.loads((work_dir / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("database") != connection.vendor:
            raise BackupError(
                f"This backup is of a {manifest.get('database')} database; the configured one is {connection.vendor}."
            )
        if connection.vendor == "postgresql":
            connection.close()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    str(connection.settings_dict["NAME"]),
                    str(work_dir / "database.dump"),
                ],
                _pg_env(connection.settings_dict),
            )
        else:
            connection.ensure_connection()
            source = sqlite3.connect(work_dir / "database.sqlite3")
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        media = work_dir / "media"
        if media.exists():
            shutil.copytree(media, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    return manifest
