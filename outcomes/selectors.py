"""Reads of the outcomes app for views, API and reports."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from pathway.access import episodes_visible_to
from pathway.rules import get_rules

from . import scoring
from .models import Feedback, Instrument, PromInvitation, PromResponse, Timepoint

SCORE_LABELS = {
    Instrument.PSEQ: ("total", "PSEQ total (0-60, higher is better)"),
    Instrument.BPI: ("interference", "BPI interference (0-10, lower is better)"),
    Instrument.EQ5D5L: ("index", "EQ-5D-5L index (higher is better)"),
}
TIMEPOINTS = [Timepoint.ENTRY, Timepoint.DISCHARGE, Timepoint.FOLLOWUP]
# The y-axis range of each instrument's chart.
CHART_RANGES = {Instrument.PSEQ: (0, 60), Instrument.BPI: (0, 10), Instrument.EQ5D5L: (-0.6, 1.0)}
CHART_X = {"entry": 60, "discharge": 170, "followup": 280}
CHART_TOP, CHART_HEIGHT = 15, 110


def episode_proms(episode) -> QuerySet[PromResponse]:
    return episode.prom_responses.select_related("entered_by").order_by("completed_on", "id")


def episode_invitations(episode) -> QuerySet[PromInvitation]:
    return episode.prom_invitations.order_by("created_at", "id")


def _eq5d_in(scores: dict | None, value_set: str) -> dict | None:
    """EQ-5D scores re-expressed in one value set, so changes compare like with like."""
    if not scores or not scores.get("profile"):
        return scores
    return {**scores, "index": float(scoring.eq5d_index(scores["profile"], value_set))}


def episode_prom_summary(episode, responses=None) -> list[dict]:
    """Per instrument: the scores at entry, discharge and follow-up (latest complete response at
    each), the change from entry and whether it is a meaningful improvement.

    Returns ``[{"instrument", "label", "key", "scores": {timepoint: dict|None}, "values":
    {timepoint: number|None}, "value_set", "changes": {"discharge"|"followup": {"change",
    "improved"}}}]``. Rules are the configurable thresholds of PATHWAY_RULES.
    """
    rules = get_rules()
    responses = list(episode_proms(episode) if responses is None else responses)
    summary = []
    for instrument in Instrument:
        key, label = SCORE_LABELS[instrument]
        latest: dict[str, PromResponse] = {}
        for response in responses:
            if response.instrument == instrument and response.complete:
                latest[response.timepoint] = response
        scores = {tp.value: (latest[tp].scores if tp in latest else None) for tp in TIMEPOINTS}
        value_set = ""
        if instrument == Instrument.EQ5D5L:
            value_set = next((r.value_set for r in latest.values() if r.value_set), rules["eq5d_value_set"])
            scores = {tp: _eq5d_in(s, value_set) for tp, s in scores.items()}
        changes = {}
        for tp in (Timepoint.DISCHARGE, Timepoint.FOLLOWUP):
            change, improved = scoring.improvement(instrument, scores["entry"], scores[tp.value], rules)
            changes[tp.value] = {"change": change, "improved": improved}
        values = {tp: (s or {}).get(key) for tp, s in scores.items()}
        low, high = CHART_RANGES[instrument]
        points = [
            {
                "timepoint": tp,
                "label": Timepoint(tp).label,
                "value": value,
                "x": CHART_X[tp],
                "y": round(CHART_TOP + (1 - (value - low) / (high - low)) * CHART_HEIGHT, 1),
            }
            for tp, value in values.items()
            if value is not None
        ]
        summary.append(
            {
                "instrument": instrument.value,
                "label": label,
                "name": instrument.label,
                "key": key,
                "scores": scores,
                "values": values,
                "value_set": value_set,
                "changes": changes,
                "has_data": bool(points),
                "chart": {
                    "points": points,
                    "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
                    "low": low,
                    "high": high,
                    "y_low": CHART_TOP + CHART_HEIGHT,
                    "y_high": CHART_TOP,
                },
            }
        )
    return summary


def feedback_list(*, user=None) -> QuerySet[Feedback]:
    """The log, newest first; for ``user``, only entries about no episode or about an episode they may see.

    outcomes.filters.FeedbackFilter narrows it by the page's filters.
    """
    qs = Feedback.objects.select_related("recorded_by", "episode")
    if user is not None:
        qs = qs.filter(Q(episode__isnull=True) | Q(episode__in=episodes_visible_to(user)))
    return qs.order_by("-received_on", "-id")
