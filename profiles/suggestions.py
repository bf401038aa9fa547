"""Product suggestions the store can make from its own rows.

Two honest baselines: articles like the customer's latest purchase, and what
sells most. Each suggestion carries the reason shown to the customer, built
from the records it came from.
TODO: replace with the hybrid of co-purchase and embedding similarity the
design names; that needs the knowledge index, which this package does not own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from .models import Order, OrderLine, Product
from .rows import product_view
from .views import Suggestion

SIMILAR_REASON = "Similar to the {product} you bought in {month}"
POPULAR_THIS_MONTH_REASON = "Popular with our customers this month"
POPULAR_REASON = "Popular with our customers"
POPULAR_WINDOW = timedelta(days=30)
KEPT_STATUSES = ("placed", "shipped", "delivered")  # the customer has or gets it


def latest_purchase(
    session: Session, customer_id: str
) -> tuple[Order, OrderLine] | None:
    """The customer's newest order that was not cancelled, and its dearest line."""
    order = session.scalars(
        select(Order)
        .where(Order.customer_id == customer_id, Order.status != "cancelled")
        .options(selectinload(Order.lines).selectinload(OrderLine.product))
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(1)
    ).first()
    if order is None or not order.lines:
        return None
    line = min(order.lines, key=lambda line: (-line.unit_price, line.id))
    return order, line


def similar_to(
    session: Session, customer_id: str, base: Product, limit: int
) -> list[Product]:
    """In-stock articles of the same type (else sub-category) and gender as `base`.

    Leaves out what the customer owns or has on the way (articles cancelled or
    sent back do not count); nearest price first.
    """
    owned = (
        select(OrderLine.product_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.customer_id == customer_id, Order.status.in_(KEPT_STATUSES))
    )
    picked: list[Product] = []
    kinds = (
        Product.article_type == base.article_type,
        Product.sub_category == base.sub_category,
    )
    for same in kinds:
        query = (
            _like(base)
            .where(same, Product.id.not_in(owned))
            .where(Product.id.not_in([product.id for product in picked]))
            .limit(limit - len(picked))
        )
        picked += session.scalars(query).all()
        if len(picked) >= limit:
            break
    return picked


def _like(base: Product) -> Select[tuple[Product]]:
    query = select(Product).where(Product.units_in_stock > 0)
    if base.gender != "Unisex":
        query = query.where(Product.gender.in_((base.gender, "Unisex")))
    return query.order_by(func.abs(Product.price - base.price), Product.id)


def similar_suggestions(
    session: Session, customer_id: str, limit: int
) -> list[Suggestion]:
    purchase = latest_purchase(session, customer_id)
    if purchase is None:
        return []
    order, line = purchase
    reason = SIMILAR_REASON.format(
        product=line.product.name, month=f"{order.placed_at:%B %Y}"
    )
    based_on = product_view(line.product)
    return [
        Suggestion(product_view(product), reason, based_on)
        for product in similar_to(session, customer_id, line.product, limit)
    ]


def popular_suggestions(
    session: Session, now: datetime, limit: int
) -> list[Suggestion]:
    """Best sellers of the last 30 days, topped up with all-time best sellers."""
    recent = _best_sellers(session, since=now - POPULAR_WINDOW, limit=limit)
    reason = POPULAR_THIS_MONTH_REASON
    suggestions = [Suggestion(product_view(product), reason) for product in recent]
    if len(suggestions) < limit:
        seen = {product.id for product in recent}
        overall = _best_sellers(session, since=None, limit=limit + len(seen))
        suggestions += [
            Suggestion(product_view(product), POPULAR_REASON)
            for product in overall
            if product.id not in seen
        ][: limit - len(suggestions)]
    return suggestions


def _best_sellers(
    session: Session, since: datetime | None, limit: int
) -> list[Product]:
    """In-stock products by units ordered (cancelled orders left out), then by id."""
    units = func.sum(OrderLine.quantity).label("units")
    sold = (
        select(OrderLine.product_id, units)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status != "cancelled")
        .group_by(OrderLine.product_id)
    )
    if since is not None:
        sold = sold.where(Order.placed_at >= since)
    sold = sold.subquery()
    query = (
        select(Product)
        .join(sold, sold.c.product_id == Product.id)
        .where(Product.units_in_stock > 0)
        .order_by(sold.c.units.desc(), Product.id)
        .limit(limit)
    )
    return list(session.scalars(query))
