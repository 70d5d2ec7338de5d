"""WebSocket clients of the live meme feed for ``bench.memes``, in a process of their own:

    python -m bench._memes_ws URL[,URL…] CLIENTS MESSAGES [TIMEOUT]

opens CLIENTS connections, spread round-robin over the URLs (one per daphne process), prints
``ready N`` once they are all open, records when each client receives each message, and when every
client has MESSAGES of them (or after TIMEOUT seconds) prints one JSON line: the receipt times per
client and the texts client 0 received (to check which meme each one carried).

A receipt is timed when the first bytes of the message's frame reach the client's socket
(``time.monotonic_ns`` in ``data_received``, the same clock in every process on Linux). The client
is a minimal RFC 6455 client on asyncio's protocol layer, not a WebSocket library: with 1,000 sockets
in one Python process, a library's per-message work (tasks, assembling, decoding) would be timed
too, and would take CPU from the server being measured on the same two cores.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import resource
import struct
import sys
import time
from urllib.parse import urlsplit


def raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def masked_frame(opcode: int, payload: bytes = b"") -> bytes:
    """A client frame (clients must mask, RFC 6455 5.3); payloads here are short control frames."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + body


class FeedClient(asyncio.Protocol):
    def __init__(self, host: str, path: str, origin: str, keep_text: bool, on_message):
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
        ).encode()
        self.keep_text = keep_text
        self.on_message = on_message
        self.opened = asyncio.get_running_loop().create_future()
        self.buffer = b""
        self.upgraded = False
        self.times: list[int] = []
        self.texts: list[str] = []
        self.started_at: int | None = None  # when the frame being received started arriving
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc):
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"closed during the handshake: {exc}"))

    def data_received(self, data: bytes):
        now = time.monotonic_ns()
        self.buffer += data
        if not self.upgraded:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(head.split(b"\r\n")[0].decode(errors="replace")))
                self.transport.close()
                return
            self.upgraded, self.buffer = True, rest
            self.opened.set_result(True)
        while self.buffer:
            if self.started_at is None:
                self.started_at = now
            frame = self._parse()
            if frame is None:
                return
            opcode, payload = frame
            started, self.started_at = self.started_at, None
            if opcode in (0x1, 0x2):
                self.times.append(started)
                if self.keep_text:
                    self.texts.append(payload.decode(errors="replace"))
                self.on_message(self)
            elif opcode == 0x9:  # ping: answer, or the server drops us
                self.transport.write(masked_frame(0xA, payload))

    def _parse(self) -> tuple[int, bytes] | None:
        buf = self.buffer
        if len(buf) < 2:
            return None
        opcode, length, offset = buf[0] & 0x0F, buf[1] & 0x7F, 2
        if length == 126:
            if len(buf) < 4:
                return None
            length, offset = struct.unpack(">H", buf[2:4])[0], 4
        elif length == 127:
            if len(buf) < 10:
                return None
            length, offset = struct.unpack(">Q", buf[2:10])[0], 10
        if len(buf) < offset + length:
            return None
        self.buffer = buf[offset + length :]
        return opcode, buf[offset : offset + length]  # server frames are not masked

    def close(self):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(masked_frame(0x8, struct.pack(">H", 1000)))
            self.transport.close()


async def main(urls: list[str], clients: int, messages: int, timeout: float) -> dict:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    finished = 0

    def on_message(client: FeedClient):
        nonlocal finished
        if len(client.times) == messages:
            finished += 1
            if finished == clients and not done.done():
                done.set_result(True)

    async def open_one(i: int) -> FeedClient:
        parts = urlsplit(urls[i % len(urls)])
        for attempt in range(5):
            try:
                _, client = await loop.create_connection(
                    lambda parts=parts: FeedClient(
                        parts.netloc, parts.path, f"http://{parts.netloc}", i == 0, on_message
                    ),
                    parts.hostname,
                    parts.port,
                )
                await asyncio.wait_for(client.opened, 30)
                return client
            except (OSError, TimeoutError):
                if attempt == 4:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    sockets: list[FeedClient] = []
    for start in range(0, clients, 100):  # 100 handshakes at a time: do not flood the listen backlog
        sockets += await asyncio.gather(*(open_one(i) for i in range(start, min(clients, start + 100))))
    print(f"ready {len(sockets)}", flush=True)
    with contextlib.suppress(TimeoutError):  # report what arrived
        await asyncio.wait_for(done, timeout)
    for client in sockets:
        client.close()
    await asyncio.sleep(0.2)
    return {"times": [c.times for c in sockets], "texts": sockets[0].texts}


if __name__ == "__main__":
    urls, clients, messages = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 120.0
    raise_fd_limit(clients + 256)
    print(json.dumps(asyncio.run(main(urls, clients, messages, timeout))), flush=True)
