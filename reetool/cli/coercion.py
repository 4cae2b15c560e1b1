"""Option values converted without pydantic, so that a command starts in time.

typer (0.29) converts each parameter's value through a pydantic ``TypeAdapter`` built
the first time a command runs. Importing pydantic and building the adapters costs about
0.2 s of CPU at every start, on top of typer itself: that is most of the 0.5 s within
which ``reetool search`` and ``reetool timeline`` answer on a 10,000-document store
(``bench/trends.py``). ``--help`` never converts a value, which is why it stays fast.

reetool's options are all plain: ``str``, ``int`` (with a minimum or a maximum), ``bool``
flags, lists of ``str``, choices from an ``Enum``, and values read by a ``parser``. This
module converts those with typer's own rules and messages (the choice check is typer's
own function), and hands anything else to typer's conversion unchanged: a path or file
type, a clamped range, a value of an unexpected Python type. :func:`install` hooks it
into typer's one factory of converters; if a future typer lacks that hook, nothing is
installed and typer converts as before, only slower (``tests/test_cli_startup.py``
notices).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, get_args, get_origin

import typer

try:  # typer's private conversion layer: absent or different in other typer versions
    from typer import core as _core
    from typer._coercion import RuntimeParam, TypeDescriptor
    from typer._param_types import coerce_cli_choice

    HOOKABLE = hasattr(_core, "build_runtime_param")
except ImportError:  # pragma: no cover - depends on the installed typer
    HOOKABLE = False


def _plain_int(value: Any, info: Any) -> int:
    """An ``int`` option as pydantic's lax mode reads one, with the same messages."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(value)
    try:
        number = value if isinstance(value, int) else int(value.strip())
    except ValueError:
        raise ValueError("Input should be a valid integer, unable to parse string as an integer") from None
    if info.min is not None and number < info.min:
        raise ValueError(f"Input should be greater than or equal to {info.min}")
    if info.max is not None and number > info.max:
        raise ValueError(f"Input should be less than or equal to {info.max}")
    return number


def _plain_leaf(annotation: Any, info: Any) -> Any:
    """The converter of one plain value, or ``None`` when typer must convert it."""
    if info.parser is not None:
        return info.parser
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = tuple(annotation)
        return lambda value: coerce_cli_choice(value, choices=choices, case_sensitive=info.case_sensitive)
    if annotation is int and not info.clamp:
        return lambda value: _plain_int(value, info)
    if annotation is str:
        return lambda value: value if isinstance(value, str) else _raise_type(value)
    if annotation is bool:
        return lambda value: value if isinstance(value, bool) else _raise_type(value)
    return None


def _raise_type(value: Any) -> Any:
    raise TypeError(value)


if HOOKABLE:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """Converts a plain value (or each value of a list) with ``convert``; a
        ``ValueError`` is the user's mistake, a ``TypeError`` a value typer should see."""

        convert: Any
        many: bool
        descriptor: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                if self.many:
                    items = value if isinstance(value, (list, tuple)) else [value]
                    return [self.convert(item) for item in items]
                return self.convert(value)
            except TypeError:
                return _typer_build(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
            except ValueError as exc:  # a parser's typer.BadParameter passes through as it is
                raise typer.BadParameter(str(exc), ctx=ctx, param=param) from None

    _typer_build = _core.build_runtime_param

    def build_runtime_param(descriptor: TypeDescriptor) -> RuntimeParam:
        """typer's factory of converters, answering plain parameters itself."""
        annotation, info = descriptor.annotation, descriptor.parameter_info
        many = get_origin(annotation) is list
        leaf = get_args(annotation)[0] if many and len(get_args(annotation)) == 1 else annotation
        convert = None
        if descriptor.file_annotation is None and not descriptor.is_path and get_origin(leaf) is None:
            convert = _plain_leaf(leaf, info)
        if convert is None:
            return _typer_build(descriptor)
        return PlainRuntimeParam(
            parameter_info=info, annotation=annotation, convert=convert, many=many, descriptor=descriptor
        )


def install() -> bool:
    """Make typer convert plain values here; ``False`` when this typer has no such hook."""
    if not HOOKABLE:
        return False
    _core.build_runtime_param = build_runtime_param
    return True
