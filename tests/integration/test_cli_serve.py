import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.messaging.smtp_receiver import free_port


def test_serve_with_two_processes_answers_and_stops_cleanly(tmp_path: Path) -> None:
    # given a store in a fresh database
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {**os.environ, "GOODWORD_DATABASE_URL": url, "GOODWORD_LOG_LEVEL": "WARNING"}
    created = subprocess.run(
        [sys.executable, "-m", "goodword", "create-store", "--name", "Tea House", "--json"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    key = json.loads(created.stdout)["api_key"]
    port = free_port()
    # when the server runs with two processes
    server = subprocess.Popen(
        [sys.executable, "-m", "goodword", "serve", "--port", str(port), "--processes", "2", "--no-worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready in 30 s"
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {key}"}
        # then writes and reads reach the same database from either process
        for n in range(6):
            response = httpx.post(f"{base}/api/v1/customers", json={"external_id": f"c{n}"}, headers=headers)
            assert response.status_code == 201, response.text
        listed = httpx.get(f"{base}/api/v1/customers", headers=headers).json()
        assert [c["external_id"] for c in listed["data"]] == [f"c{n}" for n in range(6)]
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=30)
    # and SIGTERM stops every process cleanly
    assert server.returncode == 0, errors
