"""The console page in Chromium against the real stack: a lead signs in,
edits a response, and the chat page shows the new wording in its next reply.

Needs the test session's own stack (it adds a console user to its database),
so CONCIERGE_PAGE_URL is not used here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, WAIT_MS

from bot.console.auth import MIN_PASSWORD_CHARS, hash_password
from bot.console.store import ConsoleStore
from profiles.engine import make_engine
from tests.live_stack import LiveStack, new_sender

pytestmark = pytest.mark.browser

PASSWORD = "a browser console password"
WORDING = "I'm the shop's assistant bot, edited in the console."


def console_user(
    live_stack: LiveStack, username: str, role: str, *, is_admin: bool = False
) -> str:
    """`username` as a console user of the test stack (added once)."""
    engine = make_engine(live_stack.store_settings.database_url)
    try:
        store = ConsoleStore(engine)
        if store.password_hash(username) is None:
            hashed = hash_password(PASSWORD)
            store.add_user(username, hashed, role, is_admin=is_admin)
    finally:
        engine.dispose()
    return username


def sign_in(page, url: str, username: str) -> None:
    """Opens the console at `url` and signs in as `username`."""
    page.goto(url)
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector("#who-username", state="visible", timeout=WAIT_MS)


@pytest.fixture(scope="module")
def lead_user(live_stack: LiveStack) -> str:
    return console_user(live_stack, "browser-lead", "lead")


def test_an_edit_on_the_console_page_is_in_the_chat_pages_next_reply(
    browser, live_stack: LiveStack, lead_user: str, screenshot_dir: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        console = context.new_page()
        sign_in(console, f"{live_stack.page_url}/console", lead_user)
        assert console.is_hidden("#tab-training")  # a lead's console

        console.fill("#response-query", "utter_iamabot")
        choice = console.locator("#response-list button[data-name='utter_iamabot']")
        choice.click(timeout=WAIT_MS)
        text = console.locator("#variant-list textarea").first
        text.fill(WORDING)
        console.click("#response-save")
        console.wait_for_selector(
            "#response-history li", state="visible", timeout=WAIT_MS
        )
        console.screenshot(path=str(screenshot_dir / "console-response-1280.png"))

        chat = context.new_page()
        chat.set_viewport_size(PHONE)
        chat.goto(live_stack.page_url)
        chat.click("#guest-button")
        chat.fill("#message-input", "are you a bot?")
        chat.press("#message-input", "Enter")
        reply = chat.locator(".msg.bot .bubble", has_text=WORDING)
        reply.wait_for(timeout=WAIT_MS)

        console.on("dialog", lambda dialog: dialog.accept())  # "Reset ...?"
        console.click("#response-reset")
        console.wait_for_selector(
            "#response-history li:has-text('Reset to default')", timeout=WAIT_MS
        )
        assert live_stack.chat("are you a bot?", sender="after-reset").count(
            "Northwind Threads' virtual assistant"
        )
    finally:
        context.close()


@pytest.fixture(scope="module")
def developer_user(live_stack: LiveStack) -> str:
    return console_user(live_stack, "browser-dev", "developer")


def test_a_developer_makes_a_test_from_a_conversation_and_deletes_it(
    browser, live_stack: LiveStack, developer_user: str, screenshot_dir: Path
) -> None:
    sender = new_sender()
    live_stack.chat("where is my order?", sender=sender)
    context = browser.new_context(viewport=DESKTOP)
    try:
        console = context.new_page()
        console.on("dialog", lambda dialog: dialog.accept())  # "Delete ...?"
        sign_in(console, f"{live_stack.page_url}/console", developer_user)

        console.click("#tab-conversations")
        console.locator(f"#conversation-list button[data-id='{sender}']").click(
            timeout=WAIT_MS
        )
        console.fill("#test-name", f"browser {sender}")
        console.click("#make-test")
        console.wait_for_selector("#test-result", state="visible", timeout=WAIT_MS)

        console.click("#tab-training")
        made = console.locator(f"#made-test-list li[data-name='browser {sender}']")
        made.wait_for(timeout=WAIT_MS)
        assert "runs at retrain" in made.inner_text()
        console.screenshot(path=str(screenshot_dir / "console-made-tests-1280.png"))
        made.get_by_role("button", name=f"Delete the test browser {sender}").click()
        made.wait_for(state="detached", timeout=WAIT_MS)
    finally:
        context.close()


def test_an_admin_adds_a_user_on_the_users_tab_and_disables_them(
    browser, live_stack: LiveStack, screenshot_dir: Path
) -> None:
    admin = console_user(live_stack, "browser-admin", "developer", is_admin=True)
    newcomer = f"lead-{new_sender()[-8:]}"
    context = browser.new_context(viewport=DESKTOP)
    try:
        console = context.new_page()
        console.on("dialog", lambda dialog: dialog.accept())  # "Disable ...?"
        sign_in(console, f"{live_stack.page_url}/console#users", admin)
        console.wait_for_selector("#user-rows tr", timeout=WAIT_MS)

        console.fill("#user-name", newcomer)
        console.fill("#user-password", "short")
        console.click("#user-add")
        console.wait_for_selector("#user-problem", state="visible", timeout=WAIT_MS)
        assert f"{MIN_PASSWORD_CHARS} characters" in console.inner_text("#user-problem")
        console.fill("#user-password", PASSWORD)
        console.click("#user-add")
        row = console.locator(f"#user-rows tr[data-username='{newcomer}']")
        row.wait_for(timeout=WAIT_MS)
        assert "active" in row.inner_text()
        mine = console.locator(f"#user-rows tr[data-username='{admin}']")
        assert mine.get_by_role("button", name=f"Disable {admin}").is_disabled()

        row.get_by_role("button", name=f"Disable {newcomer}").click()
        row.locator("text=disabled").wait_for(timeout=WAIT_MS)
        console.screenshot(path=str(screenshot_dir / "console-users-1280.png"))
    finally:
        context.close()
    engine = make_engine(live_stack.store_settings.database_url)
    try:
        assert ConsoleStore(engine).password_hash(newcomer) is None  # disabled
    finally:
        engine.dispose()
