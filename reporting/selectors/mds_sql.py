"""The monthly data set's rows as one set-based PostgreSQL query.

``mds_queryset`` (the ORM, with the KPIs' own predicates) asks about 40 correlated subqueries for
every episode of the month, and its filter works out the close date of every rejected or redirected
episode ever received: at 1,000,000 referrals that is 11 s for 143,000 rows, all of it in PostgreSQL.
This query reads each table once for the month's episodes instead: the episodes active in the month
from indexes, then per table one pass grouped by episode (first triage decision, RTT period at month
end, attendances, written care plan, discharge letter, PROM scores, survey answers, extensions,
prescribing advice), joined by episode id.

It returns the same columns, with the same values, as ``mds_queryset(...).values(...)``; the ORM
query stays the definition (SQLite uses it, and the KPIs share its predicates), and
``reporting/tests/test_mds_copy.py`` checks on PostgreSQL that the files written from the two are
identical byte for byte, on the shared KPI data and on data made for every edge.
"""

from __future__ import annotations

from datetime import date, timedelta

from careplans.models import Appointment
from outcomes.models import Timepoint
from pathway.episode_dates import limit_reached_if_admitted_by
from pathway.models import Commissioner, EpisodeState, Letter, LetterKind, LetterState

from .. import kpis
from ..kpis import month_last_day

CLOSED_AT_TRIAGE = (EpisodeState.REJECTED.value, EpisodeState.REDIRECTED.value)

# Each score as mds_queryset reads it (kpis.prom_score): the first complete entry response, the latest
# complete discharge and follow-up response, with a number under the instrument's key.
_SCORES = [
    (f"{name}_{suffix}", instrument, timepoint, key, order)
    for name, (instrument, key) in kpis.PROM_PAIRS.items()
    for suffix, timepoint, order in (
        ("entry", Timepoint.ENTRY, "p.completed_on, p.id"),
        ("discharge", Timepoint.DISCHARGE, "p.completed_on DESC, p.id DESC"),
        ("followup", Timepoint.FOLLOWUP, "p.completed_on DESC, p.id DESC"),
    )
]


def _score(alias: str, instrument: str, timepoint: str, key: str, order: str) -> str:
    has_number = f"p.scores ? '{key}' AND NOT ((p.scores -> '{key}') = 'null'::jsonb)"
    return (
        f"(array_agg((p.scores ->> '{key}')::double precision ORDER BY {order})"
        f" FILTER (WHERE p.instrument = '{instrument}' AND p.timepoint = '{timepoint}' AND {has_number}))[1]"
        f" AS {alias}"
    )


def _on_time(letter: str = "l") -> str:
    """pathway.letters.selectors.letters_on_time: delivered by the end of the due day, London time."""
    return (
        f"{letter}.due_on IS NOT NULL AND {letter}.sent_at IS NOT NULL"
        f" AND ({letter}.sent_at AT TIME ZONE 'Europe/London')::date <= {letter}.due_on"
    )


