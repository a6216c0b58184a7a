"""Hand-written SQL for the rows a page or report shows: the floor each measure is compared with.

Each function returns ``[(sql, params), ...]``, run one after another. Plain SQL that PostgreSQL
and SQLite both accept (CASE sums rather than FILTER, CAST rather than ``::``).
"""

from __future__ import annotations

from datetime import date, timedelta

from pathway.calendar import add_months
from pathway.models import OPEN_STATES
from reporting.kpis import month_last_day

_OPEN = ", ".join(f"'{s}'" for s in sorted(OPEN_STATES))


def triage_queue(page_size: int = 25) -> list:
    return [
        (
            "SELECT r.*, e.state, e.triage_priority, e.triage_due_on, p.given_name, p.family_name, p.nhs_number,"
            " p.date_of_birth, pr.name, pr.ods_code"
            " FROM pathway_episode e JOIN referrals_referral r ON r.episode_id = e.id"
            " JOIN pathway_patient p ON p.id = e.patient_id JOIN pathway_practice pr ON pr.id = e.practice_id"
            " WHERE e.state = 'triage' ORDER BY e.triage_priority, e.triage_due_on, e.received_on, e.id LIMIT %s",
            [page_size],
        ),
        ("SELECT COUNT(*) FROM pathway_episode WHERE state = 'triage'", []),
    ]


def episode(pk: int) -> list:
    by_episode = [
        "SELECT * FROM pathway_pathwayevent WHERE episode_id = %s ORDER BY at, id",
        "SELECT * FROM pathway_deadline WHERE episode_id = %s AND met_on IS NULL AND cancelled_on IS NULL"
        " ORDER BY due_on",
        "SELECT * FROM careplans_appointment WHERE episode_id = %s ORDER BY date, time, id",
        "SELECT * FROM careplans_careplan WHERE episode_id = %s ORDER BY version DESC LIMIT 1",
        "SELECT * FROM pathway_rttperiod WHERE episode_id = %s ORDER BY clock_start, id",
        "SELECT * FROM careplans_medicationline WHERE episode_id = %s",
        "SELECT * FROM careplans_assessment WHERE episode_id = %s",
        "SELECT * FROM outcomes_promresponse WHERE episode_id = %s",
    ]
    return [
        (
            "SELECT e.*, p.*, pr.name, t.name, r.urgency, r.pain_site FROM pathway_episode e"
            " JOIN pathway_patient p ON p.id = e.patient_id JOIN pathway_practice pr ON pr.id = e.practice_id"
            " LEFT JOIN pathway_team t ON t.id = e.team_id LEFT JOIN referrals_referral r ON r.episode_id = e.id"
            " WHERE e.id = %s",
            [pk],
        ),
        *[(sql, [pk]) for sql in by_episode],
    ]


def ptl_first_page(today: date, page_size: int = 50) -> list:
    return [
        (
            "SELECT r.*, e.state, e.tier, e.patient_id, pr.ods_code,"
            " (SELECT MIN(a.date) FROM careplans_appointment a WHERE a.episode_id = e.id AND a.date >= %s"
            " AND a.outcome = '') AS next_appointment"
            " FROM pathway_rttperiod r JOIN pathway_episode e ON e.id = r.episode_id"
            " JOIN pathway_practice pr ON pr.id = e.practice_id"
            f" WHERE r.clock_stop IS NULL AND e.state IN ({_OPEN}) ORDER BY r.clock_start, r.id LIMIT %s",
            [today, page_size],
        )
    ]


def kpis(month: date, *, commissioner=None) -> list:
    """The eight KPIs' numerators and denominators for one month, one statement each."""
    start, end = month, month_last_day(month)
    cutoff = month_last_day(add_months(month, -9))
    scope_join, scope_params = "", []
    if commissioner is not None:
        scope_join = " JOIN pathway_practice sp ON sp.id = e.practice_id AND sp.commissioner_id = %s"
        scope_params = [commissioner.pk]

    def q(select: str, rest: str, params: list, select_params=()) -> tuple[str, list]:
        return (f"SELECT {select} {rest.replace('{scope}', scope_join)}", [*select_params, *scope_params, *params])

    discharged = "FROM pathway_episode e{scope} WHERE e.state = 'discharged' AND e.discharged_on BETWEEN %s AND %s"
    return [
        q(
            "SUM(CASE WHEN r.clock_start >= %s THEN 1 ELSE 0 END), COUNT(*)",
            "FROM pathway_rttperiod r JOIN pathway_episode e ON e.id = r.episode_id{scope}"
            " WHERE r.clock_start <= %s AND (r.clock_stop IS NULL OR r.clock_stop > %s)"
            " AND (e.discharged_on IS NULL OR e.discharged_on > %s)",
            [end, end, end],
            [end - timedelta(days=126)],
        ),
        q(
            "SUM(CASE WHEN a.kind = 'review' THEN 1 ELSE 0 END), SUM(CASE WHEN a.kind = 'new' THEN 1 ELSE 0 END)",
            "FROM careplans_appointment a JOIN pathway_episode e ON e.id = a.episode_id{scope}"
            " WHERE a.date BETWEEN %s AND %s AND a.outcome = 'attended' AND a.kind IN ('new', 'review')",
            [start, end],
        ),
        q(
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM careplans_careplan c WHERE c.episode_id = e.id"
            " AND c.shared_with_patient) THEN 1 ELSE 0 END), COUNT(*)",
            discharged,
            [start, end],
        ),
        q(
            "COUNT(*)",
            "FROM (SELECT (SELECT p.id FROM outcomes_promresponse p WHERE p.episode_id = e.id"
            " AND p.instrument = 'PSEQ' AND p.timepoint = 'entry' ORDER BY p.completed_on LIMIT 1) AS entry,"
            " (SELECT p.id FROM outcomes_promresponse p WHERE p.episode_id = e.id AND p.instrument = 'PSEQ'"
            " AND p.timepoint = 'discharge' ORDER BY p.completed_on DESC LIMIT 1) AS discharge "
            + discharged
            + ") pairs WHERE entry IS NOT NULL AND discharge IS NOT NULL",
            [start, end],
        ),
        q(
            "SUM(CASE WHEN s.positive THEN 1 ELSE 0 END), COUNT(*)",
            "FROM outcomes_experiencesurvey s JOIN pathway_episode e ON e.id = s.episode_id{scope}"
            " WHERE s.answered_on BETWEEN %s AND %s",
            [start, end],
        ),
        q(
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM pathway_letter l WHERE l.episode_id = e.id AND l.kind = 'discharge'"
            " AND l.sent_at IS NOT NULL AND CAST(l.sent_at AS DATE) <= l.due_on) THEN 1 ELSE 0 END), COUNT(*)",
            discharged,
            [start, end],
        ),
        q(
            "SUM(CASE WHEN d.decided_on <= r.triage_due_on THEN 1 ELSE 0 END), COUNT(*)",
            "FROM triage_triagedecision d JOIN referrals_referral r ON r.id = d.referral_id"
            " JOIN pathway_episode e ON e.id = d.episode_id{scope} WHERE d.decided_on BETWEEN %s AND %s",
            [start, end],
        ),
        q(
            "COUNT(*)",
            "FROM pathway_episode e{scope} WHERE e.admitted_on <= %s"
            " AND e.state NOT IN ('rejected', 'redirected') AND (e.discharged_on IS NULL OR e.discharged_on > %s)",
            [cutoff, end],
        ),
    ]
