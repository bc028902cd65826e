"""Tokenizer parity: llama.cpp's tokenizer from a GGUF versus the original sentencepiece model.

Two scores are kept: natural prose (``corpus_prose``, what the model will really see, and what
the tokenizer type is chosen by) and edge cases plus seeded fuzz (``corpus``, where tokenizers
tend to disagree). Every probe runs in a child process (``child.run``): if llama.cpp aborts on a
vocabulary anyway, the probe ends in a clear error and the caller keeps running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .corpus import parity_corpus
from .corpus_prose import prose_corpus
from .spm import SpModel

PROSE, EDGE = "prose", "edge"


@dataclass
class Mismatch:
    text: str
    expected: list[str]  # sentencepiece's pieces
    got: list[str]  # llama.cpp's pieces
    section: str = EDGE


@dataclass
class TokenParity:
    kind: str  # llama.cpp tokenizer type measured
    matched: int  # over the whole corpus (prose + edge cases)
    total: int
    mismatches: list[Mismatch] = field(default_factory=list)
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (matched, total)
    note: str = ""  # e.g. which tokenizer types llama.cpp cannot run for this vocabulary

    @property
    def exact(self) -> bool:
        return self.matched == self.total

    @property
    def runtime(self) -> str:
        """Which tokenizer the app must use for this file."""
        return "llama.cpp" if self.exact else "sentencepiece"

    def score(self, section: str) -> tuple[int, int]:
        return self.sections.get(section, (0, 0))

    def rank(self) -> tuple[float, float]:
        """Chosen by prose first, edge cases break ties."""
        def frac(section):
            m, t = self.score(section)
            return m / t if t else 0.0
        return frac(PROSE), frac(EDGE)

    def metadata(self) -> dict:
        """The values written under ``hanashi.parity.tokenizer.*`` (see metadata.add_metadata)."""
        out = {"runtime": self.runtime, "exact": self.exact, "matched": self.matched, "total": self.total,
               "kind": self.kind}
        for name in (PROSE, EDGE):
            if name in self.sections:
                out[f"{name}.matched"], out[f"{name}.total"] = self.sections[name]
        return out

    def summary(self) -> str:
        pct = 100.0 * self.matched / max(self.total, 1)
        verdict = "exact" if self.exact else "NOT exact: Hanashi will tokenize with the embedded sentencepiece model"
        parts = [f"{_label(n)} {m}/{t}" for n, (m, t) in self.sections.items()]
        detail = f" [{', '.join(parts)}]" if parts else ""
        return (f"tokenizer parity ({self.kind}): {self.matched}/{self.total} texts identical ({pct:.1f}%)"
                f"{detail} — {verdict}")

    def format(self, examples: int = 5) -> str:
        lines = [self.summary()]
        for name, (m, t) in self.sections.items():
            lines.append(f"  {_label(name):<22} {m:>5}/{t:<5} ({100.0 * m / max(t, 1):.1f}%)")
        if self.note:
            lines += [f"  {line}" for line in self.note.splitlines()]
        for mm in self.mismatches[:examples]:
            lines.append(f"  text ({_label(mm.section)}): {mm.text!r}")
            lines.append(f"  sentencepiece: {' '.join(mm.expected)}")
            lines.append(f"  llama.cpp:     {' '.join(mm.got)}")
        return "\n".join(lines)


def _label(section: str) -> str:
    return {PROSE: "prose", EDGE: "edge cases + fuzz"}.get(section, section)


def default_sections(pieces: list[str] | None) -> dict[str, list[str]]:
    return {PROSE: prose_corpus(), EDGE: parity_corpus(pieces)}


def _piece_text(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(f"<0x{x:02X}>" for x in b)


def measure_here(gguf_path: str, sp_proto: bytes, kind: str, sections: dict[str, list[str]],
                 keep: int = 20) -> TokenParity:
    """The probe itself: load the GGUF's vocabulary in llama.cpp and compare. Runs in a child."""
    import sentencepiece as spm

    from .llama_vocab import LlamaVocab

    proc = spm.SentencePieceProcessor(model_proto=sp_proto)
    report = TokenParity(kind=kind, matched=0, total=0)
    per_section = max(keep // max(len(sections), 1), 1)
    with LlamaVocab(gguf_path) as lv:
        for name, texts in sections.items():
            matched, kept = 0, 0
            for text in texts:
                want = proc.encode(text, out_type=int)
                got = lv.tokenize(text)
                if want == got:
                    matched += 1
                elif kept < per_section:
                    kept += 1
                    report.mismatches.append(Mismatch(
                        text, [proc.id_to_piece(i) for i in want],
                        [proc.id_to_piece(i) if 0 <= i < proc.get_piece_size() else _piece_text(lv.piece(i))
                         for i in got], name))
            report.sections[name] = (matched, len(texts))
            report.matched += matched
            report.total += len(texts)
    return report


def measure(gguf_path: str | Path, sp: SpModel, kind: str, texts: list[str] | None = None, keep: int = 20,
            *, sections: dict[str, list[str]] | None = None, cancelled: Callable[[], bool] | None = None,
            timeout: float | None = 300) -> TokenParity:
    """Measure in a child process; ``texts`` (one section) or ``sections`` replace the corpora."""
    from . import child

    if sections is None:
        sections = {EDGE: list(texts)} if texts is not None else default_sections(sp.pieces)
    return child.run("quantize.parity_tokens:measure_here", (str(gguf_path), sp.proto_bytes, kind, sections, keep),
                     stage=f"measuring llama.cpp's `{kind}` tokenizer", path=gguf_path, cancelled=cancelled,
                     timeout=timeout,
                     fix=f"llama.cpp cannot run this vocabulary as tokenizer type `{kind}`; "
                         "convert the model again with this version of Hanashi")
