"""Importing a Hugging Face folder: convert + quantize on a worker thread, with progress and cancel.

    job = ImportJob(folder, target, "q4_k_m")
    job.progress.connect(...)   # stage, done, total, detail
    job.finished.connect(...)   # ImportResult (with the parity report)
    job.failed.connect(...)     # the ConversionError (or other exception)
    job.cancelled.connect(...)
    job.start(); job.cancel()

The whole conversion runs in a child process (``quantize.child``): an input that makes llama.cpp
abort ends that process, not the app, and becomes an error; an input that hangs (a pipe named
``*.safetensors``, a stalled disk) is ended by Cancel, which kills the child within a second at
any stage. The converter writes under a temporary name and renames at the end; when the child
is killed, the temporary files it left beside the target are removed here, so a cancelled or
failed import leaves nothing in the models folder.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.library import ParityFacts, parity_facts

from .background_job import BackgroundJob, ChildWorker
from .progress_plan import ProgressPlan, folder_weight_bytes


@dataclass(frozen=True)
class ImportResult:
    path: Path
    family: str
    out_type: str
    n_params: int
    seconds: float
    parity_exact: bool | None
    parity_report: str  # TokenParity.format() (English), or "" when not measured
    parity: ParityFacts = ParityFacts("unmeasured")  # the same as values, for the window's own words


class _Converter(ChildWorker):
    sized = Signal(object)  # the checkpoint's weight bytes (int), before any progress

    def __init__(self, folder: Path, target: Path, out_type: str, flag: threading.Event):
        super().__init__(flag)
        self.folder, self.target, self.out_type = folder, target, out_type

    @Slot()
    def run(self) -> None:
        result = self.call_child("quantize.convert:convert", (str(self.folder), str(self.target), self.out_type),
                                 stage="converting the model folder", path=self.folder,
                                 # here: a stalled disk never blocks the window
                                 before=lambda: self.sized.emit(folder_weight_bytes(self.folder)))
        if result is None:
            return
        parity = result.token_parity
        facts = parity_facts({f"tokenizer.{k}": v for k, v in parity.metadata().items()}, parity.runtime) \
            if parity else ParityFacts("unmeasured")
        self.finished.emit(ImportResult(result.path, result.family, result.out_type, result.n_params, result.seconds,
                                        parity.exact if parity else None, parity.format() if parity else "",
                                        facts))


class ImportJob(BackgroundJob):
    """One import on its own thread. ``finished`` carries an ImportResult."""

    def __init__(self, folder: str | Path, target: str | Path, out_type: str, parent: QObject | None = None):
        super().__init__(ProgressPlan.for_import(out_type), "hanashi-import", parent)
        self.folder, self.target, self.out_type = Path(folder), Path(target), out_type
        self.converter = _Converter(self.folder, self.target, out_type, self.flag)
        self.converter.sized.connect(self._on_sized)
        self._attach(self.converter)

    @Slot(object)
    def _on_sized(self, source_bytes: int) -> None:
        self.plan.set_source_bytes(source_bytes)
