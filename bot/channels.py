"""The dialogue engine's input channels, with a guard in front of the NLU.

Loaded by Rasa itself (Python 3.10, from `bot/credentials.yml`), so this
module imports nothing of the project. Both channels keep Rasa's names, so
their URLs stay /webhooks/rest/webhook and /socket.io.

The guard exists because a REST caller can send anything: a message of
100,000 characters exhausts the classifier's memory and kills the server, and
a message or metadata of the wrong type fails deep inside the pipeline with
the raw request in the error log. Here a message becomes text of at most
MAX_MESSAGE_CHARS characters and metadata a dict (or nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

# The chat page allows 1,000 characters; a little more room for other clients.
MAX_MESSAGE_CHARS = 2000

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def guard_message(message: UserMessage) -> UserMessage:
    """The message with its text and metadata made safe for the pipeline."""
    text = message.text if isinstance(message.text, str) else ""
    if len(text) > MAX_MESSAGE_CHARS:
        logger.warning(
            "Message of %d characters cut to %d", len(text), MAX_MESSAGE_CHARS
        )
        text = text[:MAX_MESSAGE_CHARS]
    message.text = text
    if message.metadata is not None and not isinstance(message.metadata, dict):
        logger.warning("Metadata that is not an object was dropped")
        message.metadata = None
    return message


def guarded(on_new_message: OnNewMessage) -> OnNewMessage:
    async def handle(message: UserMessage) -> Any:
        return await on_new_message(guard_message(message))

    return handle


class GuardedRestInput(RestInput):
    """Rasa's REST channel behind the message guard."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_message(self, request: Any) -> str:
        body = request.json
        message = body.get("message") if isinstance(body, dict) else None
        return message if isinstance(message, str) else ""

    def get_metadata(self, request: Any) -> dict | None:
        body = request.json
        metadata = body.get("metadata") if isinstance(body, dict) else None
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(guarded(on_new_message))


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel behind the message guard."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(guarded(on_new_message))
