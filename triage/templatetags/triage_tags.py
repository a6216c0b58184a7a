"""The red-flagged referrals SPA sent this clinician, on their work list."""

from django import template

from ..selectors import can_clear_red_flags, red_flag_reviews_for

register = template.Library()


@register.inclusion_tag("triage/_worklist_red_flags.html", takes_context=True)
def red_flags_to_review(context):
    user = context["user"]
    return {"rows": red_flag_reviews_for(user) if can_clear_red_flags(user) else None}
