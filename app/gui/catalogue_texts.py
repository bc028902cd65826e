"""The texts of the Get a model catalogue, in the UI's language: column titles, stages, prompt
formats and each model's recommendation with its reason."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from app import catalogue
from app.catalogue import CatalogueEntry, Recommendation
from app.library import human_size

from .i18n import N_, tr

COLUMNS = (N_("Model"), N_("Parameters"), N_("Download"), N_("Licence"), N_("Prompt format"),
           N_("Recommended for this computer"))
STAGES = {"download": N_("Downloading %1…"), "parity": N_("Checking the tokenizer…"),
          "write": N_("Writing the GGUF file…"), "quantize": N_("Quantizing…")}
FAMILIES = {"rinna-instruction": N_("rinna chat (ユーザー/システム, <NL>)"),
            "rinna-bilingual": N_("rinna bilingual chat"), "dolly": N_("dolly instruction ([SEP])"),
            "base": N_("plain text continuation"), "bygpt": N_("byte-level text continuation (byGPT)")}


def japanese() -> bool:
    return QLocale().language() == QLocale.Language.Japanese


def recommendation_text(entry: CatalogueEntry, rec: Recommendation) -> str:
    """The recommendation and why, in the UI's language."""
    if rec.where == "unsupported":
        return entry.unsupported_reason_ja if japanese() else entry.unsupported_reason
    size, mem = human_size(rec.file_size), human_size(rec.memory)
    gpu = human_size(rec.gpu_memory)
    if rec.where == "too_small":
        return tr("Too large for this computer: even %1 needs about %2 of memory, and %3 of RAM is free.") \
            .replace("%1", catalogue.GPU_ORDER[-1]).replace("%2", size).replace("%3", mem)
    if rec.where == "gpu":
        return tr("%1: about %2, fits in your GPU's %3 of free memory with room for the context.") \
            .replace("%1", rec.out_type).replace("%2", size).replace("%3", mem)
    if rec.where == "ram" and not rec.memory:
        text = tr("%1: about %2, the usual balance of quality and speed (this system does not report "
                  "its free memory).")
    elif rec.where == "ram":
        text = tr("%1: about %2, leaves room in the %3 of RAM free now.")
    else:
        text = tr("%1: about %2, only just fits in the %3 of RAM free now: close other programs first.")
    text = text.replace("%1", rec.out_type).replace("%2", size).replace("%3", mem)
    if rec.gpu_memory:
        text = tr("Too large for your GPU's %1 of free memory.").replace("%1", gpu) + " " + text
    return text
