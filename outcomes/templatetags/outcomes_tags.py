"""``{% load outcomes_tags %}{% prom_scores_chart episode %}`` renders the PROM chart partial."""

from django import template

from outcomes.selectors import episode_prom_summary

register = template.Library()


@register.inclusion_tag("outcomes/_scores_chart.html")
def prom_scores_chart(episode):
    return {"prom_summary": episode_prom_summary(episode)}
