"""A stand-in for the dialogue engine's socket.io channel, for page tests only.

It speaks the same events as Rasa's socket.io channel with session
persistence (session_request -> session_confirm, user_uttered ->
bot_uttered to the session's room) and answers with canned messages of
every shape the page renders. Each user message is appended to a JSON
lines file so a test can check what the page sent.

Runs on the Python of .venv-rasa, which has python-socketio and aiohttp:
    .venv-rasa/bin/python tests/browser/rasa_socket_stub.py --port 5199 \
        --record /tmp/messages.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import uuid
from pathlib import Path

import socketio
from aiohttp import web

logger = logging.getLogger(__name__)

REPLY_DELAY_SECONDS = 0.3

PRODUCTS = [
    {
        "id": 15970,
        "name": "Navy Blue Slim Fit Shirt",
        "price": 49.0,
        "currency": "USD",
        "reason": "Goes with the chinos you bought in March.",
        "image_url": None,
        "in_stock": True,
        "buttons": [
            {"title": "Show similar", "payload": '/ask_similar{"product_id": 15970}'},
        ],
    },
    {
        "id": 39386,
        "name": "Court Sneakers",
        "price": 89.5,
        "currency": "USD",
        "reason": "Customers who bought your trainers liked these.",
        "image_url": "https://images.example.test/39386.jpg",
        "in_stock": False,
        "buttons": [],
    },
]


def replies(message: str) -> list[dict]:
    """The bot messages the stub answers message with, in order."""
    if message == "/greet":
        return [{"text": "Hi, welcome back!"}]
    if message.startswith("/"):
        return [{"text": f"You chose {message}"}]
    if "html" in message:
        return [{"text": "<img src=x onerror=\"document.title='owned'\"> <b>plain</b>"}]
    if "recommend" in message:
        return [
            {"text": "Here are **two picks** for you.\n"
                     "Sizes: https://shop.example.test/sizes."},
            {"attachment": {"type": "product_cards", "products": PRODUCTS}},
            {
                "text": "Want to narrow it down?",
                "quick_replies": [
                    {"content_type": "text", "title": "Under $50",
                     "payload": '/set_budget{"max_price": 50}'},
                    {"content_type": "text", "title": "Shoes only",
                     "payload": '/set_category{"category": "shoes"}'},
                ],
            },
        ]  # fmt: skip
    return [{"text": f"Echo: {message}"}]


def build_app(record: Path) -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app, socketio_path="socket.io")

    @sio.on("session_request")
    async def session_request(sid: str, data: dict | None) -> None:
        session_id = (data or {}).get("session_id") or uuid.uuid4().hex
        # As the dialogue engine does: python-socketio 5.9 (pinned for Rasa)
        # joins the room synchronously.
        sio.enter_room(sid, session_id)
        await sio.emit("session_confirm", session_id, room=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: dict) -> None:
        with record.open("a", encoding="utf-8") as lines:
            lines.write(json.dumps(data) + "\n")
        for reply in replies(data.get("message", "")):
            await asyncio.sleep(REPLY_DELAY_SECONDS)
            await sio.emit("bot_uttered", reply, room=data.get("session_id"))

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    web.run_app(
        build_app(args.record),
        host="127.0.0.1",
        port=args.port,
        print=None,
        shutdown_timeout=1,  # open websockets would hold a stop for a minute
    )


if __name__ == "__main__":
    main()
