"""One overall progress for a job of several stages (download, tokenizer probes, writing, quantizing).

    plan = ProgressPlan.for_import("q4_k_m", source_bytes=folder_weight_bytes(folder))
    plan.update("write", done, total)        # each report of the job, as it comes
    plan.fraction                            # 0.0 … 1.0 over the whole job; never goes back
    plan.eta()                               # seconds left, or None while not known yet

Each stage gets a share of the bar from what it costs: the bytes it downloads, writes or
quantizes (weighted by how long a byte takes at that stage) and a fixed cost per tokenizer probe.
What a stage costs is estimated before it starts (a conversion writes about as many bytes as the
checkpoint holds, and quantizes what it wrote) and corrected as soon as its own total is reported:
at the start of each stage the part of the bar still to go is shared among the stages left, so
a wrong estimate never makes the bar jump back, and the last stage always ends at 100 %.

Pure arithmetic (no Qt): the windows show it, the tests drive it with their own clock.
"""

from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path
from typing import Callable, Sequence

STAGES = ("download", "parity", "write", "quantize")  # in the order a job runs them
# Rough seconds per byte of each stage, relative to writing: a download over the network is
# slower than converting on a local disk, quantizing reads every byte written and computes.
PER_BYTE = {"download": 2.0, "write": 1.0, "quantize": 1.0}
PROBE_COST = 256 * 2**20  # one tokenizer probe (a child process loading a vocabulary, tokenizing text) in bytes
PROBES = 2  # probes a conversion runs at most (sentencepiece's two tokenizer types); it stops at an exact one
DEFAULT_BYTES = 2**30  # a conversion whose size is not known yet
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
ETA_WINDOW = 15.0  # seconds of progress the speed is measured over
ETA_MIN_SPAN = 1.0  # seconds of progress needed before a time left is given


def folder_weight_bytes(folder: str | Path) -> int:
    """The size of the weight files in a model folder (regular files only; none is opened). Never raises."""
    total = 0
    try:
        with os.scandir(folder) as it:
            for entry in it:
                try:
                    if entry.name.lower().endswith(WEIGHT_SUFFIXES) and entry.is_file():
                        total += entry.stat().st_size
                except OSError:
                    continue
    except (OSError, ValueError, TypeError):
        return 0
    return total


class ProgressPlan:
    """The overall fraction of a job made of ``stages`` (a subsequence of ``STAGES``)."""

    def __init__(self, stages: Sequence[str], source_bytes: int = 0, clock: Callable[[], float] = time.monotonic):
        self.stages = tuple(s for s in STAGES if s in stages)
        self.clock = clock
        self.cost: dict[str, float] = {}
        self._estimate_from(max(0, int(source_bytes or 0)))
        self.index = -1  # the stage running now (an index into ``stages``), -1 before the first report
        self.stage = ""
        self.start = 0.0  # the fraction at which the current stage began …
        self.span = 0.0  # … and the part of the bar it has
        self.probes = 0  # tokenizer probes reported so far
        self.fraction = 0.0
        self.samples: deque[tuple[float, float]] = deque()

    @classmethod
    def for_import(cls, out_type: str, source_bytes: int = 0, **kw) -> "ProgressPlan":
        """Import folder…: probes, writing, and quantizing unless ``out_type`` is a float type."""
        return cls(("parity", "write") + (("quantize",) if quantizes(out_type) else ()), source_bytes, **kw)

    @classmethod
    def for_pull(cls, out_type: str, **kw) -> "ProgressPlan":
        """Get a model…: the download, then the same stages as an import."""
        return cls(("download", "parity", "write") + (("quantize",) if quantizes(out_type) else ()), **kw)

    # ------------------------------------------------------------ costs

    def _estimate_from(self, source_bytes: int) -> None:
        """Costs before the stages report their own totals: the conversion writes about as many
        bytes as the checkpoint holds, and quantizes those bytes."""
        size = source_bytes or DEFAULT_BYTES
        self.cost.setdefault("download", size * PER_BYTE["download"])
        self.cost["parity"] = PROBES * PROBE_COST
        self.cost["write"] = size * PER_BYTE["write"]
        self.cost["quantize"] = size * PER_BYTE["quantize"]

    def set_source_bytes(self, source_bytes: int) -> None:
        """The checkpoint's size, measured once the job runs (before its first report)."""
        if self.index < 0 and source_bytes > 0:
            self._estimate_from(int(source_bytes))

    def _learn(self, stage: str, total: int) -> None:
        """A stage's own total is known: correct its cost and those of the stages after it."""
        if total <= 0:
            return
        if stage == "download":
            self.cost["download"] = total * PER_BYTE["download"]
            self._estimate_from(total)  # the weights are most of the download
        elif stage == "write":
            self.cost["write"] = total * PER_BYTE["write"]
            self.cost["quantize"] = total * PER_BYTE["quantize"]  # llama.cpp quantizes what was written
        # quantize reports the output's bytes; its cost stays the bytes it reads (those written)

    # ------------------------------------------------------------ progress

    def update(self, stage: str, done: int, total: int) -> float:
        """One report of the job; returns the overall fraction (never less than before)."""
        if stage not in self.stages:
            return self.fraction  # a stage this plan does not know: the bar stays where it is
        index = self.stages.index(stage)
        if index > self.index:  # the next stage began: it gets its share of what is left
            self._learn(stage, total)
            self.index, self.stage, self.start = index, stage, self.fraction
            left = sum(self.cost.get(s, 0.0) for s in self.stages[index:])
            self.span = (1.0 - self.start) * (self.cost.get(stage, 0.0) / left if left > 0 else 1.0)
        elif index < self.index:
            return self.fraction  # a late report of a stage already over
        if stage == "parity":  # each report is one finished probe (matched/total is its result, not progress)
            self.probes += 1
            part = min(1.0, self.probes / PROBES)
        else:
            part = min(1.0, max(0.0, done / total)) if total > 0 else 0.0
        self._set(self.start + self.span * part)
        return self.fraction

    def finish(self) -> float:
        self._set(1.0)
        return self.fraction

    def _set(self, value: float) -> None:
        self.fraction = min(1.0, max(self.fraction, value))
        now = self.clock()
        self.samples.append((now, self.fraction))
        while len(self.samples) > 2 and now - self.samples[0][0] > ETA_WINDOW:
            self.samples.popleft()

    def eta(self) -> float | None:
        """Seconds left at the pace of the last few seconds; None until that pace is known."""
        if len(self.samples) < 2 or self.fraction >= 1.0:
            return None
        (t0, f0), (t1, f1) = self.samples[0], self.samples[-1]
        if t1 - t0 < ETA_MIN_SPAN or f1 <= f0:
            return None
        return (1.0 - f1) * (t1 - t0) / (f1 - f0)

    @property
    def permille(self) -> int:
        """The fraction for a QProgressBar of range 0…1000."""
        return int(self.fraction * 1000)


def quantizes(out_type: str) -> bool:
    """Whether a conversion to ``out_type`` has a quantizing stage (float types are only written)."""
    from quantize.quantizer import QUANT_TYPES

    return str(out_type).lower() in QUANT_TYPES
