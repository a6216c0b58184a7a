"""Web pages of SPA triage, under /triage/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue, name="triage-queue"),
    path("queue/table/", views.queue_partial, name="triage-queue-table"),
    path("next/", views.claim_next, name="triage-next"),
    path("breaches/", views.breaches, name="triage-breaches"),
    path("referrals/<int:pk>/claim/", views.claim, name="triage-claim"),
    path("referrals/<int:pk>/release/", views.release, name="triage-release"),
    path("referrals/<int:pk>/reassign/", views.reassign, name="triage-reassign"),
    path("episodes/<int:pk>/", views.episode_triage, name="triage-episode"),
    path("episodes/<int:pk>/red-flags/clear/", views.clear_red_flag, name="triage-clear-red-flag"),
    path("episodes/<int:pk>/red-flags/send/", views.send_red_flag, name="triage-send-red-flag"),
    path("red-flags/", views.red_flag_reviews, name="triage-red-flag-reviews"),
    path("episodes/<int:pk>/info-received/", views.info_received, name="triage-info-received"),
]
