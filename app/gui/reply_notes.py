"""What is said under a reply: its stats, and a quiet notice when something was left out or cut.

Both come from the stats stored with the reply (``ReplyResult.stats()``): tokens written, speed,
time to the first token and why it ended; how many older messages were left out so the prompt
fits the model's context, and whether the reply stopped at the token limit or a full context.
Stored stats are read defensively: a value missing or of the wrong type is simply not shown.
"""

from __future__ import annotations

import math

from .i18n import N_, tr

REASONS = {"eos": N_("finished"), "stop": N_("finished (stop word)"), "length": N_("token limit reached"),
           "context": N_("context full"), "cancelled": N_("stopped")}


def number(stats: dict, key: str) -> float | None:
    """``stats[key]`` when it is a finite, non-negative number; None otherwise."""
    value = stats.get(key) if isinstance(stats, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def _n(value: float) -> str:
    return str(int(value))


def stats_text(stats: dict) -> str:
    """``42 tokens · 12.3 tokens/s · first token 0.21 s · finished``; "" when nothing is known."""
    parts = []
    generated = number(stats, "n_generated")
    if generated is not None:
        parts.append(tr("%1 tokens").replace("%1", _n(generated)))
    speed = number(stats, "tokens_per_s")
    if speed is not None and generated:
        parts.append(tr("%1 tokens/s").replace("%1", f"{speed:.1f}"))
    first = number(stats, "first_token_seconds")
    if first is not None:
        parts.append(tr("first token %1 s").replace("%1", f"{first:.2f}"))
    reason = stats.get("reason") if isinstance(stats, dict) else None
    if reason in REASONS:
        parts.append(tr(REASONS[reason]))
    return " · ".join(parts)


def notice_text(stats: dict) -> str:
    """Why the reply may miss something: older messages left out, or the reply cut short."""
    lines = []
    n_ctx = number(stats, "n_ctx")
    context = _n(n_ctx) if n_ctx else "?"
    dropped = number(stats, "dropped_turns")
    if dropped:
        lines.append(tr("The %1 oldest messages were left out: the conversation is longer than the model's "
                        "context (%2 tokens), so the model did not see them when writing this reply.")
                     .replace("%1", _n(dropped)).replace("%2", context))
    reason = stats.get("reason") if isinstance(stats, dict) else None
    if reason == "length":
        limit = number(stats, "max_new_tokens") or number(stats, "n_generated")
        lines.append(tr("The reply was cut short at the limit of %1 tokens (“Longest reply” in Persona and "
                        "sampling).").replace("%1", _n(limit) if limit else "?"))
    elif reason == "context":
        lines.append(tr("The reply was cut short: the model's context (%1 tokens) is full. Start a new "
                        "conversation, or load the model with a larger context in Settings.")
                     .replace("%1", context))
    return "\n".join(lines)
