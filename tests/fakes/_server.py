"""What every local vendor fake shares: a threaded HTTP server on a free local port that tests
start and stop, and a request handler that answers quietly with a status, a body and headers."""

from __future__ import annotations

import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def encode_body(body: Any) -> bytes:
    """bytes as they are, text as UTF-8, anything else as JSON."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that went away (a killed worker, a timeout test) is not an error of the fake."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LocalServer:
    """Serves `handler_class` on 127.0.0.1 in a daemon thread; `url` is its base address."""

    def _serve(self, handler_class: type[BaseHTTPRequestHandler], path: str = "") -> None:
        self.httpd = _Server(("127.0.0.1", 0), handler_class)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    content_type = "application/json"

    def log_message(self, *args):
        return

    def _send(self, status: int, body, content_type: str | None = None, headers: dict | None = None):
        data = encode_body(body)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type or self.content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


def multipart_parts(content_type: str, body: bytes) -> dict[str, bytes] | None:
    """The parts of a multipart/form-data body as bytes, or None when it is not one."""
    if not content_type.startswith("multipart/form-data") or "boundary=" not in content_type:
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    )
    if not message.is_multipart():
        return None
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[name] = part.get_payload(decode=True) or b""
    return parts
