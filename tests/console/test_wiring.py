"""The web process's console is built whole: settings read once, a retrainer
that can reach the running Rasa, runs cut short by a restart closed."""

from __future__ import annotations

import pytest

from bot.console.wiring import ConsoleSettings, build_console
from tests.conftest import SECRET


def test_settings_come_from_the_environment() -> None:
    settings = ConsoleSettings.from_env(
        {
            "CONCIERGE_NLG_TOKEN": " nlg ",
            "CONCIERGE_RASA_API_TOKEN": "api",
            "CONCIERGE_CONSOLE_SECURE_COOKIE": "true",
            "CONCIERGE_RASA_PORT": "15005",
        }
    )

    assert (settings.nlg_token, settings.rasa_api_token) == ("nlg", "api")
    assert settings.secure_cookie and settings.rasa_url == "http://127.0.0.1:15005"


def test_a_bad_cookie_setting_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="CONCIERGE_CONSOLE_SECURE_COOKIE"):
        ConsoleSettings.from_env({"CONCIERGE_CONSOLE_SECURE_COOKIE": "maybe"})


def test_the_console_gets_a_retrainer_with_rasas_token(seeded_profiles) -> None:
    settings = ConsoleSettings(nlg_token="n", rasa_api_token="api-token")

    service, routes = build_console(settings, seeded_profiles, SECRET)

    assert service.training is not None
    assert service.training.settings.rasa_token == "api-token"
    assert service.reader is not None
    assert {"/nlg", "/console", "/console/api/train"} <= {r.path for r in routes}


def test_a_run_left_running_by_a_stopped_console_is_closed(
    seeded_profiles, console_store
) -> None:
    run_id = console_store.add_training_run("dev", {})

    build_console(ConsoleSettings(), seeded_profiles, SECRET)

    run = console_store.training_run(run_id)
    assert run["status"] == "failed" and "stopped" in run["message"]
