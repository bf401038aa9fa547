"""Simulated customers talking to Rasa's REST channel, and their latency figures.

Every customer sends its lines in order and waits for each reply before the
next, like a person at the chat page. `concurrency` customers talk at once;
the rest wait their turn, so the same customers and messages are sent at every
concurrency and only the overlap changes. A message's latency is the time from
sending the request to having read the whole reply; a request that fails or
times out is counted as an error and kept out of the percentiles.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.conversations import Line

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 60.0
LEVEL_TIMEOUT_S = 1800.0  # a whole concurrency level; a hung stack cannot stall us


@dataclass
class Customer:
    """One simulated customer: its sender id, token (None: guest), lines and quota."""

    sender: str
    token: str | None
    lines: Iterator[Line]
    quota: int


@dataclass(frozen=True)
class Sample:
    kind: str
    seconds: float
    ok: bool
    replies: int = 0
    error: str = ""


@dataclass
class Conversation:
    """What one customer sent and how long each reply took."""

    customer: Customer
    samples: list[Sample] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return len(self.samples) >= self.customer.quota


def webhook_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/webhooks/rest/webhook"


async def send(
    client: httpx.AsyncClient, url: str, customer: Customer, kind: str, text: str
) -> tuple[Sample, list[dict[str, Any]]]:
    """Send one message and time it; the reply's messages come back as well."""
    body: dict[str, Any] = {"sender": customer.sender, "message": text}
    if customer.token:
        body["metadata"] = {"customer_token": customer.token}
    started = time.perf_counter()
    try:
        answer = await client.post(url, json=body)
        replies = answer.json() if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as error:
        elapsed = time.perf_counter() - started
        return Sample(kind, elapsed, False, error=type(error).__name__), []
    elapsed = time.perf_counter() - started
    if not isinstance(replies, list):
        return Sample(kind, elapsed, False, error=f"HTTP {answer.status_code}"), []
    return Sample(kind, elapsed, True, replies=len(replies)), replies


def first_button(replies: list[dict[str, Any]]) -> str | None:
    """The payload of the first button any reply message offers."""
    for message in replies:
        for button in message.get("buttons") or []:
            payload = button.get("payload")
            if isinstance(payload, str) and payload:
                return payload
    return None


async def play(client: httpx.AsyncClient, url: str, customer: Customer) -> Conversation:
    """Send the customer's lines until its quota is used; click when a line asks."""
    conversation = Conversation(customer)
    for line in customer.lines:
        if conversation.done:
            break
        sample, replies = await send(client, url, customer, line.kind, line.text)
        conversation.samples.append(sample)
        payload = first_button(replies) if line.pick else None
        if payload and not conversation.done:
            click, _ = await send(client, url, customer, f"{line.kind}_pick", payload)
            conversation.samples.append(click)
    return conversation


async def _worker(
    client: httpx.AsyncClient, url: str, queue: asyncio.Queue, out: list
) -> None:
    while True:
        try:
            customer = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        out.append(await play(client, url, customer))


async def run_level(
    base_url: str, customers: list[Customer], concurrency: int
) -> tuple[list[Conversation], float]:
    """Play all customers, `concurrency` at a time; returns them and the wall time."""
    queue: asyncio.Queue = asyncio.Queue()
    for customer in customers:
        queue.put_nowait(customer)
    conversations: list[Conversation] = []
    limits = httpx.Limits(max_connections=concurrency)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
    url = webhook_url(base_url)
    started = time.perf_counter()
    client = httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False)
    async with client, asyncio.timeout(LEVEL_TIMEOUT_S), asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(_worker(client, url, queue, conversations))
    return conversations, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); needs values."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[round(share * 100) - 1]


def summary(samples: list[Sample]) -> dict[str, Any]:
    """Count, errors, and p50/p95/mean/max in milliseconds of the good samples."""
    good = [sample.seconds * 1000 for sample in samples if sample.ok]
    figures: dict[str, Any] = {
        "messages": len(samples),
        "errors": len(samples) - len(good),
        "empty_replies": sum(1 for s in samples if s.ok and s.replies == 0),
    }
    if good:
        figures |= {
            "p50_ms": round(percentile(good, 0.50), 1),
            "p95_ms": round(percentile(good, 0.95), 1),
            "mean_ms": round(statistics.fmean(good), 1),
            "max_ms": round(max(good), 1),
        }
    return figures


def level_figures(
    conversations: list[Conversation], concurrency: int, wall_seconds: float
) -> dict[str, Any]:
    """The summary of one level, its throughput and a summary per message kind."""
    samples = [s for conversation in conversations for s in conversation.samples]
    kinds = sorted({sample.kind for sample in samples})
    errors = sorted({sample.error for sample in samples if sample.error})
    by_kind = {kind: summary([s for s in samples if s.kind == kind]) for kind in kinds}
    return {
        "concurrency": concurrency,
        **summary(samples),
        "error_kinds": errors,
        "wall_s": round(wall_seconds, 2),
        "messages_per_s": round(len(samples) / wall_seconds, 2),
        "by_kind": by_kind,
    }
