"""Web pages of the reporting app, mounted under /reports/."""

from django.urls import path

from . import views

urlpatterns = [
    path("kpis/", views.kpi_dashboard, name="reports-kpis"),
    path("kpis/<slug:code>/episodes/", views.kpi_drill_down, name="reports-kpi-episodes"),
    path("over-9-months/", views.over_nine_months, name="reports-over-9-months"),
    path("activity/", views.activity, name="reports-activity"),
    path("experience/", views.experience, name="reports-experience"),
    path("experience/pdf/", views.experience_pdf, name="reports-experience-pdf"),
    path("opioids/", views.opioid_comparison, name="reports-opioids"),
    path("ptl/", views.ptl, name="reports-ptl"),
    path("ptl/export.csv", views.ptl_export, name="reports-ptl-export"),
    path("mds/", views.data_sets, name="reports-mds"),
    path("mds/<int:pk>/download/", views.data_set_download, name="reports-mds-download"),
    path("mds/<int:pk>/submitted/", views.data_set_submitted, name="reports-mds-submitted"),
]
