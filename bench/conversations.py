"""The scripted customers a latency run sends, for Concierge and for rasa init.

A customer plays whole conversations in order (greeting, question, follow-up,
thanks, goodbye) until its quota of messages is used up; a button it clicks
counts as a message, so every customer sends exactly its quota. Each customer
starts at a different conversation, which mixes the intents across customers.
The lines read like real chat turns, some close to the training data and some
not; they are not a test of understanding, only of time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import cycle


@dataclass(frozen=True)
class Line:
    """One message; `pick` means the customer clicks the first button offered."""

    kind: str
    text: str
    pick: bool = False


def _conversation(*turns: tuple[str, str] | tuple[str, str, bool]) -> tuple[Line, ...]:
    return tuple(Line(*turn) for turn in turns)


CONCIERGE_CONVERSATIONS: tuple[tuple[Line, ...], ...] = (
    _conversation(
        ("greeting", "hi"),
        ("order_status", "where is my order", True),
        ("thanks", "thanks!"),
        ("goodbye", "bye"),
    ),
    _conversation(
        ("greeting", "hello there"),
        ("return", "i want to return something", True),
        ("return_reason", "it's too small"),
        ("thanks", "ok thank you"),
        ("goodbye", "that's all for today"),
    ),
    _conversation(
        ("refund_status", "has my refund gone through yet?"),
        ("thanks", "cheers"),
        ("goodbye", "see you"),
    ),
    _conversation(
        ("greeting", "good morning"),
        ("promo_code", "how long is my discount code valid"),
        ("suggestion", "recommend something"),
        ("thanks", "thanks a lot"),
        ("goodbye", "bye bye"),
    ),
    _conversation(
        ("suggestion", "what would go with my new sneakers?"),
        ("order_status", "and has my package shipped", True),
        ("goodbye", "ok bye"),
    ),
    _conversation(
        ("greeting", "hey"),
        ("return", "i need to send back a jacket", True),
        ("return_reason", "it arrived damaged"),
        ("refund_status", "when will i get my money back"),
        ("thanks", "great, thanks"),
        ("goodbye", "goodbye"),
    ),
    _conversation(
        ("promo_code", "my promo code isn't working"),
        ("suggestion", "any suggestions for me"),
        ("thanks", "thank you"),
        ("goodbye", "cya"),
    ),
)

WARM_UP_CONCIERGE = _conversation(
    ("greeting", "hi"), ("order_status", "where is my order"), ("goodbye", "bye")
)

# The domain `rasa init` writes: greet, mood, bot challenge, goodbye.
RASA_INIT_CONVERSATIONS: tuple[tuple[Line, ...], ...] = (
    _conversation(
        ("greeting", "hi"),
        ("mood", "i am sad"),
        ("affirm", "yes"),
        ("goodbye", "bye"),
    ),
    _conversation(
        ("greeting", "hello there"),
        ("mood", "i am feeling great"),
        ("goodbye", "see you later"),
    ),
    _conversation(
        ("greeting", "hey"),
        ("mood", "not good, very unhappy"),
        ("deny", "no"),
        ("goodbye", "goodbye"),
    ),
    _conversation(
        ("bot_challenge", "are you a bot?"),
        ("mood", "i'm ok, pretty happy"),
        ("goodbye", "bye bye"),
    ),
)

WARM_UP_RASA_INIT = _conversation(("greeting", "hi"), ("goodbye", "bye"))


def script(conversations: Sequence[tuple[Line, ...]], start: int) -> Iterator[Line]:
    """The lines of the conversations from index `start` on, repeated without end."""
    first = start % len(conversations)
    ordered = tuple(conversations[first:]) + tuple(conversations[:first])
    return (line for conversation in cycle(ordered) for line in conversation)


def quotas(messages: int, customers: int) -> list[int]:
    """Split `messages` over `customers` as evenly as whole numbers allow."""
    if customers < 1 or messages < customers:
        raise ValueError("need at least one customer and one message per customer")
    base, extra = divmod(messages, customers)
    return [base + (1 if index < extra else 0) for index in range(customers)]
