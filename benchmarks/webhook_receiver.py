"""A lean HTTP receiver for benchmarks: answers 204 to every POST and counts distinct webhook ids.

Run as `python -m benchmarks.webhook_receiver PORT COUNT_FILE`; it writes its counts to COUNT_FILE on SIGTERM.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import uvicorn

received = 0
distinct: set[str] = set()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global received
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    received += 1
    for name, value in scope["headers"]:
        if name == b"webhook-id":
            distinct.add(value.decode())
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def main() -> None:
    port, count_file = int(sys.argv[1]), Path(sys.argv[2])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )

    def write_counts(*_: object) -> None:
        count_file.write_text(json.dumps({"received": received, "distinct": len(distinct)}))
        server.should_exit = True

    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    signal.signal(signal.SIGTERM, write_counts)
    server.run()


if __name__ == "__main__":
    main()
