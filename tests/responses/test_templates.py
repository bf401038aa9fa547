"""Response templates: Rasa placeholders and the restricted Jinja2 sandbox."""

from __future__ import annotations

import pytest

from bot.responses.templates import (
    MissingValue,
    TemplateProblem,
    compile_template,
)

CUSTOMER = {"first_name": "Crystal", "membership_level": "gold"}


def test_rasa_placeholders_and_profile_values_fill_one_sentence() -> None:
    template = compile_template(
        "Hi {{ customer.first_name }}, order {order_id}"
        "{% if customer.membership_level == 'gold' %} ships free{% endif %}."
    )

    text = template.render({"placeholders": {"order_id": "A1"}, "customer": CUSTOMER})

    assert text == "Hi Crystal, order A1 ships free."
    assert template.placeholders == {"order_id"}
    assert template.personal


def test_a_plain_text_needs_no_values() -> None:
    template = compile_template("How can I help you today?")

    assert template.render({"placeholders": {}}) == "How can I help you today?"
    assert not template.personal


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("Hi {first_name}", id="rasa-placeholder"),
        pytest.param("Hi {{ customer.first_name }}", id="no-customer"),
        pytest.param("{{ customer.last_order.id }}", id="no-last-order"),
    ],
)
def test_a_missing_value_is_reported_not_left_in_the_text(source: str) -> None:
    with pytest.raises(MissingValue):
        compile_template(source).render({"placeholders": {}, "customer": {}})


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("{{ ''.__class__.__mro__ }}", id="dunder-attribute"),
        pytest.param("{{ customer['__class__'] }}", id="dunder-item"),
        pytest.param("{{ customer._private }}", id="underscore"),
        pytest.param("{{ lipsum.__globals__ }}", id="globals"),
        pytest.param("{{ cycler.__init__.__globals__.os }}", id="cycler"),
        pytest.param("{{ 'x'.format(1) }}", id="method-call"),
        pytest.param("{{ range(10) }}", id="function-call"),
        pytest.param("{% for i in [1, 2] %}x{% endfor %}", id="loop"),
        pytest.param("{% include '/etc/passwd' %}", id="include"),
        pytest.param("{% import 'os' as os %}", id="import"),
        pytest.param("{% extends 'base.html' %}", id="extends"),
        pytest.param("{% set x = 1 %}", id="assignment"),
        pytest.param("{% macro m() %}{% endmacro %}", id="macro"),
        pytest.param("{{ customer|attr('__class__') }}", id="attr-filter"),
        pytest.param("{{ '%s'|format(1) }}", id="format-filter"),
        pytest.param("{{ self }}", id="template-itself"),
        pytest.param("{{ ('x'|join('y'))|join('z') }}", id="join-grows-output"),
        pytest.param("{{ " + "(" * 150 + "1" + ")" * 150 + " }}", id="deep-parens"),
        pytest.param("{{ " + "not " * 900 + "1 }}", id="deep-nots"),
        pytest.param("{{ " + " ~ ".join(["'x'"] * 500) + " }}", id="too-many-parts"),
        pytest.param("{{ customer }", id="syntax"),
        pytest.param("x" * 4001, id="too-long"),
    ],
)
def test_templates_cannot_reach_python_or_files(source: str) -> None:
    with pytest.raises(TemplateProblem):
        compile_template(source)


def test_undefined_globals_are_missing_values_not_objects() -> None:
    # the sandbox has no globals at all: a name it does not know is missing
    for name in ("lipsum", "cycler", "joiner", "namespace", "config", "os"):
        with pytest.raises(MissingValue):
            compile_template("{{ " + name + " }}").render({"placeholders": {}})


def test_allowed_filters_work() -> None:
    template = compile_template(
        "{{ customer.first_name|upper }} {{ customer.nickname|default('friend') }}"
    )

    assert template.render({"placeholders": {}, "customer": CUSTOMER}) == (
        "CRYSTAL friend"
    )


def test_braces_that_are_not_placeholders_stay_text() -> None:
    template = compile_template('Payload /inform{"x": 1} and { spaced }')

    assert (
        template.render({"placeholders": {}})
        == 'Payload /inform{"x": 1} and { spaced }'
    )
