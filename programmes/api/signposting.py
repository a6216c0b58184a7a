"""API: the maintained list of self-management resources, and those given to a patient."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from pathway import services as core
from pathway.access import access_clinical_episode, may_read_clinical
from pathway.api_schema import NOT_FOUND, action_responses

from .. import selectors, services
from ..models import Resource


class ResourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "name", "url", "description", "audience"]


class SignpostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = ResourceSerializer()
    context = serializers.CharField()
    attached_at = serializers.DateTimeField()


class SignpostInput(serializers.Serializer):
    resource_id = serializers.IntegerField()
    context = serializers.CharField()


class ResourceList(APIView):
    """The self-management resources the service signposts."""

    @extend_schema(responses={200: ResourceSerializer(many=True), 404: NOT_FOUND})
    def get(self, request):
        if not may_read_clinical(request.user):
            raise Http404("No such list.")
        return Response(ResourceSerializer(selectors.active_resources(), many=True).data)


class EpisodeSignposting(APIView):
    """Resources attached to the patient's care plan or discharge (printed in their letters)."""

    @extend_schema(responses={200: SignpostSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, pk):
        episode = access_clinical_episode(request.user, pk)
        core.record_view(user=request.user, episode=episode, via="api", path=request.path)
        return Response(SignpostSerializer(selectors.episode_signposts(episode.pk), many=True).data)

    @extend_schema(request=SignpostInput, responses=action_responses(201, SignpostSerializer))
    def post(self, request, pk):
        episode = access_clinical_episode(request.user, pk)
        data = SignpostInput(data=request.data)
        data.is_valid(raise_exception=True)
        resource = Resource.objects.filter(pk=data.validated_data["resource_id"]).first()
        signpost = services.signpost_attach(
            episode=episode, resource=resource, context=data.validated_data["context"], actor=request.user
        )
        return Response(SignpostSerializer(signpost).data, status=status.HTTP_201_CREATED)
