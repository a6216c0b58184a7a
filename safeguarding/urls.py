"""Web pages, mounted under /safeguarding/. The monthly counts at report/ are a report page: reporting's
(reporting/safety_urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.lead_tasks, name="safeguarding-tasks"),
    path("patients/<int:pk>/", views.patient_page, name="safeguarding-patient"),
    path("patients/<int:pk>/communication/", views.communication_edit, name="safeguarding-communication"),
    path("patients/<int:pk>/consent/", views.consent_new, name="safeguarding-consent"),
    path("patients/<int:pk>/carers/", views.carer_new, name="safeguarding-carer"),
    path("episodes/<int:pk>/", views.episode_page, name="safeguarding-episode"),
    path("concerns/<int:pk>/close/", views.concern_close, name="safeguarding-concern-close"),
    path("incidents/<int:pk>/review/", views.incident_review, name="safeguarding-incident-review"),
]
