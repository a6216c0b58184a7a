"""Web pages of this app (mounted under /outcomes/)."""

from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("episodes/<int:pk>/", views.episode_outcomes, name="episode"),
    path("episodes/<int:pk>/proms/new/", views.paper_return, name="paper-return"),
    path("q/<str:token>/", views.patient_questionnaire, name="questionnaire"),
    path("feedback/", views.feedback_index, name="feedback"),
    path("feedback/new/", views.feedback_new, name="feedback-new"),
    path("feedback/<int:pk>/edit/", views.feedback_edit, name="feedback-edit"),
]
