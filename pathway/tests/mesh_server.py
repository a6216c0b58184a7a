"""A real mesh-sandbox MESH server in a subprocess, for letter delivery tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

SHARED_KEY = "TestKey"
SENDER = "X26ABC1"
PRACTICE_MAILBOX = "X26ABC2"
PASSWORD = "password"
MAILBOXES = ("X26ABC1", "X26ABC2", "X26ABC3")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MeshSandbox:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start on an empty store (the file store reloads old messages from disk otherwise)."""
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir.mkdir(parents=True)
        env = {
            **os.environ,
            "STORE_MODE": "file",
            "MAILBOXES_DATA_DIR": str(self.data_dir),
            "AUTH_MODE": "full",
            "SHARED_KEY": SHARED_KEY,
        }
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "mesh_sandbox.api:app", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("mesh-sandbox exited on start")
            try:
                if requests.get(f"{self.url}/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("mesh-sandbox did not start in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def reset(self) -> None:
        """Empty every mailbox between tests."""
        for mailbox in MAILBOXES:
            requests.delete(f"{self.url}/messageexchange/admin/reset/{mailbox}", timeout=5).raise_for_status()
