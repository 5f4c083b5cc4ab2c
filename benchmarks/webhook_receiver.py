"""A lean HTTP/1.1 receiver for benchmarks: answers 204 to every request and counts distinct webhook ids.

A bare asyncio protocol on uvloop rather than an ASGI server, so that the receiver costs as little CPU as
possible and the benchmark measures the sender. Run as `python -m benchmarks.webhook_receiver PORT COUNT_FILE`;
on SIGTERM it writes {"received", "distinct"} to COUNT_FILE and exits.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import uvloop

RESPONSE = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
received = 0
distinct: set[bytes] = set()


class Receiver(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        global received
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name == b"content-length":
                    length = int(value)
                elif name == b"webhook-id":
                    distinct.add(value.strip())
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            self.buffer = self.buffer[end:]
            received += 1
            assert self.transport is not None
            self.transport.write(RESPONSE)


async def serve(port: int, count_file: Path) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, "127.0.0.1", port, backlog=1024)
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    await stopped.wait()
    server.close()
    count_file.write_text(json.dumps({"received": received, "distinct": len(distinct)}))


def main() -> None:
    uvloop.run(serve(int(sys.argv[1]), Path(sys.argv[2])))


if __name__ == "__main__":
    main()
