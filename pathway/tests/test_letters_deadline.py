"""The 3-working-day discharge letter deadline, through the sweep, with real bank holidays."""

from datetime import date

import pytest
import time_machine

from pathway import services
from pathway.letters import services as letter_services
from pathway.letters.rules import letter_due_on
from pathway.models import Deadline, DeadlineKind, LetterKind, LetterState
from pathway.tasks import sweep_deadlines
from pathway.tests import letter_factories as lf
from reporting.kpis import KPI_BY_CODE, Scope


@pytest.mark.parametrize(
    ("kind", "start", "due"),
    [
        (LetterKind.DISCHARGE, date(2026, 8, 28), date(2026, 9, 3)),  # Friday before the 31 Aug bank holiday
        # Thursday 24 Dec: 25 Dec and the Boxing Day substitute (Mon 28) are out; 29, 30, 31 count.
        (LetterKind.DISCHARGE, date(2026, 12, 24), date(2026, 12, 31)),
        (LetterKind.DISCHARGE, date(2027, 3, 25), date(2027, 4, 1)),  # Good Friday and Easter Monday
        (LetterKind.DISCHARGE, date(2026, 12, 31), date(2027, 1, 6)),  # New Year's Day
        (LetterKind.OPIOID_ALERT, date(2026, 10, 5), date(2026, 10, 8)),
        (LetterKind.PRESCRIBING_ADVICE, date(2026, 10, 9), date(2026, 10, 14)),
        (LetterKind.TRIAGE_OUTCOME, date(2026, 10, 5), None),
    ],
)
def test_letter_due_on_counts_working_days_in_england(kind, start, due):
    assert letter_due_on(kind, start) == due


@pytest.fixture
def late_letter(db, practice):
    practice.mesh_mailbox = ""
    practice.save()
    consultant = lf.consultant()
    episode = lf.discharged_episode(clinician=consultant, discharged_on=date(2026, 8, 28), practice=practice)
    letter = lf.discharge_letter(
        episode, actor=consultant, due_on=letter_due_on(LetterKind.DISCHARGE, date(2026, 8, 28))
    )
    return letter, consultant


@pytest.mark.django_db
def test_discharge_letter_due_three_working_days_after_friday_discharge_breaches_on_friday(
    late_letter, service_lead, client, django_assert_max_num_queries
):
    letter, consultant = late_letter
    deadline = Deadline.objects.get(kind=DeadlineKind.DISCHARGE_LETTER, subject=f"letter:{letter.pk}")
    assert deadline.due_on == date(2026, 9, 3) and deadline.started_on == date(2026, 8, 28)

    with time_machine.travel("2026-09-03 23:30 +01:00", tick=False):
        sweep_deadlines.delay()
    deadline.refresh_from_db()
    assert deadline.breached_on is None

    with time_machine.travel("2026-09-04 00:10 +01:00", tick=False):
        sweep_deadlines.delay()
        sweep_deadlines.delay()  # idempotent
    deadline.refresh_from_db()
    assert deadline.breached_on == date(2026, 9, 4)

    client.force_login(service_lead)
    with django_assert_max_num_queries(10):
        response = client.get("/letters/late/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"L{letter.pk}" in body and "Breached" in body

    with time_machine.travel("2026-09-04 11:00 +01:00", tick=False):
        letter_services.letter_approve(letter=letter, actor=consultant)
        letter.refresh_from_db()
        assert letter.state == LetterState.MANUAL
        letter_services.letter_mark_sent_by_hand(letter=letter, actor=consultant)
    deadline.refresh_from_db()
    assert deadline.met_on == date(2026, 9, 4)
    assert deadline.breached_on == date(2026, 9, 4)  # late stays late for the KPI


@pytest.mark.django_db
def test_discharge_letter_sent_on_the_due_day_is_not_breached(late_letter):
    letter, consultant = late_letter
    with time_machine.travel("2026-09-03 16:00 +01:00", tick=False):
        letter_services.letter_approve(letter=letter, actor=consultant)
        letter_services.letter_mark_sent_by_hand(letter=letter, actor=consultant)
    with time_machine.travel("2026-09-07 08:00 +01:00", tick=False):
        assert services.deadline_sweep(today=services.today_london()) == 0
    deadline = Deadline.objects.get(subject=f"letter:{letter.pk}")
    assert deadline.met_on == date(2026, 9, 3) and deadline.breached_on is None


@pytest.mark.django_db
def test_sent_at_late_evening_counts_on_the_london_date(late_letter):
    letter, consultant = late_letter
    # 23:30 UTC on 3 Sep is 00:30 on 4 Sep in London (BST): one day late.
    with time_machine.travel("2026-09-03 23:30 +00:00", tick=False):
        letter_services.letter_approve(letter=letter, actor=consultant)
        letter_services.letter_mark_sent_by_hand(letter=letter, actor=consultant)
    assert Deadline.objects.get(subject=f"letter:{letter.pk}").met_on == date(2026, 9, 4)


@pytest.mark.django_db
def test_discharge_letter_kpi_counts_letters_delivered_by_their_london_due_day(late_letter):
    letter, consultant = late_letter
    other_consultant = lf.consultant()
    on_time_episode = lf.discharged_episode(clinician=other_consultant, discharged_on=date(2026, 9, 1))
    on_time = lf.discharge_letter(on_time_episode, actor=other_consultant, due_on=date(2026, 9, 4))
    on_time.practice.mesh_mailbox = ""
    on_time.practice.save()
    with time_machine.travel("2026-09-03 12:00 +01:00", tick=False):
        letter_services.letter_approve(letter=on_time, actor=other_consultant)
        letter_services.letter_mark_sent_by_hand(letter=on_time, actor=other_consultant)
    with time_machine.travel("2026-09-07 12:00 +01:00", tick=False):
        services.deadline_sweep(today=services.today_london())
        letter_services.letter_approve(letter=letter, actor=consultant)
        letter_services.letter_mark_sent_by_hand(letter=letter, actor=consultant)
    kpi = KPI_BY_CODE["discharge_letter_on_time"]
    assert kpi.counts(Scope(), date(2026, 8, 1)) == (0, 1)
    assert kpi.counts(Scope(), date(2026, 9, 1)) == (1, 1)
