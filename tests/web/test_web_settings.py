"""WebSettings: defaults, reading the environment, and clear errors."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from bot.web.settings import DEFAULT_NODE_MODULES, SettingsError, WebSettings


def test_defaults_when_nothing_is_set() -> None:
    settings = WebSettings.from_env({})

    assert settings.host == "127.0.0.1"
    assert settings.port == 8080
    assert settings.rasa_url == ""
    assert settings.rasa_port == 5005
    assert settings.token_ttl_minutes == 480
    assert settings.node_modules_dir == DEFAULT_NODE_MODULES


def test_every_variable_is_read() -> None:
    settings = WebSettings.from_env(
        {
            "CONCIERGE_WEB_HOST": "0.0.0.0",
            "CONCIERGE_WEB_PORT": "9090",
            "CONCIERGE_RASA_URL": "https://chat.example.test:8443/",
            "CONCIERGE_RASA_PORT": "5105",
            "CONCIERGE_TOKEN_TTL_MINUTES": " 30 ",
            "CONCIERGE_NODE_MODULES": "/opt/page/node_modules",
        }
    )

    assert settings == WebSettings(
        host="0.0.0.0",
        port=9090,
        rasa_url="https://chat.example.test:8443",
        rasa_port=5105,
        token_ttl_minutes=30,
        node_modules_dir=Path("/opt/page/node_modules"),
    )


def test_an_empty_number_takes_its_default() -> None:
    assert WebSettings.from_env({"CONCIERGE_WEB_PORT": ""}).port == 8080


def test_settings_are_frozen() -> None:
    settings = WebSettings()
    with pytest.raises(FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        pytest.param("CONCIERGE_WEB_PORT", "http", "whole number", id="port-text"),
        pytest.param("CONCIERGE_WEB_PORT", "0", "1 to 65535", id="port-zero"),
        pytest.param("CONCIERGE_WEB_PORT", "65536", "1 to 65535", id="port-too-high"),
        pytest.param("CONCIERGE_RASA_PORT", "-5", "1 to 65535", id="rasa-port-sign"),
        pytest.param("CONCIERGE_TOKEN_TTL_MINUTES", "0", "between 1", id="ttl-zero"),
        pytest.param("CONCIERGE_TOKEN_TTL_MINUTES", "20000", "between", id="ttl-long"),
        pytest.param("CONCIERGE_TOKEN_TTL_MINUTES", "1.5", "whole", id="ttl-frac"),
        pytest.param("CONCIERGE_WEB_HOST", "  ", "empty", id="host-blank"),
        pytest.param("CONCIERGE_RASA_URL", "localhost:5005", "origin", id="no-scheme"),
        pytest.param("CONCIERGE_RASA_URL", "ftp://host:5005", "origin", id="ftp"),
        pytest.param("CONCIERGE_RASA_URL", "http://", "origin", id="no-host"),
        pytest.param("CONCIERGE_RASA_URL", "http://h:5005/chat", "path", id="path"),
        pytest.param("CONCIERGE_RASA_URL", "http://h:5005?x=1", "path", id="query"),
        pytest.param("CONCIERGE_RASA_URL", "http://h:99999", "bad port", id="url-port"),
    ],
)
def test_bad_values_name_their_variable(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        WebSettings.from_env({variable: value})

    assert raised.value.variable == variable
    assert str(raised.value).startswith(variable)


def test_a_rasa_origin_without_port_is_accepted() -> None:
    settings = WebSettings.from_env({"CONCIERGE_RASA_URL": "https://chat.example.test"})

    assert settings.rasa_url == "https://chat.example.test"
