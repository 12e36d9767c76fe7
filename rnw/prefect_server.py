"""A local Prefect server for schedules (the ephemeral API runs flows but cannot schedule them)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


class ServerError(RuntimeError):
    """The Prefect server did not come up."""


def api_url() -> str | None:
    return os.environ.get("PREFECT_API_URL") or None


def server_is_up(url: str, timeout: float = 2.0) -> bool:
    try:
        return requests.get(f"{url.rstrip('/')}/health", timeout=timeout).ok
    except requests.RequestException:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, port: int | None = None, timeout: float = 180.0) -> tuple[subprocess.Popen, str]:
    """Start ``prefect server start`` on loopback with its database under ``home``; wait until healthy."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    env.pop("PREFECT_API_URL", None)
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "server.log", "ab")  # noqa: SIM115 (owned by the child process)
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"prefect server exited with {process.returncode}; see {home / 'server.log'}")
        if server_is_up(url):
            return process, url
        time.sleep(0.5)
    process.terminate()
    raise ServerError(f"prefect server not healthy after {timeout:.0f} s; see {home / 'server.log'}")
