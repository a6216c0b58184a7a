"""Backups, as found: no backup or restore procedure. `manage.py backup` (make backup) writes the
database (pg_dump custom format on PostgreSQL, SQLite's online backup otherwise) and MEDIA_ROOT into
one archive; `manage.py restore` (make restore FILE=...) puts it into an empty database, where the same
rows and files are found."""

import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from pathway.models import Episode, Patient
from pathway.tests import factories as f
from reporting.models import MonthlyDataSet

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TABLES = ("pathway_patient", "pathway_episode", "reporting_monthlydataset", "auth_user")


def restore_in_subprocess(archive: Path, database_url: str, var_dir: Path):
    env = {**os.environ, "DATABASE_URL": database_url, "PAINWAY_VAR_DIR": str(var_dir), "DEBUG": "true"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def data():
    episodes = [f.open_episode() for _ in range(3)]
    data_set = MonthlyDataSet.objects.create(
        commissioner=episodes[0].practice.commissioner, month=date(2026, 10, 1), due_on=date(2026, 11, 14)
    )
    data_set.file.save("mds-october.csv", ContentFile(b"month,episodes\n2026-10,3\n"), save=True)
    return {"episodes": episodes, "data_set": data_set}


def counts_here() -> dict:
    with connection.cursor() as cursor:
        result = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            result[table] = cursor.fetchone()[0]
    return result


def test_backup_then_restore_into_an_empty_database_finds_the_same_rows_and_files(data, tmp_path):
    expected = counts_here()
    nhs_numbers = sorted(Patient.objects.values_list("nhs_number", flat=True))
    assert expected["pathway_episode"] == Episode.objects.count() == 3

    out = tmp_path / "backups"
    call_command("backup", dir=str(out))
    (archive,) = out.glob("painway-*.tar")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and f"media/{data['data_set'].file.name}" in names

    restored_var = tmp_path / "restored-var"
    if connection.vendor == "postgresql":
        name = f"painway_restore_{uuid.uuid4().hex[:8]}"
        params = connection.settings_dict
        admin = psycopg2.connect(
            dbname="postgres",
            user=params["USER"],
            password=params["PASSWORD"] or None,
            host=params["HOST"],
            port=params["PORT"] or None,
        )
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        auth = f"{params['USER']}:{params['PASSWORD']}@" if params["PASSWORD"] else f"{params['USER']}@"
        url = f"postgres://{auth}{params['HOST']}:{params['PORT'] or 5432}/{name}"
        try:
            result = restore_in_subprocess(archive, url, restored_var)
            assert result.returncode == 0, result.stderr
            target = psycopg2.connect(
                dbname=name,
                user=params["USER"],
                password=params["PASSWORD"] or None,
                host=params["HOST"],
                port=params["PORT"] or None,
            )
            cursor = target.cursor()
            got = {}
            for table in TABLES:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
                got[table] = cursor.fetchone()[0]
            cursor.execute("SELECT nhs_number FROM pathway_patient ORDER BY nhs_number")
            restored_numbers = [row[0] for row in cursor.fetchall()]
            target.close()
        finally:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    else:
        database = tmp_path / "empty.sqlite3"
        result = restore_in_subprocess(archive, f"sqlite:///{database}", restored_var)
        assert result.returncode == 0, result.stderr
        target = sqlite3.connect(database)
        got = {table: target.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}  # noqa: S608
        restored_numbers = [row[0] for row in target.execute("SELECT nhs_number FROM pathway_patient ORDER BY 1")]
        target.close()

    assert got == expected
    assert restored_numbers == nhs_numbers
    restored_file = restored_var / "media" / data["data_set"].file.name
    assert restored_file.read_bytes() == b"month,episodes\n2026-10,3\n"


def test_restore_refuses_a_backup_of_another_kind_of_database(tmp_path):
    archive = tmp_path / "other.tar"
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"format": 1, "database": "oracle", "created_at": "2026-12-02"}')
    with tarfile.open(archive, "w") as tar:
        tar.add(manifest, arcname="manifest.json")
    result = restore_in_subprocess(archive, f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "var")
    assert result.returncode != 0
    assert "backup is of a oracle database" in result.stderr
