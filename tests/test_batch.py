"""``pathway.batch.read_together``: several reads in one statement give what each queryset gives alone.

The demo data set holds a row of every kind a record's page reads; every table that hangs off an
episode or a patient is read back both ways and compared value by value, with the type of each value
(a Decimal keeps its digits, a time stays aware), and with each forward foreign key's row.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from careplans.models import Appointment, CarePlan
from pathway.batch import CountOf, PreparedReads, _evaluate, read_together
from pathway.models import Episode, Letter, Patient

pytestmark = pytest.mark.django_db

APPS = {"pathway", "careplans", "outcomes", "triage", "referrals", "safeguarding"}


@pytest.fixture
def demo():
    call_command("seed_demo", patients=10, stdout=io.StringIO())
    for model in _tables():
        if not model._base_manager.exists():
            _fill(model)


def _value(field, n: int):
    """A value for every kind of field, none of them empty (a row the demo data does not make)."""
    kind = field.get_internal_type()
    if field.many_to_one or field.one_to_one:
        taken = field.related_model._base_manager.order_by("pk")
        if field.one_to_one:
            used = field.model._base_manager.values(field.attname)
            taken = taken.exclude(pk__in=used)
        return taken.first()
    if field.choices:
        return field.choices[-1][0]
    return {
        "BooleanField": True,
        "DateField": date(2026, 3, 27),
        "DateTimeField": datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=UTC),
        "TimeField": time(9, 45),
        "DecimalField": Decimal("12.50"),
        "FloatField": 0.1,
        "JSONField": {"b": [1, 2.5, None], "a": "x"},
        "UUIDField": uuid.uuid4(),
        "BinaryField": b"%PDF",
    }.get(kind, n if "Integer" in kind else f"{field.name[:8]}{n}")


def _fill(model) -> None:
    row = model()
    for n, field in enumerate(model._meta.concrete_fields):
        if field.primary_key:
            continue
        value = _value(field, n)
        setattr(row, field.name if field.is_relation else field.attname, value)
    model._base_manager.bulk_create([row])


def _tables():
    """Every model that hangs off an episode or a patient, and the two themselves."""
    models = {Episode, Patient}
    for parent in (Episode, Patient):
        for rel in parent._meta.related_objects:
            if rel.related_model._meta.app_label in APPS and not rel.many_to_many:
                models.add(rel.related_model)
    return sorted(models, key=lambda m: m._meta.label)


def _binary(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.get_internal_type() == "BinaryField"]


def _forward_keys(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]


def _values(instance) -> list:
    loaded = instance.get_deferred_fields()
    return [
        (f.attname, type(v), str(v) if isinstance(v, Decimal) else v)
        for f in instance._meta.concrete_fields
        if f.attname not in loaded
        for v in [getattr(instance, f.attname)]
    ]


def _same(batch: list, alone: list) -> None:
    assert [type(i) for i in batch] == [type(i) for i in alone]
    for got, want in zip(batch, alone, strict=True):
        assert _values(got) == _values(want)
        assert got._state.adding is False and got._state.db == want._state.db


def test_every_table_of_a_record_reads_back_as_the_orm_reads_it(demo):
    reads = {}
    for model in _tables():
        queryset = model._base_manager.defer(*_binary(model)).order_by("pk")
        reads[model._meta.label_lower.replace(".", "_")] = queryset
    with CaptureQueriesContext(connection) as ctx:
        together = read_together(**reads)
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1
    for name, queryset in reads.items():
        assert together[name], name
        _same(together[name], list(queryset))


def test_each_forward_key_s_row_comes_with_it(demo):
    for model in _tables():
        keys = _forward_keys(model)
        if not keys:
            continue
        queryset = model._base_manager.defer(*_binary(model)).select_related(*keys).order_by("pk")
        (batch,) = read_together(rows=queryset).values()
        alone = list(queryset)
        _same(batch, alone)
        with CaptureQueriesContext(connection) as ctx:
            for got, want in zip(batch, alone, strict=True):
                for key in keys:
                    field = model._meta.get_field(key)
                    related, expected = field.get_cached_value(got), field.get_cached_value(want)
                    assert (related is None) == (expected is None), (model.__name__, key)
                    if related is not None:
                        binary = set(_binary(field.related_model))
                        if connection.vendor == "postgresql":  # left deferred, read if used
                            assert set(related.get_deferred_fields()) == binary
                        assert [v for v in _values(related) if v[0] not in binary] == [
                            v for v in _values(expected) if v[0] not in binary
                        ]
        assert ctx.captured_queries == [], "the related rows were read with their rows"


def test_order_slices_counts_and_empty_reads(demo):
    episode = Episode.objects.filter(appointments__isnull=False).order_by("id").first()
    newest_first = Appointment.objects.filter(episode=episode).order_by("-date", "-time", "-id")
    read = read_together(
        newest_two=newest_first[:2],
        newest_all=newest_first,
        count=CountOf(Appointment.objects.filter(episode=episode)),
        nothing=Appointment.objects.none(),
        none_counted=CountOf(Appointment.objects.filter(episode_id__in=[])),
        plans=CarePlan.objects.filter(episode=episode).order_by("-version")[:1],
    )
    assert [a.pk for a in read["newest_all"]] == [a.pk for a in newest_first]
    assert [a.pk for a in read["newest_two"]] == [a.pk for a in newest_first[:2]]
    assert read["count"] == Appointment.objects.filter(episode=episode).count() > 0
    assert read["nothing"] == [] and read["none_counted"] == 0
    latest = CarePlan.objects.filter(episode=episode).order_by("-version")[:1]
    assert [p.pk for p in read["plans"]] == [p.pk for p in latest]


@pytest.mark.parametrize(
    "queryset",
    [
        pytest.param(lambda: Letter.objects.all(), id="a binary field not deferred"),
        pytest.param(lambda: Appointment.objects.values("id"), id="values"),
        pytest.param(lambda: Appointment.objects.only("id"), id="only"),
        pytest.param(lambda: Episode.objects.annotate(n=Count("appointments")), id="annotate"),
        pytest.param(lambda: Appointment.objects.prefetch_related("episode"), id="prefetch"),
        pytest.param(lambda: Appointment.objects.select_related("episode__patient"), id="two levels"),
        pytest.param(lambda: Episode.objects.select_related(), id="select_related of everything"),
    ],
)
def test_a_queryset_it_cannot_read_exactly_is_refused(queryset):
    """On every database, so a page written against SQLite does not fail only on PostgreSQL."""
    with pytest.raises(ValueError, match="."):
        read_together(rows=queryset(), other=Appointment.objects.all())


def test_reads_of_two_databases_are_refused():
    with pytest.raises(ValueError, match="different databases"):
        read_together(here=Appointment.objects.all(), there=CountOf(Appointment.objects.using("elsewhere")))


# PreparedReads: the statement compiled once, sent again with other ids.


def _episode_reads(episode_id: int) -> dict:
    return {
        "appointments": Appointment.objects.filter(episode_id=episode_id).order_by("-date", "-time", "-id")[:3],
        "count": CountOf(Appointment.objects.filter(episode_id=episode_id)),
        "plans": CarePlan.objects.filter(episode_id=episode_id).select_related("episode").order_by("-version"),
        "nothing": Appointment.objects.none(),
    }


def test_prepared_reads_give_each_episode_its_own_rows_and_compile_once(demo):
    prepared = PreparedReads(_episode_reads, "episode_id")
    episodes = list(Episode.objects.order_by("id"))
    assert len(episodes) > 3
    prepared(episode_id=episodes[0].pk)
    compiled = []
    real = SQLCompiler.as_sql

    def counting(compiler, *args, **kwargs):
        compiled.append(compiler.query.model)
        return real(compiler, *args, **kwargs)

    for episode in [*episodes, Episode(pk=episodes[-1].pk + 1000)]:  # the last: no such episode
        with mock.patch.object(SQLCompiler, "as_sql", counting):
            read = prepared(episode_id=episode.pk)
        alone = {name: _evaluate(reads) for name, reads in _episode_reads(episode.pk).items()}
        assert read["count"] == alone["count"] and read["nothing"] == [] == alone["nothing"]
        _same(read["appointments"], alone["appointments"])
        _same(read["plans"], alone["plans"])
        assert [p.episode.pk for p in read["plans"]] == [episode.pk] * len(alone["plans"])
    assert Appointment.objects.filter(episode__in=episodes).exists() and CarePlan.objects.exists()
    if connection.vendor == "postgresql":
        # Built and compiled on the first call only: later ones send the statement with the new id.
        assert compiled == []
        with CaptureQueriesContext(connection) as ctx:
            prepared(episode_id=episodes[1].pk)
        assert len(ctx.captured_queries) == 1
        assert str(episodes[1].pk) in ctx.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    ("build", "error"),
    [
        pytest.param(
            lambda episode_id: {"rows": Appointment.objects.filter(pk__gt=RawSQL(str(episode_id), []))},
            "not the same for every id",
            id="the id written into the SQL",
        ),
        pytest.param(
            lambda episode_id: {"rows": Appointment.objects.filter(episode_id=episode_id + 1)},
            "neither an id nor the same",
            id="a value worked out from the id",
        ),
        pytest.param(
            lambda episode_id: {"rows": Appointment.objects.filter(episode_id=1)},
            "none of its ids",
            id="the id not used",
        ),
    ],
)
def test_reads_that_are_not_built_from_their_ids_alone_are_refused(db, build, error):
    prepared = PreparedReads(build, "episode_id")
    if connection.vendor != "postgresql":
        prepared(episode_id=1)  # evaluated as they are, every time
        return
    with pytest.raises(ValueError, match=error):
        prepared(episode_id=1)


def test_prepared_reads_take_their_ids_as_ints_by_name(db):
    prepared = PreparedReads(_episode_reads, "episode_id")
    with pytest.raises(TypeError, match="episode_id"):
        prepared(patient_id=1)
    with pytest.raises(TypeError, match="int"):
        prepared(episode_id="1")
