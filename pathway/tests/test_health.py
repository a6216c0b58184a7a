"""Health, as found: there was no health endpoint, and /sign-in/ answered 200 with the database down.
/healthz says the process answers; /readyz checks the database, broker, cache and MESH, naming each,
and answers 503 when one is down. Both need no sign-in and show no data."""

import pytest
from django.db import connections
from django.test import Client

from pathway.celery import app as celery_app
from pathway.tests.broker import UNREACHABLE_BROKER, broker_unreachable

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ready(mesh_sandbox):
    return mesh_sandbox


@pytest.fixture
def broker_down():
    with broker_unreachable(eager=celery_app.conf.task_always_eager):
        yield


@pytest.fixture
def database_down():
    """The default connection pointed at a database server that is not there."""
    original = connections["default"]
    broken = original.copy()
    if original.vendor == "sqlite":
        broken.settings_dict["NAME"] = "/nonexistent-folder/painway.sqlite3"
    else:
        broken.settings_dict.update(HOST="127.0.0.1", PORT="1")
    connections["default"] = broken
    yield
    broken.close()
    connections["default"] = original


def test_healthz_answers_without_sign_in_and_without_data():
    r = Client().get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert "no-store" in r["Cache-Control"]


def test_readyz_names_each_service_when_all_are_up(ready):
    r = Client().get("/readyz")
    assert r.status_code == 200, r.json()
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "cache": "ok", "mesh": "ok"}}


def test_readyz_is_503_naming_mesh_when_it_is_down(ready):
    ready.stop()
    r = Client().get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"] == {"database": "ok", "broker": "ok", "cache": "ok", "mesh": "down"}


def test_readyz_is_503_naming_the_broker_when_it_is_down(ready, broker_down):
    r = Client().get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["broker"] == "down" and r.json()["checks"]["database"] == "ok"


def test_readyz_is_503_naming_the_cache_when_it_is_down(ready, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_BROKER}
    }
    r = Client().get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["cache"] == "down"


def test_readyz_is_503_naming_the_database_when_it_is_unreachable(ready, database_down):
    r = Client().get("/readyz")
    assert r.status_code == 503
    assert r.json() == {
        "status": "down",
        "checks": {"database": "down", "broker": "ok", "cache": "ok", "mesh": "ok"},
    }
    assert Client().get("/healthz").status_code == 200
