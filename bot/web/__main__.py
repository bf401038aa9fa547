"""Run the chat page server: python -m bot.web.

Reads WebSettings and the profile store's settings from the environment,
opens the store and the token secret, and serves the page with uvicorn.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from bot.console.wiring import ConsoleSettings, console_and_nlg_routes
from bot.web.app import create_app
from bot.web.settings import WebSettings
from profiles.config import StoreSettings
from profiles.identity import load_secret
from profiles.store import ProfileStore


def main() -> int:
    """Start the server; returns the exit status (2 for bad settings)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = WebSettings.from_env()
        store_settings = StoreSettings.from_env()
        console_settings = ConsoleSettings.from_env()
    except ValueError as error:  # bot.web.settings.SettingsError among them
        print(f"concierge web: {error}", file=sys.stderr)
        return 2

    store = ProfileStore(store_settings)
    secret = load_secret(store_settings)
    routes = console_and_nlg_routes(console_settings, store, secret)
    app = create_app(settings, store, secret, extra_routes=routes)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        access_log=False,  # AccessLogMiddleware writes the one line per request
        log_config=None,  # keep the logging set up above
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
