"""What every test runs with: conftest's autouse fixtures apply it per test, and a session fixture that
seeds data outside a test (tests/test_query_counts.py) applies the same."""

from __future__ import annotations

from pathlib import Path

from pathway.celery import app as celery_app


def settings_for_tests(media_root: Path) -> dict:
    return {
        "MEDIA_ROOT": media_root,
        # A fast hasher: tests create many users, and PBKDF2 would dominate their run time.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The cache is shared between tests (and xdist workers on Redis): no cached KPI months by default.
        "REPORTING_TREND_CACHE_SECONDS": 0,
        # Tests sign users in directly (demo users too); accounts/tests covers the second factor switched on.
        "OTP_ENABLED": False,
    }


def celery_eager() -> None:
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


def ensure_formulary() -> None:
    """The formulary loaded by migration 0005 is data: a transactional test's flush empties it, so it is
    loaded again when missing."""
    from careplans.models import FormularyDrug
    from careplans.services.medications import formulary_load_starting_list

    if not FormularyDrug.objects.exists():
        formulary_load_starting_list()
