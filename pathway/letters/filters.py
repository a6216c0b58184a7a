"""Query filters of letter lists (kind, state, episode), shared by the outbox page and the API."""

from __future__ import annotations

import django_filters

from pathway.filters import IdFilter, QueryFilterSet
from pathway.models import Letter, LetterKind, LetterState


class LetterFilter(QueryFilterSet):
    kind = django_filters.ChoiceFilter(
        label="Kind",
        choices=LetterKind.choices,
        empty_label="Any kind",
        error_messages={"invalid_choice": "'%(value)s' is not a kind of letter."},
    )
    state = django_filters.ChoiceFilter(
        label="Show letters that are",
        choices=LetterState.choices,
        empty_label="In any state",
        error_messages={"invalid_choice": "'%(value)s' is not a letter state."},
    )
    episode = IdFilter(field_name="episode_id", label="Episode")

    class Meta(QueryFilterSet.Meta):
        model = Letter
        fields: list[str] = []
