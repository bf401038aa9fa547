"""Made-up people for the demo shop: names, contact details, parcels.

Names are built from syllables no real person is likely to carry, emails use
the reserved example.* domains and phones the 555-01xx fictional range.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

FIRST_STARTS = (
    "Al", "Bri", "Cal", "Dor", "El", "Fen", "Gal", "Hes", "Il", "Jor", "Kes", "Lun",
    "Mer", "Nal", "Or", "Per", "Quil", "Ros", "Sel", "Tav", "Ul", "Ves", "Wyn", "Zor",
)  # fmt: skip
FIRST_ENDS = ("a", "ia", "en", "is", "o", "wyn", "ric", "ette", "an", "ira", "ella")
LAST_STARTS = (
    "Ash", "Bram", "Cobble", "Dun", "Elder", "Fern", "Glen", "Hollow", "Ivy",
    "Juniper", "Kettle", "Lark", "Marsh", "Nettle", "Oak", "Pebble", "Quarry",
    "Rush", "Sorrel", "Thistle", "Umber", "Vale", "Willow", "Yarrow",
)  # fmt: skip
LAST_ENDS = ("by", "field", "ford", "gate", "hurst", "ley", "more", "ridge", "stone",
             "ton", "well", "wick", "wood")  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
STREETS = (
    "Maple Ave", "Cedar St", "Birch Rd", "Willow Ln", "Harbor Way", "Orchard Dr",
    "Summit Ave", "Mill St", "Park Pl", "River Rd", "Quarry Ln", "Beacon St",
)  # fmt: skip
TOWNS = (
    ("Brightwater", "OR"), ("Elmsford Falls", "NY"), ("Kestrel Bay", "CA"),
    ("Larkspur Hill", "CO"), ("Millbrook Landing", "PA"), ("North Ashby", "MA"),
    ("Port Calder", "WA"), ("Redfern", "TX"), ("Silverlake Springs", "AZ"),
    ("Thornbury", "IL"), ("Wexford Glen", "NC"), ("Yarrow Point", "MN"),
)  # fmt: skip
CARRIERS = ("UPS", "FedEx", "USPS", "DHL")


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    username: str
    email: str
    phone: str
    street: str
    city: str
    state: str
    zip_code: str


def person(rng: random.Random, taken: set[str]) -> Person:
    """A new fictional person whose username is not in `taken` (it is added)."""
    first = rng.choice(FIRST_STARTS) + rng.choice(FIRST_ENDS)
    last = rng.choice(LAST_STARTS) + rng.choice(LAST_ENDS)
    while True:
        number = rng.randint(100, 999)
        username = f"{first[0]}{last}{number}".lower()
        if username not in taken:
            taken.add(username)
            break
    city, state = rng.choice(TOWNS)
    return Person(
        first_name=first,
        last_name=last,
        username=username,
        email=f"{first}.{last}{number}@{rng.choice(EMAIL_DOMAINS)}".lower(),
        phone=f"({rng.randint(201, 989)}) 555-01{rng.randint(0, 99):02d}",
        street=f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
        city=city,
        state=state,
        zip_code=f"{rng.randint(10000, 99899):05d}",
    )


def tracking_number(rng: random.Random, carrier: str) -> str:
    """A number in the carrier's usual shape; it tracks nothing."""
    digits = string.digits
    if carrier == "UPS":
        return "1Z" + "".join(rng.choices(string.ascii_uppercase + digits, k=16))
    if carrier == "USPS":
        return "94" + "".join(rng.choices(digits, k=20))
    length = 12 if carrier == "FedEx" else 10
    return "".join(rng.choices(digits, k=length))
