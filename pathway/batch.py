"""Several reads of one page in one round trip to the database.

A record's page reads a dozen short lists (the episode's appointments, letters, deadlines, ...). Each
costs the ORM's building of its SQL and a round trip to PostgreSQL, about 1 ms together, while the
database's own work is a few hundredths of that. ``read_together`` sends them as one statement:
every queryset's own SQL, as the ORM compiles it (its filters, order and slice) but selecting only
the key, becomes a subquery; each of its rows is read by that key and comes back in one JSON array
per queryset, and the rows are turned back into model instances holding the values the ORM would
have given them (``tests/test_batch.py`` compares the two field by field).

On other databases (SQLite: the demo and the tests' default) each queryset is simply evaluated.

What a queryset may use: filters, ordering, slicing, ``defer`` and ``select_related`` one level deep
(forward foreign keys). Anything else (annotations, ``values``, ``only``, ``distinct``, prefetching,
reads of two databases) is refused with ``ValueError``, as is a field whose value the JSON would not
carry exactly (binary, duration): defer it. A related row's binary fields are left deferred (read if
used, as ``defer`` would).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable


@dataclass(frozen=True)
class CountOf:
    """A read whose answer is the number of rows, as ``queryset.count()``."""

    queryset: QuerySet


def _as_is(value):
    return value


# How each kind of field's value comes back from JSON, and how its column is put into the JSON. A
# decimal travels as text, so no digit is lost to a float.
_FROM_JSON = {
    "AutoField": _as_is,
    "BigAutoField": _as_is,
    "SmallAutoField": _as_is,
    "IntegerField": _as_is,
    "BigIntegerField": _as_is,
    "SmallIntegerField": _as_is,
    "PositiveIntegerField": _as_is,
    "PositiveBigIntegerField": _as_is,
    "PositiveSmallIntegerField": _as_is,
    "BooleanField": _as_is,
    "CharField": _as_is,
    "TextField": _as_is,
    "EmailField": _as_is,
    "SlugField": _as_is,
    "URLField": _as_is,
    "GenericIPAddressField": _as_is,
    "FileField": _as_is,
    "JSONField": _as_is,
    "ForeignKey": _as_is,
    "OneToOneField": _as_is,
    "FloatField": float,
    "DecimalField": Decimal,
    "DateField": date.fromisoformat,
    "DateTimeField": datetime.fromisoformat,
    "TimeField": time.fromisoformat,
    "UUIDField": uuid.UUID,
}


def _converter(field):
    kind = field.get_internal_type()
    if kind in ("ForeignKey", "OneToOneField"):
        return _converter(field.target_field)
    if kind not in _FROM_JSON or (kind == "JSONField" and field.decoder is not None):
        raise ValueError(f"{field.model.__name__}.{field.name} ({kind}) cannot be read together: defer it")
    convert = _FROM_JSON[kind]
    if convert is _as_is:
        return None
    return convert


def _column(alias: str, field) -> str:
    column = f'{alias}."{field.column}"'
    kind = field.get_internal_type()
    if kind in ("ForeignKey", "OneToOneField"):
        kind = field.target_field.get_internal_type()
    return f"{column}::text" if kind == "DecimalField" else column


class _Rows:
    """One queryset as a JSON array of rows, and back to instances."""

    def __init__(self, queryset: QuerySet):
        query = queryset.query
        if (
            queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups
            or query.annotations
            or query.extra
            or query.combinator
            or query.distinct
            or (query.deferred_loading[0] and not query.deferred_loading[1])
        ):
            raise ValueError(f"{queryset.model.__name__}: only filters, order, slices, defer and select_related")
        self.model = queryset.model
        self.db = queryset.db
        deferred = set(query.deferred_loading[0]) if query.deferred_loading[1] else set()
        self.fields = [f for f in self.model._meta.concrete_fields if f.name not in deferred]
        self.related = []
        if query.select_related:
            if query.select_related is True or any(query.select_related.values()):
                raise ValueError(f"{self.model.__name__}: select_related names one level of foreign keys")
            for name in query.select_related:
                field = self.model._meta.get_field(name)
                if not (field.many_to_one or field.one_to_one) or field.auto_created:
                    raise ValueError(f"{self.model.__name__}.{name}: select_related of a forward key only")
                fields = [
                    f for f in field.related_model._meta.concrete_fields if f.get_internal_type() != "BinaryField"
                ]
                self.related.append((field, fields))
        self.queryset = queryset  # its SQL selects only the key (values_list drops select_related)
        self.converters = [_converter(f) for f in self.fields]
        self.related_converters = [[_converter(f) for f in fields] for _, fields in self.related]

    def sql(self) -> tuple[str, list]:
        # The queryset's SQL selects only the key (its filters, order and slice as they are): building its
        # full column list would cost the ORM as much again. Each row is then read by its key, with the
        # row of each foreign key named in select_related. Only the ORM's own SQL and the models' table
        # and column names are put into the text; every value travels in params.
        inner, params = self.queryset.values_list("pk").query.get_compiler(using=self.db).as_sql()
        meta = self.model._meta
        parts = [f"json_build_array({', '.join(_column('x', f) for f in self.fields)})"]
        for n, (field, fields) in enumerate(self.related):
            columns = ", ".join(_column(f"r{n}", f) for f in fields)
            parts.append(
                f'(SELECT json_build_array({columns}) FROM "{field.related_model._meta.db_table}" r{n}'  # noqa: S608
                f' WHERE r{n}."{field.target_field.column}" = x."{field.column}")'
            )
        row = (
            f'(SELECT json_build_array({", ".join(parts)}) FROM "{meta.db_table}" x WHERE x."{meta.pk.column}" = t.pk)'  # noqa: S608
        )
        # An aggregate over a sorted subquery, with nothing joined above it, reads the rows in that order
        # (PostgreSQL's documented alternative to an ORDER BY inside the call): the queryset's order.
        return f"(SELECT coalesce(json_agg({row}), '[]')::text FROM ({inner}) t (pk))", list(params)  # noqa: S608

    def instances(self, text: str) -> list[Model]:
        rows = json.loads(text)
        attnames = [f.attname for f in self.fields]
        out = []
        for row in rows:
            instance = self.model.from_db(self.db, attnames, _convert(row[0], self.converters))
            for n, (field, fields) in enumerate(self.related):
                data = row[1 + n]
                related = None
                if data is not None:
                    related = field.related_model.from_db(
                        self.db, [f.attname for f in fields], _convert(data, self.related_converters[n])
                    )
                field.set_cached_value(instance, related)
            out.append(instance)
        return out


def _convert(values: list, converters: list) -> list:
    return [v if convert is None or v is None else convert(v) for v, convert in zip(values, converters, strict=True)]


def _evaluate(read: QuerySet | CountOf):
    return read.queryset.count() if isinstance(read, CountOf) else list(read)


class _Statement:
    """The reads compiled into one PostgreSQL statement, and how each answer is turned back."""

    def __init__(self, reads: dict, db: str):
        self.db = db
        self.counts = {name: isinstance(read, CountOf) for name, read in reads.items()}
        selects, self.params, self.loaders = [], [], {}
        for name, read in reads.items():
            try:
                if isinstance(read, CountOf):
                    counted = (
                        read.queryset if read.queryset.query.is_sliced else read.queryset.order_by()
                    )  # no sort to count
                    inner, inner_params = counted.query.get_compiler(using=db).as_sql()
                    selects.append(f"(SELECT count(*) FROM ({inner}) t)")  # noqa: S608
                    self.params.extend(inner_params)
                    self.loaders[name] = int
                else:
                    rows = _Rows(read)
                    sql, sql_params = rows.sql()
                    selects.append(sql)
                    self.params.extend(sql_params)
                    self.loaders[name] = rows.instances
            except EmptyResultSet:  # a filter that can match nothing (``none()``, ``__in=[]``)
                self.loaders[name] = None
        self.sql = "SELECT " + ", ".join(selects) if selects else ""

    def run(self, params: list) -> dict:
        answered = [name for name, load in self.loaders.items() if load is not None]
        values = []
        if self.sql:
            with connections[self.db].cursor() as cursor:
                cursor.execute(self.sql, params)
                values = cursor.fetchone()
        results = dict(zip(answered, values, strict=True))
        return {
            name: (load(results[name]) if load is not None else 0 if self.counts[name] else [])
            for name, load in self.loaders.items()
        }


def _database(reads: dict) -> str:
    dbs = {(read.queryset if isinstance(read, CountOf) else read).db for read in reads.values()}
    if len(dbs) > 1:
        raise ValueError("reads of different databases cannot be sent together")
    (db,) = dbs
    # Each queryset's shape is checked on every database, so a page written against SQLite does not
    # fail only on PostgreSQL.
    for read in reads.values():
        if not isinstance(read, CountOf):
            _Rows(read)
    return db


def read_together(**reads: QuerySet | CountOf) -> dict:
    """Evaluate each named queryset (a list of instances) or ``CountOf`` (an int), in one statement on
    PostgreSQL."""
    if not reads:
        return {}
    db = _database(reads)
    if connections[db].vendor != "postgresql":
        return {name: _evaluate(read) for name, read in reads.items()}
    statement = _Statement(reads, db)
    return statement.run(statement.params)


# Two made-up values for each key of prepared reads: ids no row has (negative, and far from any limit of
# an integer column, which the ORM would answer without asking the database).
_SAMPLES = (-1_999_999_973, -1_999_999_929)


class PreparedReads:
    """``read_together`` for reads built from ids alone (an episode's, a user's), the ORM's work done once.

    Building a page's dozen querysets and compiling their SQL costs the ORM more than PostgreSQL takes to
    run them (the episode page's 17 lists: about 10 ms against 1-2 ms). Reads built from ids alone have
    the same SQL every time but for the ids' values. So the first call builds the reads twice, from two
    made-up values of each id, compiles both, and keeps the statement once it has checked that the two
    differ only where an id's value goes, in the same way each time (``ValueError`` otherwise); later
    calls put the ids' values in those places and send it.

    ``build(**ids)`` must depend on its ids alone: anything else it reads (today's date, a service rule,
    the signed-in user's teams) would be kept from the first call. Other databases than PostgreSQL
    evaluate ``build(**ids)`` on every call, as ``read_together`` does.
    """

    def __init__(self, build, *keys: str):
        self.build = build
        self.keys = tuple(keys)
        self._prepared: tuple[_Statement, list] | None = None

    def __call__(self, **ids: int) -> dict:
        if set(ids) != set(self.keys):
            raise TypeError(f"{self.build.__name__} reads by {', '.join(self.keys)}")
        for key, value in ids.items():
            if type(value) is not int:
                raise TypeError(f"{key} must be an int, not {type(value).__name__}")
        prepared = self._prepared
        if prepared is None:
            reads = self.build(**ids)
            db = _database(reads) if reads else None
            if db is None or connections[db].vendor != "postgresql":
                return {name: _evaluate(read) for name, read in reads.items()}
            prepared = self._prepared = self._prepare(db)
        statement, slots = prepared
        return statement.run([ids[slot[1]] if slot[0] else slot[1] for slot in slots])

    def _prepare(self, db: str) -> tuple[_Statement, list]:
        first = {key: _SAMPLES[0] + n for n, key in enumerate(self.keys)}
        second = {key: _SAMPLES[1] + n for n, key in enumerate(self.keys)}
        a = _Statement(self.build(**first), db)
        b = _Statement(self.build(**second), db)
        name = self.build.__name__
        if a.sql != b.sql or len(a.params) != len(b.params) or list(a.loaders) != list(b.loaders):
            raise ValueError(f"{name}: its SQL is not the same for every id, so it cannot be prepared")
        # Each place holds either one id (its made-up values in both) or the same value in both.
        slots = []
        for one, two in zip(a.params, b.params, strict=True):
            keys = [key for key in self.keys if one == first[key] and two == second[key]]
            if keys and type(one) is int and type(two) is int:
                slots.append((True, keys[0]))
            elif one == two and type(one) is type(two) and one not in first.values():
                slots.append((False, one))
            else:
                raise ValueError(f"{name}: a value of its SQL is neither an id nor the same every time")
        if not any(is_key for is_key, _ in slots) and self.keys:
            raise ValueError(f"{name}: its SQL holds none of its ids")
        return a, slots
