from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import governance_views, health, views

api_patterns = [
    path("", include("accounts.api")),
    path("", include("pathway.api")),
    path("", include("pathway.letters.api")),
    path("", include("referrals.api")),
    path("", include("triage.api")),
    path("", include("careplans.api")),
    path("", include("outcomes.api")),
    path("", include("reporting.api")),
    path("", include("safeguarding.api")),
    path("", include("programmes.api")),
    path("", include("interop.fhir.api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(template_name="pathway/login.html"), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("patients/", views.patient_search, name="patient-search"),
    path("patients/<int:pk>/", views.patient_detail, name="patient-detail"),
    path("patients/<int:pk>/access/", governance_views.patient_access_log, name="patient-access-log"),
    path("patients/reconcile/", governance_views.reconciliation_list, name="reconciliation-list"),
    path("patients/reconcile/<int:pk>/", governance_views.reconciliation_detail, name="reconciliation-detail"),
    path("audit/break-glass/", governance_views.break_glass, name="break-glass"),
    path("deadlines/breached/", views.breached_deadlines, name="breached-deadlines"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (no inline script); its page keeps
    # a <style> block, allowed on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("referrals/", include("referrals.urls")),
    path("triage/", include("triage.urls")),
    path("care/", include("careplans.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("reports/", include("reporting.urls")),
    path("letters/", include("pathway.letter_urls")),
    path("safeguarding/", include("safeguarding.urls")),
    path("safeguarding/", include("reporting.safety_urls")),
    path("programmes/", include("programmes.urls")),
]

handler400 = "pathway.views.bad_request"
handler404 = "pathway.views.not_found"
handler500 = "pathway.views.server_error"
