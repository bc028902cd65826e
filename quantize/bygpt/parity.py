"""Tokenizer parity for the byte-level model: Hanashi's byte encoding against a reference encoding.

For this model the tokenizer IS the byte encoding, so parity compares ``encoding.encode_text`` with a
reference encoder (text → list of byte ints) on the same corpora as every other model (natural prose
and edge cases + fuzz), and reports in the same table. The reference is the model's own tokenizer
(loaded only by ``verify --trust-remote-code``) or the test suite's reference module. Without one
— at conversion, where no model code ever runs — the table reports the encoding's own round trip
(encode → decode gives the text back, every group a valid character group) and says so.
"""

from __future__ import annotations

from typing import Callable

from ..corpus import parity_corpus
from ..corpus_prose import prose_corpus
from ..parity_tokens import EDGE, PROSE, Mismatch, TokenParity
from . import layout
from .encoding import decode_bytes, encode_text

Reference = Callable[[str], list[int]]


class ByteParity(TokenParity):
    """A TokenParity whose verdict speaks of the byte encoding (the runtime is always Hanashi's)."""

    reference_name: str = ""

    @property
    def runtime(self) -> str:
        return "bygpt"

    def summary(self) -> str:
        pct = 100.0 * self.matched / max(self.total, 1)
        parts = [f"{'prose' if n == PROSE else 'edge cases + fuzz'} {m}/{t}" for n, (m, t) in self.sections.items()]
        what = (f"byte encoding ({self.kind}) vs {self.reference_name}" if self.reference_name
                else f"byte encoding ({self.kind}) round trip")
        verdict = "exact" if self.exact else "NOT exact: the layout table's encoding differs"
        return f"tokenizer parity, {what}: {self.matched}/{self.total} texts identical ({pct:.1f}%) " \
               f"[{', '.join(parts)}] — {verdict}"

    def format(self, examples: int = 5) -> str:
        lines = [self.summary()]
        for name, (m, t) in self.sections.items():
            label = "prose" if name == PROSE else "edge cases + fuzz"
            lines.append(f"  {label:<22} {m:>5}/{t:<5} ({100.0 * m / max(t, 1):.1f}%)")
        if self.note:
            lines += [f"  {line}" for line in self.note.splitlines()]
        for mm in self.mismatches[:examples]:
            lines.append(f"  text ({mm.section}): {mm.text!r}")
            lines.append(f"  {self.reference_name or 'decoded'}: {' '.join(mm.expected)}")
            lines.append(f"  Hanashi:     {' '.join(mm.got)}")
        return "\n".join(lines)

    def metadata(self) -> dict:
        return {"exact": self.exact, "matched": self.matched, "total": self.total, "kind": self.kind}


def default_sections() -> dict[str, list[str]]:
    return {PROSE: prose_corpus(), EDGE: parity_corpus(None)}


def _clean(text: str) -> str:
    """``text`` as it can be encoded: lone surrogates (no UTF-8 form) become U+FFFD."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _groups(data) -> list[str]:
    b = bytes(data)
    return ["".join(f"{x:02X}" for x in b[s:s + 4]) for s in range(0, len(b), 4)]


def measure(reference: Reference | None = None, sections: dict[str, list[str]] | None = None,
            reference_name: str = "the reference tokenizer", keep: int = 20,
            cancelled: Callable[[], bool] | None = None) -> ByteParity:
    """Compare on ``sections`` (default: prose + edge cases); no ``reference``: the round trip."""
    sections = sections if sections is not None else default_sections()
    report = ByteParity(kind=layout.ENCODING, matched=0, total=0)
    report.reference_name = reference_name if reference is not None else ""
    per_section = max(keep // max(len(sections), 1), 1)
    for name, texts in sections.items():
        matched = kept = 0
        for text in texts:
            if cancelled is not None and cancelled():
                from ..errors import ConversionCancelled

                raise ConversionCancelled()
            ours = encode_text(text)
            if reference is not None:
                ref = [int(x) for x in reference(text)]
                want = bytes(x & 0xFF for x in ref)
                ok = ref == list(ours)
            else:
                want = b""
                ok = decode_bytes(ours) == _clean(text) and len(ours) == 4 * len(text)
            if ok:
                matched += 1
            elif kept < per_section:
                kept += 1
                expected = _groups(want) if reference is not None else [repr(decode_bytes(ours))]
                report.mismatches.append(Mismatch(text, expected, _groups(ours), name))
        report.sections[name] = (matched, len(texts))
        report.matched += matched
        report.total += len(texts)
    if reference is None:
        report.note = ("the model's own tokenizer was not run (Hanashi never runs a model's code); to compare "
                       "with it: hanashi-quantize verify MODEL.gguf --reference MODEL_DIR --trust-remote-code")
    return report
