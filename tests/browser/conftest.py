"""Fixtures of the browser tests: Debian's Chromium driven by Playwright.

Where Chromium (or Playwright) is missing the tests skip, except in CI
(env CI=true), where a missing browser is a failure, not a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, LAUNCH_ARGS, SCREENSHOT_DIR, skip_unless_ci


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per test module; each test opens its own context.

    Not per session: Playwright's sync API keeps an event loop running in
    this thread while it is open, and later tests call asyncio.run().
    """
    if not CHROMIUM.exists():
        skip_unless_ci(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_unless_ci("the playwright package is not installed")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
