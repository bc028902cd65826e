"""A Jinja sandbox with limits, for chat templates that come from model files.

Jinja's sandbox stops a template from reaching Python internals, but not from running forever or
filling memory: a loop of 10¹⁰ steps, a string doubled thirty times, ``'x' * 10**9``,
``'x'|center(10**9)``, a macro that calls itself. Rendering here is bounded:

* source size (``MAX_SOURCE``), output size (``MAX_OUTPUT`` characters) and every intermediate
  string or list the template builds with ``*``, ``+``, ``~``, ``%``, a filter or a method;
* time (``TIME_LIMIT`` seconds) and steps (``MAX_STEPS`` template lines executed, which bounds
  loop iterations), checked by a trace function that runs only in the template's own code;
* ``range()`` (``MAX_RANGE``), integer arguments to filters and methods (``MAX_INT_ARG``) and
  powers, and recursion depth (Python's, reported as a clear error).

Any limit reached raises ``TemplateLimitError`` (a ``ValueError``) with a sentence saying which.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
import time

import jinja2
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SOURCE = 256 * 1024
MAX_OUTPUT = 1024 * 1024
MAX_RANGE = 100_000
MAX_INT_ARG = 1_000_000
MAX_STEPS = 2_000_000
TIME_LIMIT = 1.0
_TEMPLATE_FILE = "<template>"


class TemplateLimitError(ValueError):
    """A chat template went past one of the sandbox's limits."""


class _Budget:
    """The limits of one render: a deadline and a step count, checked from the trace function."""

    def __init__(self, seconds: float, steps: int):
        self.deadline = time.monotonic() + seconds
        self.steps_left = steps
        self.seconds = seconds

    def check(self) -> None:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise TemplateLimitError(f"the chat template ran more than {MAX_STEPS:,} steps (an endless loop?)")
        if self.steps_left % 256 == 0 and time.monotonic() > self.deadline:
            raise TemplateLimitError(f"the chat template took longer than {self.seconds:g} s to render")


_local = threading.local()  # the budget of the render running on this thread, if any


def _tick() -> None:
    budget = getattr(_local, "budget", None)
    if budget is not None:
        budget.check()


def _size(value) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else 0


def _check_size(value, what: str):
    if _size(value) > MAX_OUTPUT:
        raise TemplateLimitError(f"the chat template built {what} longer than {MAX_OUTPUT:,} characters")
    return value


def _check_args(args, kwargs, what: str) -> None:
    for a in (*args, *kwargs.values()):
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_INT_ARG:
            raise TemplateLimitError(f"the chat template passed {a} to {what} (at most {MAX_INT_ARG:,} allowed)")
        if _size(a) > MAX_OUTPUT:
            raise TemplateLimitError(f"the chat template passed a value longer than {MAX_OUTPUT:,} to {what}")


def _check_replace(subject, args) -> None:
    """``replace`` can multiply a text's length; estimate the result before building it."""
    if isinstance(subject, str) and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        hits = len(subject) + 1 if args[0] == "" else subject.count(args[0])
        if len(subject) + hits * len(args[1]) > MAX_OUTPUT:
            raise TemplateLimitError(f"the chat template's replace() would build more than {MAX_OUTPUT:,} characters")


def _guard(name: str, func):
    @functools.wraps(func)
    def guarded(*args, **kwargs):
        _tick()
        _check_args(args, kwargs, f"the {name} filter")
        if name == "replace":
            plain = [a for a in args if not isinstance(a, (jinja2.runtime.Context, jinja2.nodes.EvalContext))]
            _check_replace(plain[0] if plain else None, plain[1:])
        return _check_size(func(*args, **kwargs), f"a value (filter {name})")

    return guarded


def _guarded_join(seq):
    seq = tuple(seq)
    if sum(_size(s) for s in seq) > MAX_OUTPUT:
        raise TemplateLimitError(f"the chat template built a text longer than {MAX_OUTPUT:,} characters with ~")
    return str_join(seq)


def _guarded_markup_join(seq):
    seq = tuple(seq)
    if sum(_size(s) for s in seq) > MAX_OUTPUT:
        raise TemplateLimitError(f"the chat template built a text longer than {MAX_OUTPUT:,} characters with ~")
    return markup_join(seq)


def range_(*args):  # exposed to templates as range()
    _check_args(args, {}, "range()")
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise TemplateLimitError(f"the chat template asked for range() of {len(r):,} numbers (at most {MAX_RANGE:,})")
    return r


def _strftime_now(fmt: str = "%Y-%m-%d") -> str:
    fmt = str(fmt)
    if len(fmt) > 200:
        raise TemplateLimitError("the chat template's strftime_now format is longer than 200 characters")
    return time.strftime(fmt)


