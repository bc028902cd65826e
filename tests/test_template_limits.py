"""Chat templates from model files render in a bounded sandbox: hostile ones end within about a
second with a clear message, never a hang, a huge allocation or a traceback."""

from __future__ import annotations

import re
import time

import pytest

from app.formats import Turn, get_format
from app.formats.template_format import TemplateFormat

HOSTILE = {
    "loop 10^10": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "steps"),
    "loop over text": ("{% set s = 'x' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}", "steps|took longer"),
    "100 MB string": ("{{ 'x' * 100000000 }}", "longer than 1,048,576"),
    "doubling": ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                 "{% endfor %}{{ ns.s }}", "longer than 1,048,576"),
    "center filter": ("{{ 'x'|center(1000000000) }}", "at most 1,000,000"),
    "center method": ("{{ 'x'.center(100000000) }}", "at most 1,000,000"),
    "replace blow-up": ("{% set s = 'x' * 100000 %}{{ s|replace('', 'yyyyyyyyyyyy') }}", "replace"),
    "recursion": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "recursed too deeply"),
    "huge range": ("{{ range(10**10)|list|length }}", r"range\(\)"),
    "huge strftime": ("{{ strftime_now('%c' * 100000) }}", "strftime_now"),
    "huge output": ("{% for i in range(100000) %}{{ 'y' * 100 }}{% endfor %}", "output is longer"),
    "% padding": ("{{ '%*d' % (1000000000, 1) }}", "%-formatting"),
    "10 MB template": ("x" * (10 * 1024 * 1024), "at most 262,144"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_template_ends_quickly_with_a_message(name):
    source, fragment = HOSTILE[name]
    t0 = time.monotonic()
    with pytest.raises(ValueError) as info:
        TemplateFormat(source, "<s>", "</s>").render([], [Turn("user", "こんにちは")])
    assert time.monotonic() - t0 < 1.5, "a template must be stopped within about a second"
    assert re.search(fragment, str(info.value)) and "chat template" in str(info.value)


def test_template_stopped_later_stays_refused_without_rerunning():
    """A template that passes the trial render but loops on a long conversation fails fast afterwards."""
    src = ("{% for m in messages %}{% if messages|length > 5 %}{% for i in range(100000) %}"
           "{% for j in range(100000) %}{% endfor %}{% endfor %}{% endif %}{{ m.content }}{% endfor %}")
    fmt = get_format("template", src)
    turns = [Turn("user" if i % 2 == 0 else "assistant", f"m{i}") for i in range(7)]
    t0 = time.monotonic()
    with pytest.raises(ValueError, match="steps|longer than"):
        fmt.render([], turns)
    t1 = time.monotonic()
    with pytest.raises(ValueError, match="was stopped"):
        fmt.render([], turns)
    assert t1 - t0 < 1.5 and time.monotonic() - t1 < 0.1


def test_a_normal_template_still_renders():
    fmt = get_format("template", "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}"
                     "{% if add_generation_prompt %}<|assistant|>{% endif %}", "<s>", "</s>")
    out = fmt.render([Turn("user", "あなたは親切です。")], [Turn("user", "こんにちは")])
    assert out == "<|system|>あなたは親切です。\n<|user|>こんにちは\n<|assistant|>"


def test_template_errors_are_value_errors_not_tracebacks():
    for src in ("{{ 'a' + 1 }}", "{{ messages[99]['x'] }}", "{{ 1 / 0 }}", "{{ ().__class__.__base__ }}"):
        fmt = get_format("template", src)
        with pytest.raises(ValueError, match="chat template"):
            fmt.render([], [Turn("user", "hi")])
