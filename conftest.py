"""Fixtures shared by every app's tests."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from pathway.models import Role
from pathway.tests import factories as f
from pathway.tests import run_defaults


@pytest.fixture(autouse=True)
def _celery_eager():
    run_defaults.celery_eager()
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    for name, value in run_defaults.settings_for_tests(tmp_path / "media").items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _formulary(request):
    """The formulary loaded by migration 0005 is data: a transactional test's flush empties it, so
    tests that use the database get the starting list back when it is missing."""
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        return
    request.getfixturevalue("_django_db_helper")
    run_defaults.ensure_formulary()


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def practice(db):
    return f.PracticeFactory()


@pytest.fixture
def team(db):
    return f.TeamFactory()


@pytest.fixture
def clinician(db, team):
    user = f.UserFactory(role=Role.CLINICIAN)
    team.members.add(user)
    return user


@pytest.fixture
def spa_user(db):
    return f.UserFactory(role=Role.SPA_TRIAGE)


@pytest.fixture
def service_lead(db):
    return f.UserFactory(role=Role.SERVICE_LEAD)


@pytest.fixture
def gp_user(db, practice):
    return f.UserFactory(role=Role.GP_PRACTICE, practice=practice)


@pytest.fixture
def commissioner_user(db, practice):
    return f.UserFactory(role=Role.COMMISSIONER, commissioner=practice.commissioner)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated as that user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
