"""The annual patient-experience report for commissioners: responses, themes and comments, no identifiers."""

from __future__ import annotations

import re
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth

from outcomes.models import ExperienceSurvey
from pathway.models import Commissioner

# Themes found in the comments by their words; a comment may touch several themes.
THEMES: dict[str, tuple[str, ...]] = {
    "Staff and care": ("staff", "kind", "caring", "friendly", "helpful", "rude", "listened", "respect"),
    "Waiting and access": ("wait", "waiting", "delay", "appointment", "cancel", "parking", "travel"),
    "Information and communication": ("explain", "information", "understand", "letter", "phone", "call"),
    "Programmes and groups": ("programme", "pmp", "group", "course", "session"),
    "Pain and everyday life": ("pain", "cope", "manage", "sleep", "work", "walk", "better", "worse"),
}

NUMBER = re.compile(r"\d[\d\s-]{4,}\d")
EMAIL = re.compile(r"\S+@\S+")


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def redact(comment: str, names: list[str]) -> str:
    """A comment without what could identify someone: the patient's names, numbers (NHS number, phone)
    and e-mail addresses."""
    text = EMAIL.sub("[e-mail]", comment)
    text = NUMBER.sub("[number]", text)
    for name in sorted({n for n in names if len(n) > 1}, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", "[name]", text, flags=re.IGNORECASE)
    return text


def themes_of(comment: str) -> list[str]:
    words = set(re.findall(r"[a-z]+", comment.lower()))
    return [theme for theme, keys in THEMES.items() if any(k in words or f"{k}s" in words for k in keys)]


def experience_report(commissioner: Commissioner | None, year: int) -> dict:
    """One year's experience survey answers of the patients of ``commissioner`` (None: the whole service):
    responses and positive answers per month, themes of the comments, the comments redacted."""
    start, end = year_bounds(year)
    surveys = ExperienceSurvey.objects.filter(answered_on__range=(start, end))
    if commissioner is not None:
        surveys = surveys.filter(episode__practice__commissioner=commissioner)
    per_month = {
        row["month"]: row
        for row in surveys.annotate(month=ExtractMonth("answered_on"))
        .order_by()
        .values("month")
        .annotate(responses=Count("id"), positive=Count("id", filter=Q(positive=True)))
    }
    months = [
        {
            "month": date(year, m, 1),
            "responses": per_month.get(m, {}).get("responses", 0),
            "positive": per_month.get(m, {}).get("positive", 0),
        }
        for m in range(1, 13)
    ]
    responses = sum(m["responses"] for m in months)
    positive = sum(m["positive"] for m in months)
    themes = {theme: {"theme": theme, "comments": 0, "positive": 0, "negative": 0} for theme in THEMES}
    comments = []
    for survey in (
        surveys.exclude(comments="")
        .select_related("episode__patient")
        .only("positive", "comments", "answered_on", "episode__patient__given_name", "episode__patient__family_name")
        .order_by("answered_on", "id")
    ):
        patient = survey.episode.patient
        found = themes_of(survey.comments)
        for theme in found:
            themes[theme]["comments"] += 1
            themes[theme]["positive" if survey.positive else "negative"] += 1
        comments.append(
            {
                "month": survey.answered_on.replace(day=1),
                "positive": survey.positive,
                "themes": found,
                "text": redact(survey.comments, [patient.given_name, patient.family_name]),
            }
        )
    return {
        "year": year,
        "commissioner": commissioner,
        "responses": responses,
        "positive": positive,
        "value": round(positive / responses, 4) if responses else None,
        "months": months,
        "themes": sorted(themes.values(), key=lambda t: (-t["comments"], t["theme"])),
        "comments": comments,
    }
