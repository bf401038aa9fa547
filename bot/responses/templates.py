"""Response templates: Rasa's `{placeholder}` and a small, sandboxed Jinja2.

A response text may use two kinds of values:

- `{order_id}`: Rasa's own placeholders, filled from what the action passed
  and from the conversation's slots, as Rasa itself would;
- `{{ customer.first_name }}`, `{% if customer.membership_level == "gold" %}`:
  the signed-in customer's profile (see `bot.responses.profile`).

Both are compiled into one Jinja2 template in an immutable sandbox. On top of
the sandbox the template may only hold values, attribute and item lookups,
comparisons, `if` blocks and the filters in ALLOWED_FILTERS: no calls, loops,
macros, imports or assignments, so a template can neither reach Python's
internals nor the file system, nor spin the CPU. A value that is missing makes
the render fail with MissingValue, so the caller can fall back to another
variant instead of sending a broken sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_TEMPLATE_CHARS = 4000
MAX_OUTPUT_CHARS = 8000
# None of them makes its output longer than its input and its arguments, so
# the output stays near the template's size plus the values filled in.
ALLOWED_FILTERS = frozenset(
    {"capitalize", "default", "first", "last", "length", "lower", "round",
     "string", "title", "trim", "truncate", "upper", "int"}
)  # fmt: skip
MAX_NODES = 400  # a response's template is small; anything bigger is refused
MAX_DEPTH = 30
# The node types a template may hold (nodes.Template and plain text included).
ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const,
    nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Test, nodes.If, nodes.CondExpr,
    nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Concat,
    nodes.Keyword, nodes.List, nodes.Tuple,
)  # fmt: skip
# Names Jinja2 gives a meaning of its own (`self` is the template itself).
JINJA_SPECIAL_NAMES = frozenset({"self", "loop", "caller", "varargs", "kwargs"})
# Rasa's placeholder: a name in single braces, not part of a Jinja2 tag.
_JINJA_OR_RASA = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{([A-Za-z_][\w-]*)\}", re.DOTALL
)
PLACEHOLDERS = "placeholders"  # the name Rasa-style values are found under


class TemplateProblem(ValueError):
    """A template that cannot be used: bad syntax or something not allowed."""


class MissingValue(LookupError):
    """A value the template needs is not there for this customer or turn."""


@dataclass(frozen=True)
class Compiled:
    source: str
    template: Any  # jinja2.Template
    names: frozenset[str]  # top-level names used: "customer", PLACEHOLDERS, ...
    placeholders: frozenset[str]  # Rasa-style names
    customer_paths: frozenset[str] = frozenset()  # "customer.last_order.id", ...

    @property
    def personal(self) -> bool:
        return "customer" in self.names

    def render(self, context: dict[str, Any]) -> str:
        try:
            text = self.template.render(context)
        except UndefinedError as error:
            raise MissingValue(str(error)) from None
        except SecurityError as error:
            raise TemplateProblem(f"not allowed: {error}") from None
        except (TypeError, ValueError, ArithmeticError) as error:
            raise MissingValue(f"cannot be filled: {error}") from None
        if len(text) > MAX_OUTPUT_CHARS:
            raise TemplateProblem(f"renders to more than {MAX_OUTPUT_CHARS} characters")
        return text


def _environment() -> ImmutableSandboxedEnvironment:
    # Not optimized: the optimizer folds constant expressions while compiling,
    # which would run a template's work before the checks below have seen it.
    environment = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        optimized=False,
    )
    environment.filters = {
        name: f for name, f in environment.filters.items() if name in ALLOWED_FILTERS
    }
    environment.globals = {}
    return environment


_ENVIRONMENT = _environment()


def compile_template(source: str) -> Compiled:
    """The template of `source`, or TemplateProblem saying what is wrong."""
    return _compile(source)


@lru_cache(maxsize=4096)
def _compile(source: str) -> Compiled:
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateProblem(f"is longer than {MAX_TEMPLATE_CHARS} characters")
    rasa_names: set[str] = set()

    def translate(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)
        rasa_names.add(match.group(1))
        return "{{ " + f"{PLACEHOLDERS}[{match.group(1)!r}]" + " }}"

    jinja_source = _JINJA_OR_RASA.sub(translate, source)
    try:
        tree = _ENVIRONMENT.parse(jinja_source)
        _check_nodes(tree)
    except TemplateSyntaxError as error:
        raise TemplateProblem(f"line {error.lineno}: {error.message}") from None
    except RecursionError:
        raise TemplateProblem("is nested too deeply") from None
    return Compiled(
        source,
        _ENVIRONMENT.from_string(tree),
        frozenset(meta.find_undeclared_variables(tree)),
        frozenset(rasa_names),
        frozenset(_customer_paths(tree)),
    )


def _check_nodes(tree: nodes.Template) -> None:
    if _depth(tree) > MAX_DEPTH:
        raise TemplateProblem(f"is nested more than {MAX_DEPTH} levels deep")
    found = list(tree.find_all(nodes.Node))
    if len(found) > MAX_NODES:
        raise TemplateProblem(f"has more than {MAX_NODES} parts")
    for node in found:
        if not isinstance(node, ALLOWED_NODES):
            raise TemplateProblem(
                f"{type(node).__name__.lower()} is not allowed in a response"
            )
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise TemplateProblem(f"the filter {node.name!r} is not allowed")
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise TemplateProblem(f"{node.attr!r} cannot be looked up")
        if (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and str(node.arg.value).startswith("_")
        ):
            raise TemplateProblem(f"{node.arg.value!r} cannot be looked up")
        if isinstance(node, nodes.Name) and (
            node.name.startswith("_") or node.name in JINJA_SPECIAL_NAMES
        ):
            raise TemplateProblem(f"{node.name!r} cannot be looked up")


def _depth(node: nodes.Node, limit: int = MAX_DEPTH + 1) -> int:
    """How deep the tree goes, counted no further than `limit`."""
    children = list(node.iter_child_nodes())
    if not children or limit <= 1:
        return 1
    return 1 + max(_depth(child, limit - 1) for child in children)


def _customer_paths(tree: nodes.Template) -> set[str]:
    """Every lookup on `customer`, dotted: {"customer.first_name", ...}."""
    paths = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        parts = []
        while isinstance(node, (nodes.Getattr, nodes.Getitem)):
            if isinstance(node, nodes.Getattr):
                parts.append(node.attr)
            elif isinstance(node.arg, nodes.Const):
                parts.append(str(node.arg.value))
            else:
                parts = []  # a computed key: no path to name
            node = node.node
        if parts and isinstance(node, nodes.Name) and node.name == "customer":
            paths.add(".".join(["customer", *reversed(parts)]))
    return paths
