"""Test clients signed in as a user: DRF's APIClient for /api/ paths, Django's Client for pages."""

from django.test import Client
from rest_framework.test import APIClient


def signed_in_client(user, url: str):
    if url.startswith("/api/"):
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    return client
