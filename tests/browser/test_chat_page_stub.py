"""The chat page in Chromium, against the page server and a socket.io stand-in.

The page server is the real one (fake store, real tokens); the dialogue
engine is tests/browser/rasa_socket_stub.py, which speaks Rasa's socket.io
events over a real socket.io connection and records what the page sends.
This proves the page end to end without a trained model; the same checks
against the full stack are in test_chat_page.py.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
import uvicorn
from browser_support import (
    DESKTOP,
    PHONE,
    REPO_ROOT,
    WAIT_MS,
    free_port,
    skip_unless_ci,
    wait_for_port,
)

from bot.web.app import create_app
from bot.web.settings import WebSettings

pytestmark = pytest.mark.browser

RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"
STUB_SCRIPT = Path(__file__).with_name("rasa_socket_stub.py")
SECRET = b"browser-test-secret-of-32-bytes!!"


@dataclass(frozen=True)
class DemoCustomer:
    id: str
    first_name: str
    last_name: str
    membership_level: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class DemoDirectory:
    """The two store methods the page server calls, over three customers."""

    customers: ClassVar[dict[str, DemoCustomer]] = {
        customer.id: customer
        for customer in [
            DemoCustomer("cminh730", "Crystal", "Minh", "bronze"),
            DemoCustomer("jdoe101", "Jane", "Doe", "gold"),
            DemoCustomer("abeck22", "Arne", "Beck", "silver"),
        ]
    }

    def demo_customers(self, limit: int = 50) -> list[DemoCustomer]:
        return list(self.customers.values())[:limit]

    def customer(self, customer_id: str) -> DemoCustomer | None:
        return self.customers.get(customer_id)


class RasaStub:
    """The socket.io stand-in as a child process on a fixed loopback port."""

    def __init__(self, record: Path) -> None:
        self.port = free_port()
        self.record = record
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [str(RASA_PYTHON), str(STUB_SCRIPT)]
        command += ["--port", str(self.port), "--record", str(self.record)]
        self.process = subprocess.Popen(command)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None

    def messages(self) -> list[dict]:
        """Every user_uttered payload received so far, oldest first."""
        if not self.record.exists():
            return []
        lines = self.record.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def last_message(self, text: str) -> dict:
        return [m for m in self.messages() if m["message"] == text][-1]


def stub_can_run() -> bool:
    """True when .venv-rasa has what the stub imports (Rasa depends on both)."""
    if not RASA_PYTHON.exists():
        return False
    command = [str(RASA_PYTHON), "-c", "import socketio, aiohttp"]
    return subprocess.run(command, check=False, capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def rasa_stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStub]:
    if not stub_can_run():
        skip_unless_ci(f"{RASA_PYTHON} with python-socketio is needed for the stub")
    stub = RasaStub(tmp_path_factory.mktemp("rasa-stub") / "messages.jsonl")
    stub.start()
    yield stub
    stub.stop()


@pytest.fixture(scope="module")
def page_url(rasa_stub: RasaStub) -> Iterator[str]:
    """The real page server on a free port; the page finds the stub by port."""
    settings = WebSettings(port=free_port(), rasa_port=rasa_stub.port)
    vendor = settings.node_modules_dir / "socket.io-client" / "dist"
    if not (vendor / "socket.io.min.js").is_file():
        skip_unless_ci("node_modules has no socket.io client: run npm ci")
    app = create_app(settings, DemoDirectory(), SECRET)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=settings.port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(settings.port)
    yield f"http://127.0.0.1:{settings.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def open_page(browser, page_url: str):
    """Open the page in a fresh context (empty localStorage) at a viewport.

    After the test, any uncaught script error on an opened page fails it.
    """
    contexts = []
    script_errors: list[str] = []

    def open_at(viewport: dict = PHONE, init_script: str | None = None):
        context = browser.new_context(viewport=viewport)
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        page.goto(page_url)
        page.wait_for_selector("#send-button")
        return page

    yield open_at
    for context in contexts:
        context.close()
    assert script_errors == []


def sign_in(page, customer_id: str) -> None:
    option = f"#signin-select option[value='{customer_id}']"
    page.wait_for_selector(option, state="attached")
    page.select_option("#signin-select", customer_id)
    page.click("#signin-button")
    page.wait_for_selector("#signout-button", state="visible")


def say(page, text: str) -> None:
    page.fill("#message-input", text)
    page.press("#message-input", "Enter")


def saved_conversation(page) -> dict:
    return page.evaluate("JSON.parse(localStorage.getItem('concierge.conversation'))")


def saved_token(page) -> str:
    return page.evaluate("JSON.parse(localStorage.getItem('concierge.account')).token")


def test_a_signed_in_conversation_renders_and_survives_a_reload(
    open_page, rasa_stub: RasaStub
) -> None:
    page = open_page()
    sign_in(page, "cminh730")
    assert page.text_content("#account-name") == "Crystal"
    assert page.text_content("#account-level") == "Bronze member"
    page.wait_for_selector("text=Hi, welcome back!", timeout=WAIT_MS)
    greeting_request = rasa_stub.last_message("/greet")
    assert greeting_request["metadata"] == {"customer_token": saved_token(page)}

    say(page, "recommend something")
    page.wait_for_selector("#typing", state="visible", timeout=WAIT_MS)
    page.wait_for_selector(".quick-reply", timeout=WAIT_MS)

    user_bubbles = page.locator(".msg.user .bubble").all_inner_texts()
    assert user_bubbles == ["recommend something"]
    assert page.locator(".product-card").count() == 2
    assert page.is_hidden("#typing")
    assert page.input_value("#message-input") == ""
    sent = rasa_stub.last_message("recommend something")
    assert sent["metadata"] == {"customer_token": saved_token(page)}
    assert sent["session_id"] == saved_conversation(page)["sessionId"]

    page.reload()
    page.wait_for_selector(".product-card", timeout=WAIT_MS)
    assert page.locator(".msg").count() == 5  # greeting, question, three replies
    assert page.locator(".quick-reply").count() == 2
    say(page, "and shoes?")
    page.wait_for_selector("text=Echo: and shoes?", timeout=WAIT_MS)
    assert rasa_stub.last_message("and shoes?")["session_id"] == sent["session_id"]


def test_bot_text_keeps_breaks_makes_links_and_bold(open_page) -> None:
    page = open_page()
    say(page, "recommend something")
    bubble = page.locator(".msg.bot .bubble").first
    bubble.wait_for(timeout=WAIT_MS)

    assert bubble.locator("strong").inner_text() == "two picks"
    link = bubble.locator("a")
    assert link.get_attribute("href") == "https://shop.example.test/sizes"
    assert link.get_attribute("rel") == "noopener noreferrer"
    second_line = bubble.inner_text().splitlines()[1]
    assert second_line == "Sizes: https://shop.example.test/sizes."


def test_product_cards_draw_placeholders_and_never_load_remote_images(
    open_page,
) -> None:
    page = open_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    say(page, "recommend something")
    page.wait_for_selector(".product-card", timeout=WAIT_MS)

    shirt, sneakers = page.locator(".product-card").all()
    assert shirt.locator(".product-image.placeholder").inner_text() == "NB"
    assert shirt.locator(".product-name").inner_text() == "Navy Blue Slim Fit Shirt"
    assert shirt.locator(".product-price").inner_text() == "$49.00"
    assert "chinos" in shirt.locator(".product-reason").inner_text()
    assert shirt.locator(".stock-badge").inner_text() == "In stock"
    assert sneakers.locator(".stock-badge").inner_text() == "Out of stock"
    assert sneakers.locator(".product-image.placeholder").inner_text() == "CS"
    assert page.locator(".product-card img").count() == 0
    assert [url for url in requested if "example.test" in url] == []


def test_a_quick_reply_sends_its_payload_and_shows_its_title(
    open_page, rasa_stub: RasaStub
) -> None:
    page = open_page()
    say(page, "recommend something")
    page.wait_for_selector(".quick-reply", timeout=WAIT_MS)

    page.click(".quick-reply >> text=Under $50")

    answer = 'text=You chose /set_budget{"max_price": 50}'
    page.wait_for_selector(answer, timeout=WAIT_MS)
    assert page.locator(".msg.user .bubble").all_inner_texts()[-1] == "Under $50"
    sent = rasa_stub.last_message('/set_budget{"max_price": 50}')
    assert sent["metadata"] == {}
    assert all(b.is_disabled() for b in page.locator(".quick-reply").all())


def test_a_product_button_sends_its_payload(open_page, rasa_stub: RasaStub) -> None:
    page = open_page()
    say(page, "recommend something")
    page.wait_for_selector(".product-card", timeout=WAIT_MS)

    page.click(".product-card >> text=Show similar")

    page.wait_for_selector("text=You chose /ask_similar", timeout=WAIT_MS)
    assert rasa_stub.last_message('/ask_similar{"product_id": 15970}')
    assert page.locator(".msg.user .bubble").all_inner_texts()[-1] == "Show similar"


def test_signing_out_and_in_never_continues_another_conversation(
    open_page, rasa_stub: RasaStub
) -> None:
    page = open_page()
    sign_in(page, "cminh730")
    say(page, "hello from crystal")
    page.wait_for_selector("text=Echo: hello from crystal", timeout=WAIT_MS)
    crystal = rasa_stub.last_message("hello from crystal")["session_id"]

    page.click("#signout-button")
    assert page.locator("#transcript > *").count() == 0
    assert "signed out" in page.inner_text("#account-note")
    say(page, "hello from a guest")
    page.wait_for_selector("text=Echo: hello from a guest", timeout=WAIT_MS)
    guest = rasa_stub.last_message("hello from a guest")

    page.click("#signin-open")
    sign_in(page, "jdoe101")
    page.wait_for_selector("text=Hi, welcome back!", timeout=WAIT_MS)
    assert page.locator("#transcript > *").count() == 1  # her greeting alone
    say(page, "hello from jane")
    page.wait_for_selector("text=Echo: hello from jane", timeout=WAIT_MS)
    jane = rasa_stub.last_message("hello from jane")

    assert guest["metadata"] == {}
    assert len({crystal, guest["session_id"], jane["session_id"]}) == 3
    assert page.locator(".msg").count() == 3  # greeting, her message, the echo


def test_an_expired_sign_in_reads_as_signed_out_with_a_note(open_page) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    account = {
        "token": "expired-token",
        "expiresAt": past,
        "customer": {"id": "cminh730", "first_name": "Crystal"},
    }
    conversation = {
        "sessionId": "old-session",
        "owner": "cminh730",
        "items": [{"from": "user", "text": "where is my order"}],
    }
    script = (
        "if (!sessionStorage.getItem('seeded')) {"
        f"localStorage.setItem('concierge.account', {json.dumps(json.dumps(account))});"
        "localStorage.setItem('concierge.conversation', "
        f"{json.dumps(json.dumps(conversation))});"
        "sessionStorage.setItem('seeded', '1'); }"
    )
    page = open_page(init_script=script)

    page.wait_for_selector("#account-note", state="visible")
    assert "expired" in page.inner_text("#account-note")
    assert page.is_visible("#signin-select") and page.is_hidden("#signout-button")
    assert page.locator(".msg").count() == 0
    assert page.evaluate("localStorage.getItem('concierge.account')") is None
    page.wait_for_function(
        "JSON.parse(localStorage.getItem('concierge.conversation')).sessionId"
    )
    assert saved_conversation(page)["sessionId"] != "old-session"


def test_html_from_the_bot_stays_text(open_page) -> None:
    page = open_page()
    say(page, "show me html")
    bubble = page.locator(".msg.bot .bubble").first
    bubble.wait_for(timeout=WAIT_MS)

    assert bubble.inner_text().startswith("<img src=x")
    assert page.locator("#transcript img, #transcript b").count() == 0
    assert page.title() != "owned"


def test_a_lost_connection_shows_a_banner_and_comes_back(
    open_page, rasa_stub: RasaStub
) -> None:
    page = open_page()
    say(page, "before the outage")
    page.wait_for_selector("text=Echo: before the outage", timeout=WAIT_MS)
    session_id = rasa_stub.last_message("before the outage")["session_id"]

    rasa_stub.stop()
    try:
        page.wait_for_selector("#connection-banner", state="visible", timeout=WAIT_MS)
        say(page, "during the outage")
    finally:
        rasa_stub.start()

    page.wait_for_selector("#connection-banner", state="hidden", timeout=WAIT_MS)
    page.wait_for_selector("text=Echo: during the outage", timeout=WAIT_MS)
    assert rasa_stub.last_message("during the outage")["session_id"] == session_id


@pytest.mark.parametrize(
    "viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
)
def test_layout_fits_the_screen(
    open_page, viewport: dict, screenshot_dir: Path
) -> None:
    size = f"{viewport['width']}x{viewport['height']}"
    page = open_page(viewport)
    page.wait_for_selector("#signin-select option[value='cminh730']", state="attached")
    page.screenshot(path=str(screenshot_dir / f"chat-stub-welcome-{size}.png"))
    sign_in(page, "cminh730")
    say(page, "recommend something")
    page.wait_for_selector(".quick-reply", timeout=WAIT_MS)
    page.screenshot(path=str(screenshot_dir / f"chat-stub-{size}.png"))

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
    for selector in ["#send-button", "#message-input", "#signout-button"]:
        box = page.locator(selector).bounding_box()
        assert box["height"] >= 44, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], selector
        assert box["y"] + box["height"] <= viewport["height"], selector
    for button in page.locator(".quick-reply").all():
        assert button.bounding_box()["height"] >= 44
