"""Web pages, mounted under /safeguarding/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.lead_tasks, name="safeguarding-tasks"),
    path("report/", views.safety_report, name="safeguarding-report"),
]
