"""Time every list page and list API once on the loaded data set (the demo), slowest first.

    PAINWAY_VAR_DIR=var .venv/bin/python manage.py shell -c "exec(open('scripts/page_timings.py').read())"

Each page is requested as the demo user who uses it: one warm-up request, then the best of three
timed ones (the machine is shared), with the
ids of the busiest episodes from tests/test_query_counts.py. Nothing is written.
"""

import time

from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext, override_settings

from pathway.models import Patient
from tests.test_query_counts import EPISODE_PAGES, LIST_PAGES, client_for, list_ids, objects

with override_settings(ALLOWED_HOSTS=["*"]), transaction.atomic():
    ids = {**objects(), **list_ids()}
    busiest = Patient.objects.annotate(n=Count("episodes", distinct=True), e=Count("episodes__events"))
    ids["busiest_patient"] = busiest.order_by("-n", "-e", "id").first().pk
    extra = [("patient-detail-most-episodes", "lead", "/patients/{busiest_patient}/")]
    results = []
    for case, username, template in LIST_PAGES + EPISODE_PAGES + extra:
        url = template.format(**ids)
        client = client_for(username, url)
        client.get(url)
        best = None
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                elapsed = time.perf_counter() - start
            if best is None or elapsed < best[0]:
                best = (elapsed, ctx)
        elapsed, ctx = best
        sql = sum(float(q["time"]) for q in ctx.captured_queries)
        results.append((elapsed, sql, len(ctx.captured_queries), response.status_code, case, username, url))
    transaction.set_rollback(True)  # record_view and sessions: leave the demo data as it was

for elapsed, sql, queries, status, case, username, url in sorted(results, reverse=True):
    print(
        f"{elapsed * 1000:8.1f} ms (SQL {sql * 1000:6.1f} ms) {queries:5d} q  {status}  {case:<28} {username:<13} {url}"
    )
