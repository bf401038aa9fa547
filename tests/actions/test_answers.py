"""Questions answered from the help articles, completed with the customer's facts.

The articles are the real ones in knowledge/content, indexed once per session
with the real embedding model; the customers are the seeded demo shop's.
"""

from __future__ import annotations

from datetime import date, timedelta

from actions.answers import ActionAnswerQuestion
from profiles.policy import RETURN_WINDOW_DAYS
from tests.actions.conftest import load_tracker, response_names, run_action

CRYSTAL = "cminh730"  # bronze; delivered order 3348917502 bought 6 November 2019
ALESSANDRO = "aphoenix939"  # gold
RETURN_QUESTION = "how long do i have to send something back?"


def ask(question: str, customer_id: str | None = None, intent="policy_question"):
    tracker = load_tracker(
        "product_search",
        customer_id=customer_id,
        text=question,
        intent=intent,
        entities=[],
    )
    return run_action(ActionAnswerQuestion(), tracker)


def test_the_answer_is_a_passage_named_by_its_article(services):
    messages, _ = ask("can i pay with paypal")
    assert response_names(messages) == ["utter_answer"]
    assert messages[0]["article_title"] == "Payment and billing"
    assert "PayPal" in messages[0]["passage"]


def test_a_question_no_article_covers_is_declined_with_a_person_offered(services):
    messages, _ = ask("what time does your store in chicago open on sundays")
    assert response_names(messages) == ["utter_answer_not_sure"]


def test_membership_changes_the_answer_to_the_same_question(services):
    bronze, _ = ask(RETURN_QUESTION, CRYSTAL)
    gold, _ = ask(RETURN_QUESTION, ALESSANDRO)
    assert bronze[0]["article_title"] == gold[0]["article_title"]  # same passage
    assert bronze[0]["passage"] == gold[0]["passage"]

    assert response_names(bronze)[1] == "utter_your_order_return_window_closed"
    facts = bronze[1]
    assert facts["membership_level"] == "bronze"
    assert facts["order_id"] == "3348917502"
    assert facts["window_days"] == RETURN_WINDOW_DAYS["bronze"] == 90
    assert facts["deadline"] == "4 February 2020"  # 6 November 2019 + 90 days

    assert response_names(gold)[1] in (
        "utter_your_returns_unlimited",
        "utter_your_order_returnable_unlimited",
    )
    assert gold[1]["membership_level"] == "gold"
    assert "3348917502" not in str(gold)


def test_a_recent_order_gets_its_deadline(services):
    store = services.store
    customer = next(
        c
        for c in store.demo_customers(limit=400)
        if c.membership_level == "silver"
        and any(
            o.status == "delivered"
            and (date(2026, 12, 3) - o.placed_at.date()).days < 100
            for o in store.orders(c.id)
        )
    )
    messages, _ = ask(RETURN_QUESTION, customer.id)
    assert response_names(messages)[1] == "utter_your_order_returnable_until"
    order = next(o for o in store.orders(customer.id) if o.status == "delivered")
    assert messages[1]["order_id"] == order.id
    deadline = order.placed_at.date() + timedelta(days=182)
    assert messages[1]["deadline"] == f"{deadline.day} {deadline:%B %Y}"


def test_a_guest_gets_the_general_answer_and_an_invitation_to_sign_in(services):
    messages, _ = ask(RETURN_QUESTION)
    assert response_names(messages) == [
        "utter_answer",
        "utter_answer_sign_in_for_yours",
    ]


def test_shipping_terms_follow_the_membership_level(services):
    messages, _ = ask("is standard shipping free for me", CRYSTAL, "shipping_question")
    assert "utter_shipping_member_bronze" in response_names(messages)
    messages, _ = ask("is standard shipping free for me", ALESSANDRO)
    assert "utter_shipping_member_gold" in response_names(messages)


def test_a_topic_without_personal_facts_adds_none(services):
    messages, _ = ask("how do i wash a wool sweater", CRYSTAL)
    assert response_names(messages) == ["utter_answer"]


def test_a_button_without_text_asks_the_intents_own_question(services):
    messages, _ = ask("/promo_code_question", intent="promo_code_question")
    assert response_names(messages) == ["utter_answer"]
    assert "promo" in messages[0]["article_title"].lower()


def test_the_article_used_is_kept_with_the_interaction(services):
    ask("can i pay with paypal", CRYSTAL)
    record = services.store.last_interaction(CRYSTAL)
    assert record.kind == "question"
    assert "payment-and-billing" in record.summary
    assert "can i pay with paypal" not in record.summary  # never their words


def test_an_index_that_cannot_load_gives_the_error_response(services, monkeypatch):
    def broken():
        raise OSError("index folder unreadable")

    monkeypatch.setattr(services, "knowledge", broken)
    messages, _ = ask("can i pay with paypal", CRYSTAL)
    assert response_names(messages) == ["utter_error"]
