"""Process settings of the service's long-running workers (gunicorn and Celery), applied once each
worker has loaded the app."""

from __future__ import annotations

import gc


def settle_worker_heap() -> None:
    """Load what every request may need, then move the loaded heap out of the garbage collector's way.

    A worker holds about 150,000 long-lived objects (Django, the apps, WeasyPrint) that are never
    garbage. Python's full collection walks all of them each time it runs (about 100 ms here),
    and a letter PDF allocates enough to set one off, so one PDF in ten took 250-300 ms instead of
    100. ``gc.freeze()`` moves the objects alive now to a permanent generation that collections
    skip; what requests allocate later is still collected as before.
    """
    import weasyprint  # noqa: F401  (imported by letter_pdf on first use; loaded now to be frozen)

    gc.collect()
    gc.freeze()
