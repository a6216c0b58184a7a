"""Fixtures of the clinical-care tests: the real MESH server of the core's letter tests."""

from pathway.tests.conftest import mesh_sandbox, mesh_sandbox_server  # noqa: F401
