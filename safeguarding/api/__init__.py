"""API of consent, carers, communication needs, safeguarding and incidents (mounted under /api/v1/)."""

from django.urls import path

from .patient import PatientCarers, PatientCommunication, PatientConsents
from .safety import ConcernClose, EpisodeIncidents, EpisodeSafeguarding, IncidentReview

urlpatterns = [
    path("patients/<int:pk>/", PatientCommunication.as_view(), name="api-patient"),
    path("patients/<int:pk>/consents/", PatientConsents.as_view(), name="api-patient-consents"),
    path("patients/<int:pk>/carers/", PatientCarers.as_view(), name="api-patient-carers"),
    path("episodes/<int:pk>/safeguarding/", EpisodeSafeguarding.as_view(), name="api-episode-safeguarding"),
    path("safeguarding/<int:pk>/close/", ConcernClose.as_view(), name="api-safeguarding-close"),
    path("episodes/<int:pk>/incidents/", EpisodeIncidents.as_view(), name="api-episode-incidents"),
    path("incidents/<int:pk>/review/", IncidentReview.as_view(), name="api-incident-review"),
]
