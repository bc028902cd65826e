"""UI smoothness while a reply streams: gaps between ticks of a timer on the UI thread.

    .venv/bin/python bench/ui_smoothness.py [--gguf model.gguf] [--replies 2]

Opens Hanashi's real main window (offscreen Qt is fine), loads a model, sends a message and,
while the reply streams into the chat view, lets a 4 ms precise QTimer tick on the UI thread.
Each gap between two ticks is how long the UI thread could not respond; the table shows the
median, the 99th percentile and the worst gap. Runs once with the model decoding on every CPU
and once with Hanashi's automatic thread count; a row with no reply shows the floor the machine
itself gives. Goal: p99 ≤ 16 ms (one frame at 60 Hz).

Without ``--gguf``: the 3.6b-width model that bench/threads.py builds (random weights, so the
reply streams until its length limit). Prints a Markdown table; a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 4


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Probe:
    """Timestamps of a precise QTimer's ticks on the UI thread."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def gaps_ms(self) -> list[float]:
        return [(b - a) * 1000 for a, b in zip(self.ticks, self.ticks[1:])]


def wait_until(app, done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.001)


def run_window(app, gguf: Path, threads: int, replies: int, data: Path):
    """Gaps (ms) while ``replies`` replies stream, and the tokens/s the replies reported."""
    from app import settings as settings_io
    from app.gui import i18n
    from app.gui.main_window import MainWindow
    from app.storage import Storage

    os.environ["HANASHI_DATA_DIR"] = str(data)
    settings = settings_io.load()
    settings.threads, settings.n_ctx, settings.language = threads, 1024, "en"
    i18n.install("en")
    storage = Storage()
    window = MainWindow(storage, settings)
    window.resize(1000, 700)
    window.show()
    loaded = []
    window.client.loaded.connect(loaded.append)
    window.start(str(gguf))
    wait_until(app, lambda: loaded, 300)
    backend = loaded[0].backend
    finished = []
    window.client.finished.connect(lambda rid, result: finished.append(result))
    probe = Probe()
    gaps: list[float] = []
    for i in range(replies):
        probe.ticks.clear()
        probe.timer.start()
        window.send(f"今日の天気について教えてください。{i}")
        wait_until(app, lambda: len(finished) > i, 600)
        probe.timer.stop()
        gaps += probe.gaps_ms()
    window.close()
    storage.close()
    speed = sum(r.tokens_per_s for r in finished) / len(finished)
    tokens = sum(r.n_generated for r in finished)
    return gaps, backend, speed, tokens


def idle_gaps(app, seconds: float) -> list[float]:
    probe = Probe()
    probe.timer.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)
    probe.timer.stop()
    return probe.gaps_ms()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", type=Path)
    ap.add_argument("--replies", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/hanashi-bench-threads"))
    args = ap.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from app.engine.threads import default_choice, usable_cpus
    from bench.threads import build_model
    from quantize import llama_log

    llama_log.quiet()
    gguf = args.gguf or build_model(args.workdir, 4)
    app = QApplication.instance() or QApplication([])
    rows = [("no reply (the machine's floor)", "", idle_gaps(app, 3.0), None, 0)]
    every = len(usable_cpus())
    with tempfile.TemporaryDirectory(prefix="hanashi-ui-") as tmp:
        for label, threads in ((f"every CPU ({every} threads)", every),
                               ("Hanashi automatic", 0)):
            gaps, backend, speed, tokens = run_window(app, gguf, threads, args.replies, Path(tmp) / str(threads))
            rows.append((label, backend, gaps, speed, tokens))
    print(f"\nmodel: {gguf.name}; {default_choice(busy=0.0).physical} physical cores; timer every {TICK_MS} ms "
          f"on the UI thread; {args.replies} replies per row; offscreen Qt\n")
    print("| decoding on | backend | gaps | p50 ms | p99 ms | worst ms | reply tok/s |")
    print("|---|---|---|---|---|---|---|")
    for label, backend, gaps, speed, tokens in rows:
        if len(gaps) < 2:
            print(f"| {label} | {backend} | {len(gaps)} | – | – | – | the reply was too short to measure |")
            continue
        rate = f"{speed:.1f} ({tokens} tokens)" if speed is not None else ""
        print(f"| {label} | {backend} | {len(gaps)} | {percentile(gaps, 0.5):.1f} | {percentile(gaps, 0.99):.1f} | "
              f"{max(gaps):.1f} | {rate} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