def mds_sql(commissioner: Commissioner | None, month: date, *, active: str) -> tuple[str, str, dict]:
    """(the SQL of the month's episode ids, the SQL of their rows, params). The first fills the table
    named ``active`` (analysed before the second runs, so PostgreSQL plans the joins for the month's
    rows, not a guess); the second reads it and gives the rows, ordered by episode id, with
    ``mds_queryset``'s columns."""
    end = month_last_day(month)
    params = {
        "month": month,
        "end": end,
        "by_end": kpis.london_midnight(end + timedelta(days=1)),
        "limit_admitted_by": limit_reached_if_admitted_by(end),
        "commissioner": commissioner.pk if commissioner is not None else None,
        "closed_at_triage": list(CLOSED_AT_TRIAGE),
        "discharged": EpisodeState.DISCHARGED.value,
        "followup": Timepoint.FOLLOWUP.value,
        "new": Appointment.Kind.NEW.value,
        "review": Appointment.Kind.REVIEW.value,
        "group": Appointment.Kind.GROUP.value,
        "attended": Appointment.Outcome.ATTENDED.value,
        "dna": Appointment.Outcome.DNA.value,
        "discharge_letter": LetterKind.DISCHARGE.value,
        "advice": LetterKind.PRESCRIBING_ADVICE.value,
        "cancelled": LetterState.CANCELLED.value,
        "to_practice": Letter.Recipient.GP.value,
    }
    scope = "" if commissioner is None else "AND pr.commissioner_id = %(commissioner)s"
    scores = ",\n           ".join(_score(*spec) for spec in _SCORES)
    last_stop = (
        "(SELECT s.clock_stop FROM pathway_rttperiod s WHERE s.episode_id = e.id"
        " ORDER BY s.clock_start DESC, s.id DESC LIMIT 1)"
    )
    active_sql = f"""
    -- Received by the month's end and not closed before it began (closed: discharged on its discharge
    -- date, rejected or redirected at its last clock stop; open otherwise) ...
    SELECT e.id FROM pathway_episode e
     WHERE e.received_on <= %(end)s
       AND (e.state <> %(discharged)s AND NOT e.state = ANY(%(closed_at_triage)s)
            OR e.state = %(discharged)s AND (e.discharged_on IS NULL OR e.discharged_on >= %(month)s))
    UNION
    -- (a rejected or redirected episode whose last period stopped in or after the month: from the
    -- clock-stop index, not a look at every one ever closed at triage) ...
    SELECT e.id FROM pathway_episode e
     WHERE e.state = ANY(%(closed_at_triage)s) AND e.received_on <= %(end)s
       AND e.id IN (SELECT s.episode_id FROM pathway_rttperiod s
                     WHERE s.clock_stop >= %(month)s OR s.clock_stop IS NULL)
       AND coalesce({last_stop} >= %(month)s, true)
    UNION
    SELECT e.id FROM pathway_episode e
     WHERE e.state = ANY(%(closed_at_triage)s) AND e.received_on <= %(end)s
       AND NOT EXISTS (SELECT 1 FROM pathway_rttperiod s WHERE s.episode_id = e.id)
    UNION
    -- ... or with an experience survey answer or a follow-up questionnaire in the month.
    SELECT s.episode_id FROM outcomes_experiencesurvey s WHERE s.answered_on BETWEEN %(month)s AND %(end)s
    UNION
    SELECT p.episode_id FROM outcomes_promresponse p
     WHERE p.timepoint = %(followup)s AND p.completed_on BETWEEN %(month)s AND %(end)s
"""  # noqa: S608  (the text holds only this module's SQL and a table name of ours; values go in params)
    rows_sql = f"""
WITH first_decision AS (
    SELECT DISTINCT ON (d.episode_id) d.episode_id, d.outcome, d.decided_on, d.referral_id
      FROM triage_triagedecision d
     WHERE d.episode_id IN (SELECT id FROM {active})
     ORDER BY d.episode_id, d.decided_on, d.id
),
period AS (
    -- As at month end: a clock nullified after it was still running then.
    SELECT DISTINCT ON (p.episode_id) p.episode_id, p.clock_start, p.clock_stop, p.status_code
      FROM pathway_rttperiod p
     WHERE p.episode_id IN (SELECT id FROM {active})
       AND p.clock_start <= %(end)s AND (NOT p.nullified OR p.clock_stop > %(end)s)
     ORDER BY p.episode_id, p.clock_start DESC, p.id DESC
),
attendance AS (
    SELECT a.episode_id,
           count(*) FILTER (WHERE a.kind = %(new)s AND a.outcome = %(attended)s) AS new_attendances,
           count(*) FILTER (WHERE a.kind = %(review)s AND a.outcome = %(attended)s) AS review_attendances,
           count(*) FILTER (WHERE a.kind = %(group)s AND a.outcome = %(attended)s) AS group_attendances,
           count(*) FILTER (WHERE a.outcome = %(dna)s) AS dnas
      FROM careplans_appointment a
     WHERE a.date BETWEEN %(month)s AND %(end)s
     GROUP BY a.episode_id
),
written_plan AS (
    -- careplans.selectors.care_plan_written_q
    SELECT DISTINCT c.episode_id FROM careplans_careplan c
     WHERE c.episode_id IN (SELECT id FROM {active})
       AND NOT (c.goals = '[]'::jsonb) AND NOT (c.flare_up_plan = '') AND NOT (c.emergency_plan = '')
       AND c.shared_with_gp AND c.shared_with_patient
),
discharge_letter AS (
    SELECT l.episode_id,
           (array_agg(l.sent_at ORDER BY l.sent_at, l.id) FILTER (WHERE l.sent_at IS NOT NULL))[1] AS sent_at,
           (array_agg(l.due_on ORDER BY l.sent_at, l.id) FILTER (WHERE l.sent_at IS NOT NULL))[1] AS due_on,
           bool_or({_on_time()}) AS on_time
      FROM pathway_letter l
     WHERE l.kind = %(discharge_letter)s AND l.episode_id IN (SELECT id FROM {active})
     GROUP BY l.episode_id
),
scores AS (
    SELECT p.episode_id,
           {scores}
      FROM outcomes_promresponse p
     WHERE p.complete AND p.episode_id IN (SELECT id FROM {active})
     GROUP BY p.episode_id
),
survey AS (
    SELECT s.episode_id, count(*) AS answers, count(*) FILTER (WHERE s.positive) AS positive
      FROM outcomes_experiencesurvey s
     WHERE s.answered_on BETWEEN %(month)s AND %(end)s
     GROUP BY s.episode_id
),
extension AS (
    SELECT x.episode_id,
           bool_or(x.approved_at IS NOT NULL AND x.approved_at < %(by_end)s) AS approved,
           bool_or(x.requested_at < %(by_end)s
                   AND (x.declined_at IS NULL OR x.declined_at >= %(by_end)s)) AS waiting,
           bool_or(x.requested_at < %(by_end)s AND x.declined_at < %(by_end)s) AS declined
      FROM careplans_extension x
     WHERE x.episode_id IN (SELECT id FROM {active})
     GROUP BY x.episode_id
),
advice AS (
    -- kpis.prescribing_advice_rows: advice letters to the practice for decisions made in the month.
    SELECT l.episode_id, count(*) AS letters, count(*) FILTER (WHERE {_on_time()}) AS on_time
      FROM pathway_letter l
     WHERE l.kind = %(advice)s AND l.recipient = %(to_practice)s AND NOT (l.state = %(cancelled)s)
       AND l.episode_id IN (SELECT id FROM {active})
       AND (SELECT d.started_on FROM pathway_deadline d
             WHERE d.episode_id = l.episode_id AND d.kind = %(advice)s AND d.subject = 'letter:' || l.id::varchar
             ORDER BY d.due_on, d.id LIMIT 1) BETWEEN %(month)s AND %(end)s
     GROUP BY l.episode_id
)
SELECT e.id, e.patient_id, c.code AS commissioner_code, pr.ods_code AS practice_ods,
       pt.date_of_birth, pt.sex, pt.postcode, e.received_on,
       coalesce(ref.urgency, '') AS urgency,
       fd.outcome AS triage_outcome, fd.decided_on AS triage_decided_on,
       ref.triage_due_on AS referral_triage_due_on,
       -- The decision's referral is the episode's own (one to one), already joined as ref: no hash of
       -- every referral for it; a decision naming another referral reads that one's due date.
       fd.decided_on <= CASE WHEN fd.referral_id = ref.id THEN ref.triage_due_on
                             ELSE (SELECT r.triage_due_on FROM referrals_referral r WHERE r.id = fd.referral_id)
                        END AS triage_on_time,
       e.tier, e.state,
       CASE WHEN e.state = %(discharged)s THEN e.discharged_on
            WHEN e.state = ANY(%(closed_at_triage)s) THEN {last_stop} END AS closed_on,
       e.admitted_on,
       per.clock_start AS rtt_clock_start, per.clock_stop AS rtt_clock_stop, per.status_code AS rtt_status_code,
       coalesce(att.new_attendances, 0) AS new_attendances,
       coalesce(att.review_attendances, 0) AS review_attendances,
       coalesce(att.group_attendances, 0) AS group_attendances,
       coalesce(att.dnas, 0) AS dnas,
       wp.episode_id IS NOT NULL AS care_plan_shared,
       e.discharged_on, e.discharge_reason,
       dl.sent_at AS letter_sent_at, dl.due_on AS letter_due_on, coalesce(dl.on_time, false) AS letter_on_time,
       (e.admitted_on IS NOT NULL AND e.admitted_on <= %(limit_admitted_by)s
        AND NOT e.state = ANY(%(closed_at_triage)s)
        AND (e.discharged_on IS NULL OR e.discharged_on > %(end)s)) AS over_9_months,
       sc.pseq_entry, sc.pseq_discharge, sc.bpi_entry, sc.bpi_discharge, sc.eq5d_entry, sc.eq5d_discharge,
       sc.pseq_followup, sc.bpi_followup, sc.eq5d_followup,
       coalesce(sv.answers, 0) AS experience_answers, coalesce(sv.positive, 0) AS experience_positive,
       e.ome_first_attendance_mg, e.ome_discharge_mg,
       coalesce(ext.approved, false) AS extension_approved,
       CASE WHEN ext.approved THEN 'agreed' WHEN ext.waiting THEN 'requested' WHEN ext.declined THEN 'declined'
            ELSE '' END AS extension_state,
       coalesce(adv.letters, 0) AS prescribing_advice_letters,
       coalesce(adv.on_time, 0) AS prescribing_advice_on_time
  FROM {active} active
  JOIN pathway_episode e ON e.id = active.id
  JOIN pathway_practice pr ON pr.id = e.practice_id
  JOIN pathway_commissioner c ON c.id = pr.commissioner_id
  JOIN pathway_patient pt ON pt.id = e.patient_id
  LEFT JOIN referrals_referral ref ON ref.episode_id = e.id
  LEFT JOIN first_decision fd ON fd.episode_id = e.id
  LEFT JOIN period per ON per.episode_id = e.id
  LEFT JOIN attendance att ON att.episode_id = e.id
  LEFT JOIN written_plan wp ON wp.episode_id = e.id
  LEFT JOIN discharge_letter dl ON dl.episode_id = e.id
  LEFT JOIN scores sc ON sc.episode_id = e.id
  LEFT JOIN survey sv ON sv.episode_id = e.id
  LEFT JOIN extension ext ON ext.episode_id = e.id
  LEFT JOIN advice adv ON adv.episode_id = e.id
 WHERE e.received_on <= %(end)s {scope}
 ORDER BY e.id
"""  # noqa: S608
    return active_sql, rows_sql, params
