"""The three customers of the real ABCD conversations, as shipped in data/.

`data/scenario_customers.json` holds their facts (see data/SOURCES.md); the
file is read on first use and kept, never at import time.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCENARIO_FILE = Path(__file__).resolve().parent / "data" / "scenario_customers.json"


@cache
def scenario_data() -> dict[str, Any]:
    """The parsed scenario file: customers, their orders, tickets and products."""
    with open(SCENARIO_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def scenario_customer_ids() -> tuple[str, ...]:
    """The scenario customers' ids, in the order the conversations come."""
    return tuple(customer["id"] for customer in scenario_data()["customers"])
