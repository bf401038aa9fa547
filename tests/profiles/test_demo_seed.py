"""The demo shop: deterministic, complete, idempotent, with the scenario customers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from profiles.catalog import SUBSET_PATH
from profiles.config import StoreSettings
from profiles.models import Base, Customer, Order, Ticket
from profiles.policy import decide_return
from profiles.seed import seed
from profiles.store import ProfileStore
from profiles.vocabulary import MEMBERSHIP_LEVELS, ORDER_STATUSES

pytestmark = pytest.mark.slow

ANCHOR = date(2024, 6, 1)
ANCHOR_START = datetime(2024, 6, 1, tzinfo=UTC)
SCENARIO_IDS = ("cminh730", "aphoenix939", "jwu9085")


def new_store(folder) -> ProfileStore:
    return ProfileStore(StoreSettings(f"sqlite:///{folder / 'shop.db'}", folder))


def dump(store: ProfileStore) -> dict[str, list[tuple]]:
    """Every row of every table, in primary key order."""
    with store.engine.connect() as connection:
        return {
            table.name: list(
                connection.execute(select(table).order_by(*table.primary_key.columns))
            )
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = new_store(tmp_path_factory.mktemp("seeded"))
    report = seed(store, today=ANCHOR)
    yield store, report
    store.close()


@pytest.fixture(scope="module")
def rows(seeded):
    return dump(seeded[0])


def test_two_seeds_with_the_same_anchor_give_identical_rows(seeded, rows, tmp_path):
    other = new_store(tmp_path)
    try:
        seed(other, today=ANCHOR)
        assert dump(other) == rows
    finally:
        other.close()


def test_seeding_reads_only_the_shipped_catalog(seeded):
    _, report = seeded

    assert report.seeded and report.anchor == ANCHOR
    assert report.catalog.path == str(SUBSET_PATH)
    assert report.catalog.added == report.catalog.imported > 2500
    assert report.counts["products"] == report.catalog.imported + 2


def test_at_least_two_hundred_customers_of_every_level(rows):
    levels = Counter(row.membership_level for row in rows["customers"])

    assert len(rows["customers"]) >= 240
    assert set(levels) == set(MEMBERSHIP_LEVELS)
    assert min(levels.values()) >= 20


def test_every_order_state_is_present_with_its_dates(rows):
    orders = rows["orders"]
    statuses = Counter(order.status for order in orders)

    assert set(statuses) == set(ORDER_STATUSES)
    for order in orders:
        shipped = order.status not in ("placed", "cancelled")
        assert (order.shipped_at is not None) == shipped, order
        assert bool(order.carrier and order.tracking_number) == shipped
        delivered = order.status in ("delivered", "returned", "refunded")
        assert (order.delivered_at is not None) == delivered
        assert len(order.id) == 10 and order.id.isdigit()


def test_customers_with_none_one_and_several_open_orders(rows):
    open_counts = Counter(
        o.customer_id for o in rows["orders"] if o.status in ("placed", "shipped")
    )
    per_customer = Counter(open_counts.get(c.id, 0) for c in rows["customers"])
    with_orders = {order.customer_id for order in rows["orders"]}

    assert per_customer[0] >= 20 and per_customer[1] >= 20
    assert sum(n for count, n in per_customer.items() if count >= 2) >= 20
    assert len(rows["customers"]) - len(with_orders) >= 10  # never ordered


def test_generated_history_lies_before_the_anchor(rows):
    moments = [o.placed_at for o in rows["orders"]]
    moments += [o.delivered_at for o in rows["orders"] if o.delivered_at]
    moments += [t.updated_at for t in rows["tickets"]]
    moments += [i.occurred_at for i in rows["interactions"]]

    assert max(moments) < ANCHOR_START


def test_tickets_have_past_outcomes_and_a_few_open(rows):
    tickets = Counter((t.topic, t.status) for t in rows["tickets"])
    open_count = sum(
        n for (_, status), n in tickets.items() if status in ("open", "in_progress")
    )

    assert tickets[("return", "resolved")] >= 10
    assert tickets[("handoff", "closed")] >= 5
    assert 5 <= open_count <= len(rows["tickets"]) / 3
    closed = [t for t in rows["tickets"] if t.status in ("resolved", "closed")]
    assert all(t.outcome for t in closed)


def test_generated_people_are_fictional(rows):
    generated = [c for c in rows["customers"] if c.id not in SCENARIO_IDS]

    assert all(c.email.split("@")[1].startswith("example.") for c in generated)
    assert all(" 555-01" in c.phone for c in generated)
    assert len({c.email for c in rows["customers"]}) == len(rows["customers"])


def test_some_customers_have_interactions(rows):
    assert len({i.customer_id for i in rows["interactions"]}) >= 50
    assert all(i.summary and i.kind for i in rows["interactions"])


def test_crystal_minh_as_in_her_conversation(seeded):
    store, _ = seeded
    crystal = store.customer("cminh730")
    (order,) = store.orders("cminh730")

    assert (crystal.full_name, crystal.username) == ("Crystal Minh", "cminh730")
    assert (crystal.email, crystal.phone) == ("cminh730@email.com", "(977) 625-2661")
    assert crystal.membership_level == "bronze"
    assert (crystal.street, crystal.city, crystal.state, crystal.zip_code) == (
        "6821 1st Ave",
        "San Mateo",
        "NY",
        "75227",
    )
    assert (order.id, order.status, order.payment_method) == (
        "3348917502",
        "delivered",
        "credit card",
    )
    assert order.placed_at.date() == date(2019, 11, 6) and order.has_original_packaging
    assert order.summary == "Michael Kors Jeans" and order.total == Decimal("94.00")
    assert store.product(order.lines[0].product_id).source == "scenario"
    refused = decide_return(crystal.membership_level, order.placed_at.date(), ANCHOR)
    assert not refused.allowed


def test_alessandro_phoenix_has_a_refund_in_progress(seeded):
    store, _ = seeded
    alessandro = store.customer("aphoenix939")
    (order,) = store.orders("aphoenix939")
    (ticket,) = store.open_tickets("aphoenix939")

    assert alessandro.membership_level == "gold"
    assert alessandro.full_name == "Alessandro Phoenix"
    assert (order.id, order.status, order.summary) == (
        "7916676427",
        "returned",
        "Michael Kors Shirt",
    )
    assert order.placed_at.date() == date(2019, 11, 20)
    assert order.total == Decimal("69.00")
    assert (ticket.topic, ticket.status) == ("refund", "in_progress")
    assert ticket.order_id == order.id
    assert ticket.details == {
        "amount": 69.0,
        "method": "credit card",
        "refund_status": "in progress",
    }
    assert ticket.created_at < ticket.updated_at < ANCHOR_START


def test_joyce_wu_has_no_orders(seeded):
    store, _ = seeded
    joyce = store.customer("jwu9085")

    assert (joyce.full_name, joyce.membership_level, joyce.phone) == (
        "Joyce Wu",
        "bronze",
        "(859) 787-9085",
    )
    assert (joyce.street, joyce.city, joyce.state, joyce.zip_code) == (
        "9998 Lincoln Ave",
        "Raleigh",
        "MI",
        "14573",
    )
    assert joyce.email.endswith("@example.com") and joyce.username == "jwu9085"
    assert store.orders("jwu9085") == [] and store.tickets("jwu9085") == []


def test_the_seeded_shop_answers_store_queries(seeded):
    store, _ = seeded

    assert [c.id for c in store.demo_customers(limit=5)][:3] == list(SCENARIO_IDS)
    suggestions = store.similar_to_last_purchase("cminh730")
    assert suggestions and all(s.product.article_type == "Jeans" for s in suggestions)
    assert suggestions[0].reason == (
        "Similar to the Michael Kors Jeans you bought in November 2019"
    )
    assert len(store.popular_products(limit=3)) == 3


def test_seeding_a_seeded_store_does_nothing(seeded, rows):
    store, first = seeded

    again = seed(store, today=ANCHOR + timedelta(days=30))

    assert not again.seeded and again.counts == first.counts
    assert dump(store) == rows


def test_reset_with_another_anchor_moves_only_the_generated_dates(tmp_path, rows):
    store = new_store(tmp_path)
    try:
        seed(store, today=ANCHOR, customers=20)
        report = seed(store, today=ANCHOR + timedelta(days=10), reset=True)
        with store.session() as session:
            orders = {o.id: o.placed_at for o in session.scalars(select(Order))}
            customers = session.scalars(select(Customer.id)).all()
            tickets = session.scalars(select(Ticket)).all()
    finally:
        store.close()

    assert report.seeded and report.counts["customers"] == len(rows["customers"])
    assert len(customers) == len(rows["customers"])
    assert len(tickets) == len(rows["tickets"])
    before = {o.id: o.placed_at for o in rows["orders"]}
    assert orders.keys() == before.keys()
    for order_id, placed_at in orders.items():
        shift = timedelta(0) if placed_at.year == 2019 else timedelta(days=10)
        assert placed_at - before[order_id] == shift, order_id


def test_the_customer_count_can_be_chosen(tmp_path):
    store = new_store(tmp_path)
    try:
        report = seed(store, today=ANCHOR, customers=5)
    finally:
        store.close()

    assert report.counts["customers"] == 5 + len(SCENARIO_IDS)
