"""The conversion pipeline: validate the folder, measure the tokenizer, write, quantize, rename.

Order matters for the user: every check that can fail fast (folder contents, tensor shapes,
tokenizer files, output folder and free space) runs before the first byte of weights is written.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import parity_tokens
from .archs import load_architecture
from .checkpoint import Checkpoint
from .cleanup import remove_tree, temporary
from .config_values import check_output_name
from .errors import ConversionCancelled, ConversionError
from .families import FAMILIES, FAMILY_NAMES, detect_family
from .metadata import ModelInfo, add_metadata
from .outfile import atomic_output, check_output_target, check_writable, temp_path_beside
from .quantizer import QUANT_TYPES, quantize_file
from .spm import load_sp_model
from .vocab import build_vocab
from .write_gguf import FLOAT_TYPES, planned_bytes, write_gguf

OUTPUT_TYPES = FLOAT_TYPES + tuple(QUANT_TYPES)
# The float type a checkpoint is written in before quantization: its own, so nothing is lost twice.
_INTERMEDIATE = {"F64": "f32", "F32": "f32", "F16": "f16", "BF16": "bf16"}

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
            cancelled: Callable[[], bool] | None = None, threads: int | None = None, *,
            allow_nonfinite: bool = False, force: bool = False, name: str | None = None,
            source: tuple[str, str] | None = None) -> ConvertResult:
    """Convert the Hugging Face folder ``model_dir`` to the GGUF ``out`` of type ``out_type``.

    ``allow_nonfinite`` keeps weights that are NaN or infinite (or become infinite in the output
    type) instead of refusing them; ``force`` replaces an existing ``out`` that is not a GGUF.
    The output is never one of the model's own files, a folder or a device, whatever the flags.
    ``name`` is the model's name (default: the folder's); ``source`` the Hugging Face repository id
    and commit it was downloaded from, recorded in the GGUF.
    """
    t0 = time.monotonic()
    out_type = check_type(out_type)
    out = Path(out)
    check_output_name(out)
    if family is not None and family not in FAMILIES:
        raise ConversionError(f"unknown model family {family!r}", fix=f"choose one of: {', '.join(FAMILY_NAMES)}")

    def check_cancelled() -> None:  # between stages; each stage also stops on its own
        if cancelled is not None and cancelled():
            raise ConversionCancelled()

    ckpt = Checkpoint(model_dir)
    try:
        if ckpt.is_bygpt:  # the byte-level multi-head model has its own pipeline (quantize/bygpt)
            from .bygpt.convert import convert_bygpt

            return convert_bygpt(ckpt, out, out_type, family=family, measure_parity=measure_parity,
                                 progress=progress, cancelled=cancelled, threads=threads,
                                 allow_nonfinite=allow_nonfinite, force=force, name=name, source=source, t0=t0)
        check_output_target(out, ckpt.source_files(), force=force)
        arch = load_architecture(ckpt)
        sp = load_sp_model(ckpt.sp_model_path)
        vocab = build_vocab(ckpt, sp, arch.n_vocab)
        fam = family or detect_family(ckpt.dir, ckpt.config)
        repo, revision = source or ("", "")
        quantized = out_type in QUANT_TYPES
        float_type = _INTERMEDIATE.get(ckpt.source_dtype(), "f16") if quantized else out_type
        need = planned_bytes(arch, float_type)
        if quantized:
            need += int(arch.n_params * QUANT_TYPES[out_type][1] / 8)
        check_writable(out, need)
        info = ModelInfo(name=name or ckpt.dir.resolve().name, family=fam, source_arch=ckpt.architecture,
                         tokenizer_kind=vocab.candidate_kinds()[0], source_repo=repo, source_revision=revision)

        report = None
        check_cancelled()
        if measure_parity:
            report = choose_tokenizer(arch, info, vocab, progress, cancelled=cancelled)
            check_cancelled()
            info.tokenizer_kind = report.kind

        def meta(w):
            add_metadata(w, info, vocab)

        def step(stage):
            return (lambda d, t, msg: progress(stage, d, t, msg)) if progress else None

        with atomic_output(out) as tmp:
            if not quantized:
                write_gguf(tmp, arch, meta, float_type, progress=step("write"), cancelled=cancelled,
                           allow_nonfinite=allow_nonfinite)
            else:
                with temporary(lambda: temp_path_beside(out, float_type),
                               lambda p: p.unlink(missing_ok=True)) as inter:
                    write_gguf(inter, arch, meta, float_type, progress=step("write"), cancelled=cancelled,
                               allow_nonfinite=allow_nonfinite)
                    check_cancelled()
                    quantize_file(inter, tmp, out_type, arch.n_params, progress=step("quantize"), threads=threads,
                                  cancelled=cancelled, label=out)
        return ConvertResult(out, fam, out_type, arch.n_params, report, time.monotonic() - t0)
    finally:
        ckpt.close()


def choose_tokenizer(arch, info: ModelInfo, vocab, progress: Progress | None,
                     cancelled: Callable[[], bool] | None = None) -> parity_tokens.TokenParity:
    """Probe each tokenizer type llama.cpp can run for this vocabulary and keep the best.

    Types whose preconditions the vocabulary misses are never written or probed (see
    ``Vocab.candidate_kinds``). Each probe loads a weightless GGUF in a child process, so even an
    unforeseen llama.cpp abort only rules that type out. The winner matches sentencepiece on the
    most prose; edge cases and fuzz break ties. ``info`` is left describing the winner.
    """
    kinds = vocab.candidate_kinds()  # ConversionError when llama.cpp can run none of them
    notes = [n for n in [vocab.exclusion_note()] if n]
    sections = parity_tokens.default_sections(vocab.sp.pieces)
    best = None
    with temporary(lambda: tempfile.mkdtemp(prefix=f"hanashi-vocab-{os.getpid()}-"), remove_tree) as d:
        for kind in kinds:
            info.tokenizer_kind = kind
            path = Path(d) / f"vocab-{kind}.gguf"
            write_gguf(path, arch, lambda w: add_metadata(w, info, vocab), "f32", with_tensors=False)
            try:
                report = parity_tokens.measure(path, vocab.sp, kind, sections=sections, cancelled=cancelled)
            except ConversionError as e:  # llama.cpp refused or died on this type: try the next one
                notes.append(f"tokenizer type `{kind}` not used: {e.message}")
                continue
            if progress:
                progress("parity", report.matched, report.total, report.summary())
            if best is None or report.rank() > best.rank():
                best = report
            if report.exact:
                break
    if best is None:
        raise ConversionError("llama.cpp could not tokenize this vocabulary with any tokenizer type: "
                              + "; ".join(notes), vocab.sp.path,
                              "use the tokenizer model (spiece.model) from the model's own repository",
                              code="convert.tokenizer_unusable")
    best.note = "\n".join(notes)
    info.tokenizer_kind = best.kind
    info.token_parity = best
    info.parity = best.metadata()
    return best
