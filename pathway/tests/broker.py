"""Point the test process's Celery publishing at a broker nobody listens on, as when Redis is down."""

import os
from contextlib import contextmanager

import kombu.pools

from pathway.celery import app as celery_app

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _reset_connections():
    kombu.pools.reset()
    celery_app.__dict__.pop("amqp", None)  # its producer pool holds the old broker's connection
    celery_app._pool = None


@contextmanager
def broker_unreachable(*, eager: bool = False):
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager", "broker_connection_timeout")}
    os.environ["CELERY_BROKER_URL"] = UNREACHABLE_BROKER
    celery_app.conf.update(broker_url=UNREACHABLE_BROKER, task_always_eager=eager, broker_connection_timeout=1)
    _reset_connections()
    try:
        yield
    finally:
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        celery_app.conf.update(saved)
        _reset_connections()
