"""Fixtures for the core's tests: a real MESH server for letter delivery."""

import pytest

from pathway.tests.mesh_server import SENDER, SHARED_KEY, MeshSandbox


@pytest.fixture(scope="session")
def mesh_sandbox_server(tmp_path_factory):
    server = MeshSandbox(tmp_path_factory.mktemp("mesh"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mesh_sandbox(mesh_sandbox_server, settings):
    """The running sandbox, emptied, with the app's MESH settings pointing at it."""
    if not mesh_sandbox_server.running:
        mesh_sandbox_server.start()
    mesh_sandbox_server.reset()
    settings.MESH_URL = mesh_sandbox_server.url
    settings.MESH_MAILBOX = SENDER
    settings.MESH_PASSWORD = "password"
    settings.MESH_SHARED_KEY = SHARED_KEY
    yield mesh_sandbox_server
    if not mesh_sandbox_server.running:
        mesh_sandbox_server.start()
