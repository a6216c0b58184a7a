from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

api_patterns = [
    path("", include("pathway.api")),
    path("", include("pathway.letters.api")),
    path("", include("referrals.api")),
    path("", include("triage.api")),
    path("", include("careplans.api")),
    path("", include("outcomes.api")),
    path("", include("reporting.api")),
    path("", include("interop.fhir.api")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(template_name="pathway/login.html"), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("patients/", views.patient_search, name="patient-search"),
    path("patients/<int:pk>/", views.patient_detail, name="patient-detail"),
    path("deadlines/breached/", views.breached_deadlines, name="breached-deadlines"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("referrals/", include("referrals.urls")),
    path("triage/", include("triage.urls")),
    path("care/", include("careplans.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("reports/", include("reporting.urls")),
    path("letters/", include("pathway.letter_urls")),
]

handler400 = "pathway.views.bad_request"
handler404 = "pathway.views.not_found"
handler500 = "pathway.views.server_error"