def _raise_exception(message: str) -> None:
    raise jinja2.TemplateError(str(message)[:1000])


def _tojson(value, indent=None) -> str:
    _check_args((indent,), {}, "tojson")
    return _check_size(json.dumps(value, ensure_ascii=False, indent=indent), "a JSON text")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox chat templates render in (see the module docstring for its limits)."""

    intercepted_binops = frozenset(["*", "**", "+", "%", "//"])

    def __init__(self):
        super().__init__(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
        self.globals["raise_exception"] = _raise_exception
        self.globals["strftime_now"] = _strftime_now
        range_.__name__ = "range"
        self.globals["range"] = range_
        self.filters["tojson"] = _tojson
        self.filters = {name: _guard(name, f) for name, f in self.filters.items()}

    def call_binop(self, context, operator, left, right):
        _tick()
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64 and \
                isinstance(left, (int, float)) and abs(left) > 1:
            raise TemplateLimitError(f"the chat template computed {left!r} ** {right!r}, too large a number")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(n, int) and isinstance(seq, (str, list, tuple)) and len(seq) * n > MAX_OUTPUT:
                    raise TemplateLimitError(
                        f"the chat template built a value longer than {MAX_OUTPUT:,} characters with *")
        if operator == "+" and _size(left) + _size(right) > MAX_OUTPUT:
            raise TemplateLimitError(f"the chat template built a value longer than {MAX_OUTPUT:,} with +")
        if operator == "%":
            _check_args(right if isinstance(right, tuple) else (right,), {}, "%-formatting")
        return _check_size(super().call_binop(context, operator, left, right), "a value")

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja's own signature)
        _tick()
        _check_args(args, kwargs, f"{getattr(__obj, '__name__', 'a function')}()")
        if getattr(__obj, "__name__", "") == "replace":
            _check_replace(getattr(__obj, "__self__", None), args)
        return _check_size(super().call(__context, __obj, *args, **kwargs), "a value")

    def getattr(self, obj, attribute):
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _tick()
        return super().getitem(obj, argument)


def compile_template(source: str) -> jinja2.Template:
    """A template of the bounded sandbox; TemplateLimitError or TemplateSyntaxError when refused."""
    if not isinstance(source, str):
        raise TemplateLimitError("the chat template is not text")
    if len(source) > MAX_SOURCE:
        raise TemplateLimitError(f"the chat template is {len(source):,} characters long (at most {MAX_SOURCE:,})")
    try:
        template = BoundedSandbox().from_string(source)
    except RecursionError:
        raise TemplateLimitError("the chat template is nested too deeply to compile") from None
    namespace = template.root_render_func.__globals__
    namespace["str_join"] = _guarded_join
    namespace["markup_join"] = _guarded_markup_join
    return template


def _tracer(frame, event, arg):
    if frame.f_code.co_filename == _TEMPLATE_FILE:
        _tick()
        return _line_tracer
    return None


def _line_tracer(frame, event, arg):
    if event == "line":
        _tick()
    return _line_tracer


def render_bounded(template: jinja2.Template, seconds: float = TIME_LIMIT, **context) -> str:
    """Render within the limits; TemplateLimitError when one is reached, jinja2 errors as raised."""
    budget = _Budget(seconds, MAX_STEPS)
    previous_budget, previous_trace = getattr(_local, "budget", None), sys.gettrace()
    _local.budget = budget
    sys.settrace(_tracer)
    parts: list[str] = []
    total = 0
    try:
        for chunk in template.generate(**context):
            total += len(chunk)
            if total > MAX_OUTPUT:
                raise TemplateLimitError(f"the chat template's output is longer than {MAX_OUTPUT:,} characters")
            parts.append(chunk)
            budget.check()
    except RecursionError:
        raise TemplateLimitError("the chat template recursed too deeply (a macro that calls itself?)") from None
    except MemoryError:
        raise TemplateLimitError("the chat template ran out of memory") from None
    except (OverflowError, TypeError, AttributeError, KeyError, IndexError, ZeroDivisionError, ValueError) as e:
        if isinstance(e, TemplateLimitError):
            raise
        raise jinja2.TemplateError(f"{type(e).__name__}: {str(e)[:300]}") from None
    finally:
        sys.settrace(previous_trace)
        _local.budget = previous_budget
    return "".join(parts)


__all__ = ["BoundedSandbox", "TemplateLimitError", "compile_template", "render_bounded", "MAX_SOURCE",
           "MAX_OUTPUT", "TIME_LIMIT"]
