"""API: programmes, enrolment with a waiting list, attendance, and a patient's hours."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway import services as core
from pathway.access import access_clinical_episode
from pathway.api_schema import NOT_FOUND, PAGE, action_responses, paginated
from pathway.pagination import Pagination

from .. import selectors, services
from ..access import access_enrolment, access_programme, require_programme_staff
from ..models import Enrolment, Programme


class SessionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=False)


class ProgrammeSerializer(serializers.ModelSerializer):
    sessions = SessionSerializer(many=True, read_only=True)
    enrolled = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name", "kind", "mode", "capacity", "hours", "enrolled", "waiting", "sessions"]


class ProgrammeInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.CharField()
    mode = serializers.CharField()
    capacity = serializers.IntegerField(required=False)
    sessions = SessionSerializer(many=True)


class ProgrammeList(APIView):
    """Programmes with their places taken and waiting list; clinicians and the lead create them."""

    @extend_schema(
        operation_id="v1_programmes_list",
        parameters=[PAGE],
        responses={200: paginated(ProgrammeSerializer), 404: NOT_FOUND},
    )
    def get(self, request):
        require_programme_staff(request.user)
        paginator = Pagination()
        rows = paginator.paginate_queryset(
            selectors.programmes_with_places().prefetch_related("sessions"), request, view=self
        )
        return paginator.get_paginated_response(ProgrammeSerializer(rows, many=True).data)

    @extend_schema(request=ProgrammeInput, responses=action_responses(201, ProgrammeSerializer))
    def post(self, request):
        require_programme_staff(request.user)
        data = ProgrammeInput(data=request.data)
        data.is_valid(raise_exception=True)
        programme = services.programme_create(actor=request.user, **data.validated_data)
        return Response(
            ProgrammeSerializer(access_programme(request.user, programme.pk)).data, status=status.HTTP_201_CREATED
        )


class RosterSerializer(serializers.Serializer):
    enrolment_id = serializers.IntegerField(source="pk")
    episode_id = serializers.IntegerField()
    status = serializers.CharField()
    attended_sessions = serializers.SerializerMethodField()
    follow_up_needed = serializers.BooleanField(source="missed_task_open")

    def get_attended_sessions(self, obj) -> list[int]:
        return sorted(a.session_id for a in obj.attendances.all() if a.attended)


class ProgrammeDetailSerializer(ProgrammeSerializer):
    roster = serializers.SerializerMethodField()

    class Meta(ProgrammeSerializer.Meta):
        fields = [*ProgrammeSerializer.Meta.fields, "roster"]

    def get_roster(self, obj) -> list[dict]:
        return RosterSerializer(selectors.roster(self.context["user"], obj), many=True).data


class ProgrammeDetail(APIView):
    """A programme with its sessions and the enrolments of the patients you may see."""

    @extend_schema(responses={200: ProgrammeDetailSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        programme = access_programme(request.user, pk)
        return Response(ProgrammeDetailSerializer(programme, context={"user": request.user}).data)


class EnrolInput(serializers.Serializer):
    episode_id = serializers.IntegerField()
    waiting_list = serializers.BooleanField(
        required=False, default=True, help_text="false: refuse (409) rather than join the waiting list when full"
    )


class EnrolOutput(serializers.Serializer):
    id = serializers.IntegerField()
    episode_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Enrolment.Status.choices)


def _episode(user, episode_id):
    """The episode named in a body: a 400 naming ``episode_id`` when it is not one the user may see."""
    try:
        return access_clinical_episode(user, episode_id)
    except Http404:
        raise serializers.ValidationError({"episode_id": ["No such episode."]}) from None


class ProgrammeEnrol(APIView):
    """Enrol a patient: ``enrolled`` while places last, then ``waiting``."""

    @extend_schema(request=EnrolInput, responses=action_responses(201, EnrolOutput))
    def post(self, request, pk):
        programme = access_programme(request.user, pk)
        data = EnrolInput(data=request.data)
        data.is_valid(raise_exception=True)
        episode = _episode(request.user, data.validated_data["episode_id"])
        enrolment = services.programme_enrol(
            programme=programme,
            episode=episode,
            actor=request.user,
            waiting_list=data.validated_data["waiting_list"],
        )
        return Response(EnrolOutput(enrolment).data, status=status.HTTP_201_CREATED)


class AttendanceInput(serializers.Serializer):
    episode_id = serializers.IntegerField()
    attended = serializers.BooleanField()


class AttendanceOutput(serializers.Serializer):
    episode_id = serializers.IntegerField(source="enrolment.episode_id")
    session = serializers.IntegerField(source="session.number")
    attended = serializers.BooleanField()
    follow_up_needed = serializers.BooleanField(source="enrolment.missed_task_open")


class ProgrammeAttendance(APIView):
    """Record whether an enrolled patient attended session ``number``."""

    @extend_schema(request=AttendanceInput, responses=action_responses(200, AttendanceOutput))
    def post(self, request, pk, number):
        programme = access_programme(request.user, pk)
        session = programme.sessions.filter(number=number).first()
        if session is None:
            raise Http404(f"The programme has no session {number}.")
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        episode = _episode(request.user, data.validated_data["episode_id"])
        attendance = services.attendance_record(
            programme=programme,
            session=session,
            episode=episode,
            attended=data.validated_data["attended"],
            actor=request.user,
        )
        attendance.enrolment.refresh_from_db()
        return Response(AttendanceOutput(attendance).data)


class EpisodeProgrammeSerializer(serializers.Serializer):
    programme_id = serializers.IntegerField()
    enrolment_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    mode = serializers.CharField()
    status = serializers.CharField()
    sessions = serializers.IntegerField()
    sessions_attended = serializers.IntegerField()
    sessions_missed = serializers.IntegerField()
    hours_attended = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    programme_hours = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    follow_up_needed = serializers.BooleanField()


class EpisodeProgrammes(APIView):
    """The patient's programmes: hours attended against the programme's hours."""

    @extend_schema(responses={200: EpisodeProgrammeSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, pk):
        episode = access_clinical_episode(request.user, pk)
        core.record_view(user=request.user, episode=episode, via="api", path=request.path)
        return Response(EpisodeProgrammeSerializer(selectors.episode_programmes(episode), many=True).data)


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class WithdrawOutput(serializers.Serializer):
    status = serializers.CharField()
    place_offered_to_episode_id = serializers.IntegerField(allow_null=True)


class EnrolmentWithdraw(APIView):
    """The patient leaves the programme; the first on the waiting list is offered the place."""

    @extend_schema(request=WithdrawInput, responses=action_responses(200, WithdrawOutput))
    def post(self, request, pk):
        enrolment = access_enrolment(request.user, pk)
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        promoted = services.enrolment_withdraw(
            enrolment=enrolment, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(
            {
                "status": Enrolment.Status.WITHDRAWN,
                "place_offered_to_episode_id": promoted.episode_id if promoted else None,
            }
        )


class FollowUpInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class EnrolmentFollowUp(APIView):
    """The clinician records the follow-up of missed sessions (closes the task)."""

    @extend_schema(request=FollowUpInput, responses=action_responses(200, EnrolOutput))
    def post(self, request, pk):
        enrolment = access_enrolment(request.user, pk)
        data = FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.missed_task_complete(
            enrolment=enrolment, actor=request.user, note=data.validated_data["note"]
        )
        return Response(EnrolOutput(enrolment).data)
