"""Converting the byte-level multi-head model: checks, byte-encoding parity, write, quantize.

``quantize.convert.convert`` hands a checkpoint here when ``layout.recognise`` knows its config.json.
The steps and their order are the other models': every check before the first byte is written, the
parity table, the float GGUF, then llama.cpp's own quantization of the backbone (all types) in a
child process, with the same progress stages ("parity", "write", "quantize") and cancel.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from ..checkpoint import Checkpoint
from ..cleanup import temporary
from ..errors import ConversionCancelled, ConversionError
from ..outfile import atomic_output, check_output_target, check_writable, temp_path_beside
from ..quantizer import QUANT_TYPES, quantize_file
from ..write_gguf import planned_bytes
from . import layout, parity
from .arch import ByGPT
from .write import add_bygpt_metadata, extra_bytes, write_bygpt

_INTERMEDIATE = {"F64": "f32", "F32": "f32", "F16": "f16", "BF16": "bf16"}


def convert_bygpt(ckpt: Checkpoint, out: Path, out_type: str, *, family: str | None = None,
                  measure_parity: bool = True, progress=None, cancelled: Callable[[], bool] | None = None,
                  threads: int | None = None, allow_nonfinite: bool = False, force: bool = False,
                  name: str | None = None, source: tuple[str, str] | None = None, t0: float | None = None):
    """The byte-level model's conversion (``out_type`` already checked by the caller)."""
    from ..convert import ConvertResult

    t0 = time.monotonic() if t0 is None else t0
    if family not in (None, layout.FAMILY):
        raise ConversionError(f"family {family!r} does not fit this model: it is the byte-level multi-head "
                              f"model, whose family is {layout.FAMILY!r}", ckpt.dir / "config.json",
                              "leave out --family")

    def check_cancelled() -> None:
        if cancelled is not None and cancelled():
            raise ConversionCancelled()

    check_output_target(out, ckpt.source_files(), force=force)
    arch = ByGPT(ckpt)  # the layout table against config.json and every tensor
    quantized = out_type in QUANT_TYPES
    float_type = _INTERMEDIATE.get(ckpt.source_dtype(), "f16") if quantized else out_type
    need = planned_bytes(arch, float_type) + extra_bytes(arch, out_type)
    if quantized:
        need += int(arch.n_params * QUANT_TYPES[out_type][1] / 8) + extra_bytes(arch, out_type)
    check_writable(out, need)

    report = None
    check_cancelled()
    if measure_parity:
        report = parity.measure(cancelled=cancelled)
        if progress:
            progress("parity", report.matched, report.total, report.summary())
        if not report.exact:
            raise ConversionError("the byte encoding of the layout table does not give text back:\n"
                                  + report.format(), ckpt.dir,
                                  "report this with the message: the encoding in quantize/bygpt/layout.py is broken")
        check_cancelled()

    def meta(w):
        add_bygpt_metadata(w, arch, name or ckpt.dir.resolve().name,
                           report.metadata() if report is not None else None, source or ("", ""))

    def step(stage):
        return (lambda d, t, msg: progress(stage, d, t, msg)) if progress else None

    with atomic_output(out) as tmp:
        if not quantized:
            write_bygpt(tmp, arch, meta, float_type, progress=step("write"), cancelled=cancelled,
                        allow_nonfinite=allow_nonfinite)
        else:
            with temporary(lambda: temp_path_beside(out, float_type), lambda p: p.unlink(missing_ok=True)) as inter:
                write_bygpt(inter, arch, meta, float_type, progress=step("write"), cancelled=cancelled,
                            allow_nonfinite=allow_nonfinite, out_type=out_type)
                check_cancelled()
                quantize_file(inter, tmp, out_type, arch.n_params, progress=step("quantize"), threads=threads,
                              cancelled=cancelled, label=out)
    return ConvertResult(out, layout.FAMILY, out_type, arch.n_params + arch.n_extra_params, report,
                         time.monotonic() - t0)
