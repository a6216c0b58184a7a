"""Demo reporting data: the past months' data sets, generated and (mostly) submitted on time."""

from datetime import timedelta

from pathway.calendar import add_months
from pathway.models import Commissioner

from . import services

DEMO_MONTHS = 6


def seed(ctx) -> None:
    this_month = ctx.today.replace(day=1)
    for commissioner in Commissioner.objects.order_by("code"):
        for back in range(DEMO_MONTHS, 0, -1):
            month = add_months(this_month, -back)
            data_set = services.mds_generate(commissioner=commissioner, month=month)
            if data_set.due_on >= ctx.today:
                continue
            # One submission in six is a day late, so the on-time figure is not trivially 100%.
            late = ctx.rng.random() < 1 / 6
            submitted = data_set.due_on + timedelta(days=1) if late else data_set.due_on - timedelta(days=2)
            services.mds_submit(data_set=data_set, on=submitted, actor=ctx.users.get("lead"))
