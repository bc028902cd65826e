"""What the window says about a model, in the UI's language: its family and tokenizer parity.

The core (``app.library``) gives these as values (``ParityFacts``); its English texts stay for the
terminal.
"""

from __future__ import annotations

from app.library import ParityFacts

from .i18n import N_, tr

FAMILIES = {"rinna-instruction": N_("rinna instruction"), "rinna-bilingual": N_("rinna bilingual"),
            "dolly": N_("dolly"), "base": N_("base (completion)")}


def family_text(entry_or_family) -> str:
    """A model's family as the library lists it (a ``ModelEntry``, or the family's name)."""
    from app.library import FAMILY_NAMES

    family = getattr(entry_or_family, "family", entry_or_family)
    if not family:
        return tr("other (no Hanashi metadata)")
    if family in FAMILIES:
        return tr(FAMILIES[family])
    return str(getattr(entry_or_family, "family_text", "") or FAMILY_NAMES.get(family, family))


def parity_cell(facts: ParityFacts) -> str:
    """The library's parity column: ``exact (242/242)``, ``97.5% (236/242), sentencepiece tokenizer``."""
    if facts.state == "exact":
        return tr("exact (%1/%2)").replace("%1", str(facts.matched)).replace("%2", str(facts.total))
    if facts.state != "partial":
        return tr("not measured")
    text = tr("%1% (%2/%3)").replace("%1", f"{facts.percent:.1f}").replace("%2", str(facts.matched)) \
        .replace("%3", str(facts.total))
    if facts.runtime:
        text = tr("%1, %2 tokenizer").replace("%1", text).replace("%2", facts.runtime)
    return text


def parity_summary(facts: ParityFacts) -> str:
    """One sentence for the end of an import: how many test texts llama.cpp tokenized identically."""
    if facts.state == "unmeasured":
        return tr("Tokenizer parity was not measured.")
    return tr("%1 of %2 test texts were tokenized identically (%3%).").replace("%1", str(facts.matched)) \
        .replace("%2", str(facts.total)).replace("%3", f"{facts.percent:.1f}")

