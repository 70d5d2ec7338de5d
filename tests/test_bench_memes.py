"""The pieces of ``python -m bench.memes`` that can be checked quickly: the bare view it compares the
trending API with, its WebSocket client's frame parsing, and its deterministic templates."""

import asyncio
import io
import struct

import pytest
from PIL import Image

from bench import _memes_images, urls
from bench._memes import meme_id_in, percentile
from bench._memes_ws import FeedClient, masked_frame


@pytest.fixture
def bare_file(tmp_path, monkeypatch, settings):
    settings.ROOT_URLCONF = "bench.urls"
    body = b'{"count":1,"page":1,"results":[{"id":7,"template":"this-is-fine"}]}'
    path = tmp_path / "bare.json"
    path.write_bytes(body)
    monkeypatch.setenv("BENCH_BARE_JSON", str(path))
    monkeypatch.setattr(urls, "_body", None)
    return body


def test_the_bare_view_returns_the_trending_bytes_through_the_same_middleware(client, bare_file):
    response = client.get("/bench/bare.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == bare_file
    # the same middleware as every page: the security headers are set on it too
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_bench_urlconf_keeps_the_whole_site(client, bare_file, db):
    assert client.get("/api/v1/memes/trending?page=1&page_size=20").status_code == 200
    assert client.get("/no-such-page/").status_code == 404


def test_percentile_and_meme_ids_in_fragments():
    assert percentile([5, 1, 4, 2, 3], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95
    assert meme_id_in('<article id="meme-12">', 12)
    assert not meme_id_in('<article id="meme-123">', 12)


def test_the_websocket_client_reads_frames_of_every_length_and_answers_pings():
    async def scenario():
        received = []
        client = FeedClient("127.0.0.1:1", "/ws/memes/feed/", "http://127.0.0.1:1", True, received.append)

        class Transport:
            written = []

            def write(self, data):
                self.written.append(data)

            def is_closing(self):
                return False

            def close(self):
                pass

        transport = Transport()
        client.connection_made(transport)
        assert transport.written[0].startswith(b"GET /ws/memes/feed/ HTTP/1.1\r\n")
        long_text = "x" * 70_000
        frames = (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
            + bytes([0x81, 5])
            + b"hello"
            + bytes([0x89, 2])
            + b"hi"
            + bytes([0x81, 126])
            + struct.pack(">H", 300)
            + b"y" * 300
            + bytes([0x81, 127])
            + struct.pack(">Q", len(long_text))
            + long_text.encode()
        )
        for start in range(0, len(frames), 1000):  # arrives in pieces, as from a socket
            client.data_received(frames[start : start + 1000])
        assert client.opened.result() is True
        assert client.texts == ["hello", "y" * 300, long_text]
        assert len(client.times) == 3 and len(received) == 3
        pong = transport.written[1]
        assert pong[0] == 0x8A and pong[1] == 0x80 | 2  # a masked pong with the ping's payload
        mask = pong[2:6]
        assert bytes(b ^ mask[i % 4] for i, b in enumerate(pong[6:])) == b"hi"

    asyncio.run(scenario())


def test_a_refused_handshake_fails_the_client():
    async def scenario():
        client = FeedClient("h:1", "/ws/memes/feed/", "http://h:1", False, lambda c: None)

        class Transport:
            def write(self, data):
                pass

            def close(self):
                pass

        client.connection_made(Transport())
        client.data_received(b"HTTP/1.1 403 Forbidden\r\n\r\n")
        with pytest.raises(ConnectionError, match="403"):
            client.opened.result()

    asyncio.run(scenario())


def test_masked_frames_are_masked():
    frame = masked_frame(0x8, b"\x03\xe8")
    assert frame[0] == 0x88 and frame[1] == 0x82 and len(frame) == 8


def test_the_templates_are_what_the_bench_says():
    photo = Image.open(io.BytesIO(_memes_images.photo_like()))
    assert (photo.format, photo.size) == ("JPEG", (800, 600))
    assert _memes_images.photo_like() == _memes_images.photo_like()  # deterministic
    gif = Image.open(io.BytesIO(_memes_images.animated()))
    assert (gif.format, gif.size, gif.n_frames) == ("GIF", (520, 300), 20)
    assert gif.info["loop"] == 0 and gif.info["duration"] == 80
