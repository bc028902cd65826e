"""Getting a model from the Hugging Face Hub: download + convert + quantize on a worker thread.

    job = PullJob("rinna/japanese-gpt-neox-3.6b-instruction-ppo", "q4_k_m", models_dir)
    job.progress.connect(...)   # stage (download | parity | write | quantize), done, total, detail
    job.finished.connect(...)   # quantize.hub.PullResult (with the parity report)
    job.failed.connect(...)     # the HubError / ConversionError (or other exception)
    job.cancelled.connect(...)
    job.start(); job.cancel()

Everything runs in one child process (``quantize.child`` running ``quantize.hub:pull_here``), so
Cancel kills it within a second at any stage, and a crash inside llama.cpp ends that process, not
the app. A cancelled download keeps its partial file in the Hugging Face cache: the next Download
of the same model continues where it stopped. A cancelled conversion leaves nothing in the models
folder: the temporary files a killed child was writing there are removed here.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, Slot

from .background_job import BackgroundJob, ChildWorker
from .error_text import TEMPLATES, describe, english_details, error_code
from .i18n import tr
from .progress_plan import ProgressPlan

class RateMeter:
    """Bytes per second over the last few seconds of one stage, and the time left at that rate."""

    WINDOW = 5.0  # seconds

    def __init__(self) -> None:
        self.stage = ""
        self.samples: deque[tuple[float, int]] = deque()

    def update(self, stage: str, done: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if stage != self.stage or (self.samples and done < self.samples[-1][1]):
            self.stage = stage
            self.samples.clear()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.WINDOW:
            self.samples.popleft()

    def rate(self) -> float:
        """Bytes per second; 0.0 until two samples half a second apart are known."""
        if len(self.samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 - t0 >= 0.5 else 0.0

    def eta(self, done: int, total: int) -> float | None:
        """Seconds left, or None when the rate is not known yet."""
        r = self.rate()
        if r <= 0 or total <= 0:
            return None
        return max(0.0, (total - done) / r)


class _Puller(ChildWorker):
    def __init__(self, job: "PullJob"):
        super().__init__(job.flag)
        self.repo_id, self.out_type, self.models_dir = job.repo_id, job.out_type, job.models_dir
        self.revision = job.revision

    @Slot()
    def run(self) -> None:
        from quantize.hub import default_output

        self.target = Path(default_output(self.repo_id, self.out_type, self.models_dir))
        kwargs = {"revision": self.revision, "out_type": self.out_type, "models_dir": str(self.models_dir)}
        result = self.call_child("quantize.hub:pull_here", (self.repo_id,), kwargs,
                                 stage=f"getting {self.repo_id}", path=self.repo_id)
        if result is not None:
            self.finished.emit(result)


class PullJob(BackgroundJob):
    """One download + conversion on its own thread. ``finished`` carries a quantize.hub.PullResult."""

    def __init__(self, repo_id: str, out_type: str, models_dir: str | Path, revision: str | None = None,
                 parent: QObject | None = None):
        super().__init__(ProgressPlan.for_pull(out_type), "hanashi-pull", parent)
        self.repo_id, self.out_type, self.models_dir = repo_id, out_type, Path(models_dir)
        self.revision = revision
        self.puller = _Puller(self)
        self._attach(self.puller)


def error_text(repo_id: str, error: Exception) -> str:
    """A failed Get as the user reads it: what happened and what to do, then the details.

    A Hub error gets the app's own advice for its kind; other errors are worded from their code
    (``error_text.describe``), with no command to type. Never a traceback.
    """
    code = error_code(error)
    if code.startswith("hub.") and code in TEMPLATES:
        return tr(TEMPLATES[code].what).replace("%1", repo_id) + "\n\n" + english_details(error).split("\n")[0]
    shown = describe(error)
    text = tr("%1 could not be downloaded and converted.").replace("%1", repo_id) + "\n\n" + shown.text
    return f"{text}\n\n{shown.details}" if shown.details else text


def duration_text(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s < 60:
        return tr("%1 s").replace("%1", str(s))
    if s < 3600:
        return tr("%1 min").replace("%1", str((s + 30) // 60))
    return tr("%1 h %2 min").replace("%1", str(s // 3600)).replace("%2", str(s % 3600 // 60))


def progress_line(stage_text: str, plan: ProgressPlan) -> str:
    """The stage a job is at, which step of how many, and the time left over the whole job."""
    text = stage_text
    if plan.index >= 0 and len(plan.stages) > 1:
        text += " " + tr("(step %1 of %2)").replace("%1", str(plan.index + 1)).replace("%2", str(len(plan.stages)))
    eta = plan.eta()
    if eta is not None:
        text += " — " + tr("about %1 left").replace("%1", duration_text(eta))
    return text
