"""Hostile Jinja chat templates: endless work, huge output, recursion, and sandbox escapes.

Each escape tries to create ``ESCAPE_MARKER`` through a different route; the marker existing after a
chat means code from the model file ran.
"""

from __future__ import annotations

from pathlib import Path

ESCAPE_MARKER = Path("/tmp/adversarial-template-escaped")
_TOUCH = f"touch {ESCAPE_MARKER}"

_TAIL = "{% for m in messages %}{{ m['content'] }}{% endfor %}"


def hostile_templates() -> dict[str, tuple[str, bool]]:
    """label → (template, used by the pytest suite)."""
    t = {
        # work without end
        "loop-10^10": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}" + _TAIL,
                       True),
        "string-100mb": ("{{ 'x' * 100000000 }}" + _TAIL, True),
        "string-doubling": ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
                            "{% endfor %}{{ ns.s|length }}" + _TAIL, False),
        "recursion": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}" + _TAIL, True),
        "range-10^12": ("{{ range(10**12)|list|length }}" + _TAIL, True),
        "range-10^12-join": ("{{ range(10**12)|join(',') }}" + _TAIL, False),
        "template-10mb": ("{# " + "x" * 10_000_000 + " #}" + _TAIL, True),
        "strftime-huge": ("{{ strftime_now('%Y' * 10000000) }}" + _TAIL, True),
        "slow-under-step-limit": ("{% for i in range(1900000) %}{% endfor %}" + _TAIL, False),
        "output-5mb-per-message": ("{% for m in messages %}{{ 'x' * 5000000 }}{{ m['content'] }}{% endfor %}", False),
        "pow-huge": ("{{ 10 ** 10 ** 10 }}" + _TAIL, False),
        "messages-loop": ("{% for m in messages %}{% for n in messages * 100000000 %}{% endfor %}{% endfor %}"
                          + _TAIL, False),
        "raise-exception": ("{{ raise_exception('refused by the template') }}" + _TAIL, False),
        "syntax-error": ("{% for m in messages %}{{ m['content'] }" + _TAIL, True),
        "undefined-filter": ("{{ messages|nosuchfilter }}" + _TAIL, False),
        "empty": ("", False),
        "only-whitespace": ("   \n ", False),
        # sandbox escapes
        "escape-mro": ("{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
                       "{{ c(['touch', '" + str(ESCAPE_MARKER) + "']) }}{% endif %}{% endfor %}" + _TAIL, True),
        "escape-cycler": ("{{ cycler.__init__.__globals__.os.system('" + _TOUCH + "') }}" + _TAIL, True),
        "escape-joiner": ("{{ joiner.__init__.__globals__.os.popen('" + _TOUCH + "').read() }}" + _TAIL, False),
        "escape-lipsum": ("{{ lipsum.__globals__['os'].system('" + _TOUCH + "') }}" + _TAIL, False),
        "escape-namespace": ("{{ namespace.__init__.__globals__.os.system('" + _TOUCH + "') }}" + _TAIL, False),
        "escape-self": ("{{ self.__init__.__globals__.__builtins__.__import__('os').system('" + _TOUCH + "') }}"
                        + _TAIL, False),
        "escape-raise-exception": ("{{ raise_exception.__globals__['os'].system('" + _TOUCH + "') }}" + _TAIL, True),
        "escape-strftime": ("{{ strftime_now.__globals__['os'].system('" + _TOUCH + "') }}" + _TAIL, False),
        "escape-attr-filter": ("{{ (''|attr('__class__')|attr('__mro__'))[1]|attr('__subclasses__')() }}" + _TAIL,
                               True),
        "escape-format": ("{{ '{0.__class__.__mro__[1].__subclasses__}'.format('') }}" + _TAIL, False),
        "escape-messages-class": ("{{ messages.__class__.__init__.__globals__ }}" + _TAIL, False),
        "escape-getattr-dict": ("{{ messages[0].__class__.__base__.__subclasses__() }}" + _TAIL, False),
    }
    return t
