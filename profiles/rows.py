"""Copies of ORM rows into the frozen views callers receive.

Called inside a session only: an order's lines and their products must be
loaded (the store asks for them eagerly) before the view is made.
"""

from __future__ import annotations

from .models import Customer, Order, OrderLine, Product, Ticket
from .views import CustomerView, OrderLineView, OrderView, ProductView, TicketView


def customer_view(row: Customer) -> CustomerView:
    return CustomerView(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        username=row.username,
        phone=row.phone,
        membership_level=row.membership_level,
        locale=row.locale,
        street=row.street,
        city=row.city,
        state=row.state,
        zip_code=row.zip_code,
        created_at=row.created_at,
        personalization_enabled=row.personalization_enabled,
    )


def product_view(row: Product) -> ProductView:
    return ProductView(
        id=row.id,
        name=row.name,
        brand=row.brand,
        gender=row.gender,
        master_category=row.master_category,
        sub_category=row.sub_category,
        article_type=row.article_type,
        colour=row.colour,
        season=row.season,
        year=row.year,
        usage=row.usage,
        price=row.price,
        sizes=tuple(size for size in row.sizes.split(",") if size),
        stock=dict(row.stock or {}),
        source=row.source,
        image_url=row.image_url,
        in_stock=row.units_in_stock > 0,
    )


def order_line_view(row: OrderLine) -> OrderLineView:
    return OrderLineView(
        product_id=row.product_id,
        product_name=row.product.name,
        article_type=row.product.article_type,
        size=row.size,
        quantity=row.quantity,
        unit_price=row.unit_price,
    )


def order_view(row: Order) -> OrderView:
    return OrderView(
        id=row.id,
        customer_id=row.customer_id,
        status=row.status,
        placed_at=row.placed_at,
        shipped_at=row.shipped_at,
        delivered_at=row.delivered_at,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        payment_method=row.payment_method,
        has_original_packaging=row.has_original_packaging,
        lines=tuple(order_line_view(line) for line in row.lines),
    )


def ticket_view(row: Ticket) -> TicketView:
    return TicketView(
        id=row.id,
        customer_id=row.customer_id,
        order_id=row.order_id,
        topic=row.topic,
        status=row.status,
        outcome=row.outcome,
        summary=row.summary,
        details=dict(row.details or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
