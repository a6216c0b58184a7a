"""Web pages of clinical care, mounted under /care/."""

from django.urls import path

from . import views

urlpatterns = [
    path("worklist/", views.worklist, name="care-worklist"),
    path("mdt/", views.mdt_list, name="care-mdt"),
    path("groups/", views.group_list, name="care-groups"),
    path("groups/<int:pk>/", views.group_detail, name="care-group"),
    path("episodes/<int:pk>/", views.episode_page, name="care-episode"),
    path("episodes/<int:pk>/appointments/new/", views.appointment_new, name="care-appointment-new"),
    path("episodes/<int:pk>/assessment/", views.assessment_new, name="care-assessment"),
    path("episodes/<int:pk>/mental-health-referral/", views.mental_health_referral_sent, name="care-mh-referral"),
    path("episodes/<int:pk>/careplan/", views.careplan_edit, name="care-careplan"),
    path("episodes/<int:pk>/careplan/print/", views.careplan_print, name="care-careplan-print"),
    path("episodes/<int:pk>/careplan/share/", views.careplan_share, name="care-careplan-share"),
    path("episodes/<int:pk>/treatment-started/", views.treatment_started, name="care-treatment-started"),
    path("episodes/<int:pk>/medications/new/", views.medication_new, name="care-medication-new"),
    path("episodes/<int:pk>/medication-reviews/new/", views.medication_review_new, name="care-medication-review-new"),
    path("episodes/<int:pk>/discharge/", views.discharge, name="care-discharge"),
    path("episodes/<int:pk>/extension/", views.extension_new, name="care-extension"),
    path("episodes/<int:pk>/mdt/", views.mdt_review_new, name="care-mdt-review"),
    path("appointments/<int:pk>/outcome/", views.appointment_outcome, name="care-appointment-outcome"),
    path("appointments/<int:pk>/dna-decision/", views.appointment_dna_decision, name="care-dna-decision"),
    path("medications/<int:pk>/stop/", views.medication_stop, name="care-medication-stop"),
    path("extensions/pending/", views.extensions_pending, name="care-extensions-pending"),
    path("extensions/<int:pk>/decision/", views.extension_decision, name="care-extension-decision"),
]
