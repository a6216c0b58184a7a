"""Bulk row writing for the generator: COPY on PostgreSQL, batched INSERTs elsewhere.

Rows are dicts keyed by field attname with their primary keys chosen in advance, so children can
point at parents without reading anything back; fields a row leaves out take the model default.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif isinstance(value, (date, datetime, Decimal, int, float)):
        return str(value) if not isinstance(value, (date, datetime)) else value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class TableWriter:
    """Buffers rows of one model and flushes them every ``batch`` rows."""

    def __init__(self, model: type[models.Model], *, batch: int = 20_000):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        now = timezone.now()
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, (models.CharField, models.TextField)):
                self.defaults[f.attname] = ""
        self.batch = batch
        self.rows: list[dict] = []
        self.written = 0
        self.postgres = connection.vendor == "postgresql"

    def add(self, **row) -> bool:
        """Buffer a row; True when the buffer is full and the caller should flush."""
        self.rows.append(row)
        return len(self.rows) >= self.batch

    def _values(self, row: dict) -> list:
        defaults = self.defaults
        return [row[f.attname] if f.attname in row else defaults[f.attname] for f in self.fields]

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                for row in self.rows:
                    buffer.write("\t".join(_copy_text(v) for v in self._values(row)))
                    buffer.write("\n")
                buffer.seek(0)
                columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
                cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN", buffer)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
                # Table and column names come from the models, never from input.
                sql = f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) VALUES ({placeholders})"
                cursor.executemany(
                    sql,
                    [
                        [f.get_db_prep_save(v, connection) for f, v in zip(self.fields, self._values(row), strict=True)]
                        for row in self.rows
                    ],
                )
        self.written += len(self.rows)
        self.rows = []


def next_id(model: type[models.Model]) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(models_written) -> None:
    """Move PostgreSQL's identity sequences past the ids chosen here (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_written:
            table = model._meta.db_table
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
                [table],
            )
