"""Letter pages, mounted under /letters/."""

from django.urls import path

from pathway.letters import views

urlpatterns = [
    path("", views.outbox, name="letters-outbox"),
    path("late/", views.late, name="letters-late"),
    path("inbox/", views.inbox, name="letters-inbox"),
    path("episode/<int:episode_id>/", views.episode_letters, name="letters-episode"),
    path("<int:pk>/", views.detail, name="letter-detail"),
    path("<int:pk>/pdf/", views.pdf, name="letter-pdf"),
    path("<int:pk>/approve/", views.approve, name="letter-approve"),
    path("<int:pk>/sent-by-hand/", views.mark_sent, name="letter-mark-sent"),
    path("<int:pk>/requeue/", views.requeue, name="letter-requeue"),
    path("<int:pk>/patient-copy/", views.patient_copy, name="letter-patient-copy"),
]
