"""The response catalogue: domain.yml's responses with the console's edits."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

from bot.responses.catalog import ResponseCatalog

DOMAIN = """
responses:
  utter_goodbye:
    - text: "Bye!"
"""


class Edits:
    def __init__(self) -> None:
        self.current: dict = {}
        self.version = (0, 0)

    def responses_version(self):
        return self.version

    def current_responses(self):
        return self.current

    def save(self, name: str, variants) -> None:
        count, newest = self.version
        self.version = (count + 1, newest + 1)
        self.current[name] = SimpleNamespace(payload=variants)


def test_an_edit_is_seen_once_its_version_moves(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(DOMAIN)
    edits = Edits()
    catalog = ResponseCatalog(domain, edits)

    assert catalog.variants("utter_goodbye") == [{"text": "Bye!"}]
    edits.save("utter_goodbye", [{"text": "Cheerio!"}])
    assert catalog.variants("utter_goodbye") == [{"text": "Cheerio!"}]
    assert "utter_goodbye" in catalog.all()[1]


def test_an_exported_edit_is_the_default_and_no_longer_an_edit(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(DOMAIN)
    edits = Edits()
    catalog = ResponseCatalog(domain, edits)
    edits.save("utter_goodbye", [{"text": "Cheerio!"}])
    assert "utter_goodbye" in catalog.all()[1]

    domain.write_text(DOMAIN.replace("Bye!", "Cheerio!"))
    stat = domain.stat()
    os.utime(domain, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    merged, edited = catalog.all()
    assert merged["utter_goodbye"] == [{"text": "Cheerio!"}]
    assert edited == {}
    assert catalog.defaults("utter_goodbye") == [{"text": "Cheerio!"}]
