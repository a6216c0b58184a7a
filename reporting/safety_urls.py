"""The monthly safeguarding and significant-event counts, a report page kept at its address under
/safeguarding/ (mounted there by pathway/urls.py; safeguarding itself knows nothing of reporting)."""

from django.urls import path

from . import views

urlpatterns = [
    path("report/", views.safety_report, name="safeguarding-report"),
]
