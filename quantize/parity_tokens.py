"""Tokenizer parity: llama.cpp's tokenizer from a GGUF versus the original sentencepiece model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .corpus import parity_corpus
from .llama_vocab import LlamaVocab
from .spm import SpModel


@dataclass
class Mismatch:
    text: str
    expected: list[str]  # sentencepiece's pieces
    got: list[str]  # llama.cpp's pieces


@dataclass
class TokenParity:
    kind: str  # llama.cpp tokenizer type measured
    matched: int
    total: int
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.matched == self.total

    @property
    def runtime(self) -> str:
        """Which tokenizer the app must use for this file."""
        return "llama.cpp" if self.exact else "sentencepiece"

    def summary(self) -> str:
        pct = 100.0 * self.matched / max(self.total, 1)
        verdict = "exact" if self.exact else "NOT exact: Hanashi will tokenize with the embedded sentencepiece model"
        return f"tokenizer parity ({self.kind}): {self.matched}/{self.total} texts identical ({pct:.1f}%) — {verdict}"

    def format(self, examples: int = 5) -> str:
        lines = [self.summary()]
        for m in self.mismatches[:examples]:
            lines.append(f"  text:        {m.text!r}")
            lines.append(f"  sentencepiece: {' '.join(m.expected)}")
            lines.append(f"  llama.cpp:     {' '.join(m.got)}")
        return "\n".join(lines)


def _piece_text(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(f"<0x{x:02X}>" for x in b)


def measure(gguf_path: Path, sp: SpModel, kind: str, texts: list[str] | None = None,
            keep: int = 20) -> TokenParity:
    proc = sp.processor()
    texts = texts if texts is not None else parity_corpus(sp.pieces)
    report = TokenParity(kind=kind, matched=0, total=len(texts))
    with LlamaVocab(gguf_path) as lv:
        for text in texts:
            want = proc.encode(text, out_type=int)
            got = lv.tokenize(text)
            if want == got:
                report.matched += 1
            elif len(report.mismatches) < keep:
                report.mismatches.append(Mismatch(
                    text, [proc.id_to_piece(i) for i in want],
                    [proc.id_to_piece(i) if i < proc.get_piece_size() else _piece_text(lv.piece(i))
                     for i in got]))
    return report
