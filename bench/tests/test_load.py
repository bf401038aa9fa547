"""The load driver against a stand-in REST channel on 127.0.0.1.

Run with `.venv/bin/python -m pytest bench/tests`. Checks what is sent (order,
quota, token, button clicks, overlap) and how figures are summarised; no
timing is asserted.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from typing import Any

import numpy as np
import pytest

from bench.conversations import (
    CONCIERGE_CONVERSATIONS,
    Line,
    quotas,
    script,
)
from bench.load import Customer, Sample, level_figures, percentile, run_level, summary

ORDER_BUTTON = '/inform{"order_id": "1234567890"}'


class FakeChannel:
    """Answers like Rasa's REST channel; records each sender's messages."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.received: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    def answer(self, body: dict[str, Any]) -> tuple[int, Any]:
        with self.lock:
            self.received[body["sender"]].append(body)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        if body["message"] == "break":
            return 500, {"error": "boom"}
        reply: dict[str, Any] = {"recipient_id": body["sender"], "text": "ok"}
        if body["message"] == "where is my order":
            reply["buttons"] = [{"title": "Order 7890", "payload": ORDER_BUTTON}]
        return 200, [reply]


def _handler(channel: FakeChannel) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            status, answer = channel.answer(json.loads(self.rfile.read(length)))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def channel(request: pytest.FixtureRequest) -> Iterator[tuple[FakeChannel, str]]:
    fake = FakeChannel(delay=getattr(request, "param", 0.0))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def _customer(sender: str, lines: list[Line], quota: int, token: str | None = None):
    return Customer(sender, token, iter(lines), quota)


def test_quotas_split_evenly_and_refuse_empty_customers() -> None:
    assert quotas(200, 8) == [25] * 8
    assert quotas(10, 3) == [4, 3, 3]
    with pytest.raises(ValueError):
        quotas(3, 4)


def test_script_starts_at_its_conversation_and_repeats() -> None:
    lines = list(islice(script(CONCIERGE_CONVERSATIONS, 2), 200))
    first = CONCIERGE_CONVERSATIONS[2]
    assert tuple(lines[: len(first)]) == first
    total = sum(len(conversation) for conversation in CONCIERGE_CONVERSATIONS)
    assert lines[total : total + len(first)] == list(first)


def test_percentile_matches_numpy_linear() -> None:
    values = list(np.random.default_rng(7).exponential(100.0, size=200))
    for share in (0.50, 0.95):
        assert percentile(values, share) == pytest.approx(
            np.percentile(values, share * 100)
        )


def test_lines_go_in_order_with_token_and_quota(channel) -> None:
    fake, url = channel
    lines = [Line("greeting", "hi"), Line("thanks", "thanks"), Line("goodbye", "bye")]
    customer = _customer("ann", lines * 3, quota=5, token="signed")

    conversations, _ = asyncio.run(run_level(url, [customer], 1))

    sent = fake.received["ann"]
    assert [body["message"] for body in sent] == ["hi", "thanks", "bye", "hi", "thanks"]
    assert all(body["metadata"] == {"customer_token": "signed"} for body in sent)
    assert [s.kind for s in conversations[0].samples][:2] == ["greeting", "thanks"]


def test_a_picking_line_clicks_the_first_button_within_the_quota(channel) -> None:
    fake, url = channel
    lines = [Line("order_status", "where is my order", True), Line("goodbye", "bye")]
    customer = _customer("bo", lines * 2, quota=3)

    conversations, _ = asyncio.run(run_level(url, [customer], 1))

    sent = [body["message"] for body in fake.received["bo"]]
    assert sent == ["where is my order", ORDER_BUTTON, "bye"]
    assert "metadata" not in fake.received["bo"][0]
    assert conversations[0].samples[1].kind == "order_status_pick"


@pytest.mark.parametrize("channel", [0.05], indirect=True)
@pytest.mark.parametrize("concurrency", [1, 4])
def test_no_more_customers_talk_at_once_than_asked(channel, concurrency) -> None:
    fake, url = channel
    customers = [
        _customer(f"c{index}", [Line("greeting", "hi")] * 3, quota=3)
        for index in range(4)
    ]

    conversations, _ = asyncio.run(run_level(url, customers, concurrency))

    assert fake.most_in_flight == concurrency
    assert sorted(len(c.samples) for c in conversations) == [3, 3, 3, 3]


def test_failed_requests_are_errors_not_latencies(channel) -> None:
    _, url = channel
    lines = [Line("greeting", "hi"), Line("broken", "break")]
    customer = _customer("cy", lines, quota=2)

    conversations, wall = asyncio.run(run_level(url, [customer], 1))
    figures = level_figures(conversations, 1, wall)

    assert figures["messages"] == 2 and figures["errors"] == 1
    assert figures["error_kinds"] == ["HTTP 500"]
    assert figures["by_kind"]["broken"] == {
        "messages": 1,
        "errors": 1,
        "empty_replies": 0,
    }


def test_summary_reports_milliseconds_of_good_samples_only() -> None:
    samples = [
        Sample("a", 0.1, True, 1),
        Sample("a", 0.3, True, 0),
        Sample("a", 9.0, False),
    ]

    figures = summary(samples)

    assert figures["max_ms"] == 300.0 and figures["mean_ms"] == 200.0
    assert figures["empty_replies"] == 1
