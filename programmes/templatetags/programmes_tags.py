"""The clinician's programme tasks on the work list (patients who missed sessions in a row)."""

from django import template

from ..selectors import missed_session_tasks

register = template.Library()


@register.inclusion_tag("programmes/_worklist_tasks.html", takes_context=True)
def programme_follow_ups(context):
    return {"tasks": missed_session_tasks(context["user"])[:50]}
