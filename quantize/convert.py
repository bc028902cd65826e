"""The conversion pipeline: validate the folder, measure the tokenizer, write, quantize, rename.

Order matters for the user: every check that can fail fast (folder contents, tensor shapes,
tokenizer files, output folder and free space) runs before the first byte of weights is written.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import parity_tokens
from .archs import load_architecture
from .checkpoint import Checkpoint
from .errors import ConversionError
from .families import FAMILIES, FAMILY_NAMES, detect_family
from .metadata import ModelInfo, add_metadata
from .outfile import atomic_output, check_writable, temp_path_beside
from .quantizer import QUANT_TYPES, quantize_file
from .spm import load_sp_model
from .vocab import build_vocab
from .write_gguf import FLOAT_TYPES, planned_bytes, write_gguf

OUTPUT_TYPES = FLOAT_TYPES + tuple(QUANT_TYPES)
# The float type a checkpoint is written in before quantization: its own, so nothing is lost twice.
_INTERMEDIATE = {"F32": "f32", "F16": "f16", "BF16": "bf16"}

Progress = Callable[[str, int, int, str], None]  # stage, done, total, detail


@dataclass
class ConvertResult:
    path: Path
    family: str
    out_type: str
    n_params: int
    token_parity: parity_tokens.TokenParity | None
    seconds: float


def check_type(out_type: str) -> str:
    t = out_type.lower()
    if t not in OUTPUT_TYPES:
        raise ConversionError(f"unknown output type {out_type!r}",
                              fix=f"choose one of: {', '.join(OUTPUT_TYPES)}")
    return t


def convert(model_dir: str | Path, out: str | Path, out_type: str = "q4_k_m", family: str | None = None,
            measure_parity: bool = True, progress: Progress | None = None,
            cancelled: Callable[[], bool] | None = None, threads: int | None = None) -> ConvertResult:
    t0 = time.monotonic()
    out_type = check_type(out_type)
    out = Path(out)
    if family is not None and family not in FAMILIES:
        raise ConversionError(f"unknown model family {family!r}", fix=f"choose one of: {', '.join(FAMILY_NAMES)}")
    ckpt = Checkpoint(model_dir)
    try:
        arch = load_architecture(ckpt)
        sp = load_sp_model(ckpt.sp_model_path)
        vocab = build_vocab(ckpt, sp, arch.n_vocab)
        fam = family or detect_family(ckpt.dir, ckpt.config)
        quantized = out_type in QUANT_TYPES
        float_type = _INTERMEDIATE.get(ckpt.source_dtype(), "f16") if quantized else out_type
        need = planned_bytes(arch, float_type)
        if quantized:
            need += int(arch.n_params * QUANT_TYPES[out_type][1] / 8)
        check_writable(out, need)
        info = ModelInfo(name=ckpt.dir.resolve().name, family=fam, source_arch=ckpt.architecture,
                         tokenizer_kind=vocab.candidate_kinds()[0])

        report = None
        if measure_parity:
            report = choose_tokenizer(arch, info, vocab, progress)
            info.tokenizer_kind = report.kind
            info.parity = {"runtime": report.runtime, "exact": report.exact, "matched": report.matched,
                           "total": report.total, "kind": report.kind}

        def meta(w):
            add_metadata(w, info, vocab)

        def step(stage):
            return (lambda d, t, msg: progress(stage, d, t, msg)) if progress else None

        with atomic_output(out) as tmp:
            if not quantized:
                write_gguf(tmp, arch, meta, float_type, progress=step("write"), cancelled=cancelled)
            else:
                inter = temp_path_beside(out, float_type)
                try:
                    write_gguf(inter, arch, meta, float_type, progress=step("write"), cancelled=cancelled)
                    quantize_file(inter, tmp, out_type, arch.n_params, progress=step("quantize"), threads=threads)
                finally:
                    inter.unlink(missing_ok=True)
        return ConvertResult(out, fam, out_type, arch.n_params, report, time.monotonic() - t0)
    finally:
        ckpt.close()


def choose_tokenizer(arch, info: ModelInfo, vocab, progress: Progress | None) -> parity_tokens.TokenParity:
    """Write a weightless GGUF per candidate tokenizer type and keep the one that matches best."""
    best = None
    with tempfile.TemporaryDirectory(prefix="hanashi-vocab-") as d:
        for kind in vocab.candidate_kinds():
            info.tokenizer_kind = kind
            path = Path(d) / f"vocab-{kind}.gguf"
            write_gguf(path, arch, lambda w: add_metadata(w, info, vocab), "f32", with_tensors=False)
            try:
                report = parity_tokens.measure(path, vocab.sp, kind)
            except ValueError:
                continue  # llama.cpp refused this tokenizer type for this vocabulary
            if progress:
                progress("parity", report.matched, report.total, report.summary())
            if best is None or report.matched > best.matched:
                best = report
            if report.exact:
                break
    if best is None:
        raise ConversionError("llama.cpp could not load any tokenizer type for this vocabulary",
                              vocab.sp.path)
    return best
