"""Gunicorn settings read from the working directory: the access log goes through the same redacting
filter as the app's logs (pathway/log_redaction.py), so search terms and questionnaire tokens in
request lines and referrers never reach it."""

accesslog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "pathway.log_redaction.RedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "access": {"class": "logging.StreamHandler", "filters": ["redact"], "stream": "ext://sys.stdout"},
        "error": {
            "class": "logging.StreamHandler",
            "filters": ["redact"],
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        },
    },
    # Gunicorn lays this over its own defaults key by key, and its default root logger names a handler
    # ("console") that the handlers above replace: without a root of our own it refused to start.
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
    },
}


def post_worker_init(worker):
    """Each worker, once the app is loaded: freeze its long-lived heap (pathway/runtime.py)."""
    from pathway.runtime import settle_worker_heap

    settle_worker_heap()
