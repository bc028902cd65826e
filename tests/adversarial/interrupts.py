"""Interrupting a conversion from outside: Ctrl-C and SIGKILL at each stage, a full disk.

Each check returns an ``Outcome`` (kind "clean" when the run ended as it must). What must hold:
  * Ctrl-C (SIGINT to the process group, as a terminal sends it) ends the run within a second,
    with a non-zero exit, a message and nothing written: no output, no ``.partial``, no temp folder;
  * after SIGKILL (nothing can clean up) a later ``hanashi-quantize convert`` sweeps the stale files
    beside its output, and the app sweeps them from the models folder at start;
  * a full disk (a 1 MiB tmpfs, or a file-size limit) ends in a "disk full" message, nothing left.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from .harness import Outcome, Run, base_env, classify, run
from .targets import cli_command, fresh_dir, listing, convert, gui

# What the converter prints when a stage begins (progress bars on stderr).
STAGE_MARKS = {"parity": "tokenizer parity", "write": "writing", "quantize": "quantizing"}
SIGNAL_GRACE = 1.5  # seconds a run may take to end after Ctrl-C


def _watch(p: subprocess.Popen, sink: list[str]) -> threading.Thread:
    def read():
        for chunk in iter(lambda: p.stderr.read1(4096), b""):
            sink.append(chunk.decode("utf-8", "replace"))
    t = threading.Thread(target=read, daemon=True)
    t.start()
    return t


def signal_at_stage(case: str, src: Path, work: Path, stage: str, sig: int, out_type: str = "q4_k_m",
                    timeout: float = 120) -> tuple[Run, Path, Path, float | None]:
    """Start a conversion, send ``sig`` to its process group when ``stage`` begins.
    Returns (run, output folder, temp folder, seconds from the signal to the exit)."""
    out_dir = fresh_dir(work / "out")
    tmp = fresh_dir(work / "tmp")
    out = out_dir / "big.gguf"
    cmd = cli_command("hanashi-quantize", "quantize.cli") + ["convert", str(src), "-o", str(out), "--type", out_type,
                                                      "--threads", "1"]
    env = base_env(TMPDIR=str(tmp), HANASHI_DATA_DIR=str(work / "data"))
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         start_new_session=True)
    err: list[str] = []
    reader = _watch(p, err)
    sent = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None:
        if STAGE_MARKS[stage] in "".join(err):
            time.sleep(0.3)  # well inside the stage
            sent = time.monotonic()
            os.killpg(p.pid, sig)
            break
        time.sleep(0.02)
    try:
        p.wait(timeout=10 if sent else max(1.0, deadline - time.monotonic()))
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        rc = None
    ended = time.monotonic()
    reader.join(2)
    out_text = p.stdout.read().decode("utf-8", "replace")
    r = Run(cmd, rc, out_text, "".join(err), ended - t0)
    return r, out_dir, tmp, (ended - sent) if sent else None


def ctrl_c(src: Path, work: Path, stage: str) -> Outcome:
    case = f"ctrl-c-during-{stage}"
    r, out_dir, tmp, after = signal_at_stage(case, src, work, stage, signal.SIGINT)
    if after is None:
        return Outcome("convert", case, "unclear", f"the {stage} stage was never seen; the run ended first", r)
    left = [out_dir / n for n in listing(out_dir)] + [tmp / n for n in listing(tmp)]
    kind, detail = classify(r, leftovers=left)
    if kind == "safe":
        kind, detail = "silent", "Ctrl-C was ignored: the conversion finished with exit 0"
    elif kind == "clean" and after > SIGNAL_GRACE:
        kind, detail = "hang", f"Ctrl-C took {after:.1f}s to end the run"
    return Outcome("convert", case, kind, detail, r, {"seconds_after_signal": after})


def sigkill_then_sweep(src: Path, small_src: Path, work: Path, stage: str = "write") -> Outcome:
    """SIGKILL mid-write leaves files only a later run can remove: the next convert into the same
    folder must sweep them (and only Hanashi's own names)."""
    case = f"sigkill-during-{stage}-then-convert"
    r, out_dir, tmp, after = signal_at_stage(case, src, work, stage, signal.SIGKILL)
    stale = sorted(listing(out_dir)) + sorted(listing(tmp))
    if after is None:
        return Outcome("convert", case, "unclear", f"the {stage} stage was never seen", r)
    (out_dir / "notes.partial").write_text("not Hanashi's")  # a user's file with a similar name stays
    # The same command again (on a smaller model, to save time), with the same TMPDIR.
    cmd = cli_command("hanashi-quantize", "quantize.cli") + ["convert", str(small_src), "-o", str(out_dir / "big.gguf"),
                                                      "--type", "f32"]
    env = base_env(TMPDIR=str(tmp), HANASHI_DATA_DIR=str(work / "data"))
    r2 = run(cmd, timeout=60, env=env)
    kind, detail = classify(r2)
    if kind not in ("clean", "safe"):
        return Outcome("convert", case, kind, "the next conversion: " + detail, r2)
    remaining = sorted(listing(out_dir) - {"big.gguf", "notes.partial"}) + sorted(listing(tmp))
    if remaining:
        return Outcome("convert", case, "partial", f"stale files after SIGKILL ({stale}) were not swept by the next "
                       f"conversion: {remaining}", r2)
    if not (out_dir / "notes.partial").exists():
        return Outcome("convert", case, "silent", "the sweep deleted a file that is not Hanashi's (notes.partial)", r2)
    return Outcome("convert", case, "safe", f"stale {stale} swept", r2)


def gui_sweeps_stale(src: Path, work: Path, stale_from: Path) -> Outcome:
    """Stale partial files in the models folder (from a killed import) are gone after an app start."""
    case = "app-start-sweeps-stale-partials"
    data = work / "data"
    names = {}
    for p in stale_from.iterdir():
        names[p.name] = p
    models = {n: p for n, p in names.items()}
    models["user-notes.partial"] = src  # not Hanashi's name pattern: must be kept
    o = gui(case, None, work, models=models, open_it=False)
    folder = data / "models"
    remaining = sorted(n for n in listing(folder) if n.endswith(".partial") and n != "user-notes.partial")
    if not o.ok:
        return o
    if remaining:
        return Outcome("gui", case, "partial", f"app start left stale files in the models folder: {remaining}", o.run)
    if not (folder / "user-notes.partial").exists():
        return Outcome("gui", case, "silent", "app start deleted user-notes.partial (not Hanashi's)", o.run)
    return Outcome("gui", case, "safe", "stale partial files swept at start", o.run)


def disk_full_tmpfs(src: Path, work: Path) -> Outcome:
    """Output on a 1 MiB tmpfs (falls back to a file-size limit where mounting is not allowed)."""
    case = "disk-full-tmpfs-1m"
    mnt = fresh_dir(work / "small-disk")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                             capture_output=True).returncode == 0
    if not mounted:
        return disk_full_rlimit(src, work, case + "-fallback-rlimit")
    try:
        o = convert(case, src, work, output=str(mnt / "out.gguf"), follow_up=False)
        left = sorted(listing(mnt) - {"out.gguf"})
        if o.ok and left:
            o.kind, o.detail = "partial", f"left on the full disk: {left}"
        if o.kind == "clean" and "disk" not in o.run.output.lower() and "space" not in o.run.output.lower():
            o.kind, o.detail = "unclear", "the message does not say the disk is full: " + o.detail
        return o
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def _limit(nbytes: int):
    def pre():
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return pre


def disk_full_rlimit(src: Path, work: Path, case: str = "disk-full-mid-write") -> Outcome:
    """Writing fails part-way (EFBIG, as on a disk that fills up during the write)."""
    o = convert(case, src, work, preexec=_limit(2 * 2 ** 20), follow_up=False)
    if o.kind == "clean" and "disk" not in o.run.output.lower():
        o.kind, o.detail = "unclear", "the message does not say the disk is full: " + o.detail
    return o


def make_big(path: Path) -> Path:
    """A checkpoint large enough that writing and quantizing take a noticeable time."""
    if not (path / "model.safetensors").exists():
        from quantize.tiny.models import build_neox

        shutil.rmtree(path, ignore_errors=True)
        build_neox(path, hidden=1024, layers=8, heads=16, ffn=4096)
    return path
