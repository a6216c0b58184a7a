"""Health for the load balancer and the orchestrator: unauthenticated, and never any data.

/healthz: the process answers. /readyz: each service the app needs, named, with 503 when one is down.
"""

from __future__ import annotations

import logging
import uuid

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Short: a readiness probe must answer before the orchestrator gives up on it.
PROBE_TIMEOUT_SECONDS = 3


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    from pathway.celery import app

    with app.connection_for_write(connect_timeout=PROBE_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)


def _cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def _mesh() -> None:
    # Reachability only: the sandbox and MESH answer /health (or any HTTP status) without credentials.
    requests.get(
        f"{settings.MESH_URL.rstrip('/')}/health",
        timeout=PROBE_TIMEOUT_SECONDS,
        verify=settings.MESH_CA_BUNDLE or settings.MESH_VERIFY_SSL,
    )


CHECKS = {"database": _database, "broker": _broker, "cache": _cache, "mesh": _mesh}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            # The reason goes to the log only: the answer is public.
            logger.warning("readiness: %s is down: %s", name, type(exc).__name__)
            checks[name] = "down"
        else:
            checks[name] = "ok"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "down", "checks": checks}, status=200 if ready else 503)
