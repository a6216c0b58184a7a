"""API of group programmes and signposting (mounted under /api/v1/)."""

from django.urls import path

from .programmes import (
    EnrolmentFollowUp,
    EnrolmentWithdraw,
    EpisodeProgrammes,
    ProgrammeAttendance,
    ProgrammeDetail,
    ProgrammeEnrol,
    ProgrammeList,
)
from .signposting import EpisodeSignposting, ResourceList

urlpatterns = [
    path("programmes/", ProgrammeList.as_view(), name="api-programmes"),
    path("programmes/<int:pk>/", ProgrammeDetail.as_view(), name="api-programme"),
    path("programmes/<int:pk>/enrol/", ProgrammeEnrol.as_view(), name="api-programme-enrol"),
    path(
        "programmes/<int:pk>/sessions/<int:number>/attendance/",
        ProgrammeAttendance.as_view(),
        name="api-programme-attendance",
    ),
    path("enrolments/<int:pk>/withdraw/", EnrolmentWithdraw.as_view(), name="api-enrolment-withdraw"),
    path("enrolments/<int:pk>/follow-up/", EnrolmentFollowUp.as_view(), name="api-enrolment-follow-up"),
    path("episodes/<int:pk>/programmes/", EpisodeProgrammes.as_view(), name="api-episode-programmes"),
    path("signposting/resources/", ResourceList.as_view(), name="api-signposting-resources"),
    path("episodes/<int:pk>/signposting/", EpisodeSignposting.as_view(), name="api-episode-signposting"),
]
