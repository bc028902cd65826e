"""``verify``: tokenizer parity and, with the reference extra, logits parity of a converted GGUF."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import bygpt_verify, parity_logits, parity_tokens
from .archs import load_architecture
from .checkpoint import Checkpoint
from .errors import ConversionError
from .gguf_check import checked_info
from .spm import load_sp_model

# What "faithful" means, per file type: float files by max |Δlogit| (the GELU approximation and
# the float format are the only differences), quantized files by top-1 agreement.
MAX_ABS = {"f32": 5e-3, "f16": 2e-2, "bf16": 1e-1}
MIN_TOP1 = {"q8_0": 0.95, "q6_k": 0.90, "q5_k_m": 0.88, "q5_k_s": 0.88, "q5_0": 0.88, "q4_k_m": 0.80,
            "q4_k_s": 0.80, "q4_0": 0.78, "q3_k_m": 0.70, "q2_k": 0.60}


@dataclass
class VerifyReport:
    gguf: Path
    file_type: str
    tokens: parity_tokens.TokenParity
    logits: list[parity_logits.LogitsRow] = field(default_factory=list)
    logits_note: str = ""

    @property
    def is_float(self) -> bool:
        return self.file_type in MAX_ABS

    @property
    def ok(self) -> bool:
        if not self.logits:
            return True
        if self.is_float:
            return all(r.max_abs <= MAX_ABS[self.file_type] for r in self.logits)
        return all(r.top1 >= MIN_TOP1.get(self.file_type, 0.5) for r in self.logits)

    def format(self) -> str:
        lines = [f"Tokenizer parity — {self.gguf.name}", parity_tokens_table(self.tokens), ""]
        lines.append(f"Logits parity — transformers fp32 vs llama.cpp ({self.file_type})")
        if not self.logits:
            lines.append(f"  skipped: {self.logits_note}")
            return "\n".join(lines)
        lines.append(f"  {'sequence':<10} {'tokens':>6} {'max|Δlogit|':>12} {'top-1 agree':>12} {'mean KL':>10}")
        for r in self.logits:
            lines.append(f"  {r.label:<10} {r.n_tokens:>6} {r.max_abs:>12.3g} {r.top1 * 100:>11.1f}% {r.mean_kl:>10.2e}")
        bound = (f"max|Δlogit| ≤ {MAX_ABS[self.file_type]:g}" if self.is_float
                 else f"top-1 ≥ {MIN_TOP1.get(self.file_type, 0.5):.0%}")
        lines.append(f"  verdict: {'PASS' if self.ok else 'FAIL'} ({bound})")
        return "\n".join(lines)


def parity_tokens_table(t: parity_tokens.TokenParity) -> str:
    return "\n".join("  " + line for line in t.format().splitlines())


def verify(gguf_path: str | Path, reference: str | Path, logits: bool = True,
           threads: int | None = None, trust_remote_code: bool = False):
    """Compare the GGUF ``gguf_path`` with the Hugging Face folder ``reference`` it was converted from.

    Both are validated first, as the engine and the converter validate them: the GGUF's every
    metadata value (``gguf_check``: an invalid file is refused before llama.cpp sees it) and the
    reference's config and tensors. llama.cpp runs in child processes with time limits; every
    failure is a ConversionError naming the file and the step.

    A byte-level multi-head model (byGPT) is compared by ``bygpt_verify`` (a ByteVerifyReport), with
    the folder's own code as the reference: only with ``trust_remote_code``.
    """
    gguf_path = Path(gguf_path)
    info = checked_info(gguf_path)  # InvalidGGUFError (a ConversionError) names every bad value
    if info.family == "bygpt" or bygpt_verify.is_bygpt_reference(Path(reference)):
        if not logits:
            raise ConversionError("a byte-level model has no tokenizer to compare: its check is the model's "
                                  "own outputs", gguf_path, "run verify without --no-logits")
        return bygpt_verify.verify(gguf_path, Path(reference), info.file_type, trust_remote_code, threads)
    ckpt = Checkpoint(reference)
    try:
        if logits:
            load_architecture(ckpt)  # the reference's config values and tensors, before transformers reads them
        sp = load_sp_model(ckpt.sp_model_path)
        if info.sp_model and info.sp_model != sp.proto_bytes:
            raise ConversionError("the GGUF's embedded sentencepiece model differs from the reference's",
                                  ckpt.sp_model_path, "pass the folder this GGUF was converted from")
        tokens = parity_tokens.measure(gguf_path, sp, info.tokenizer_kind)
        report = VerifyReport(gguf_path, info.file_type, tokens)
        if not logits:
            report.logits_note = "not requested (--no-logits)"
        elif not parity_logits.reference_available():
            report.logits_note = "install the reference extra (torch, transformers): pip install 'hanashi[reference]'"
        else:
            report.logits = parity_logits.measure(gguf_path, ckpt.dir, ckpt.sp_model_path, info.n_ctx, threads)
        return report
    finally:
        ckpt.close()
