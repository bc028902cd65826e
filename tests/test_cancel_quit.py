"""Cancel, Ctrl-C and SIGTERM stop a conversion at once and leave nothing behind; stale temporaries
from a killed run are swept at start; outputs get the umask's mode."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from quantize import cleanup
from quantize.convert import convert
from quantize.errors import ConversionCancelled

ROOT = Path(__file__).parent.parent
MARKERS = {"parity": b"tokenizer parity", "write": b"writing:", "quantize": b"quantizing:"}


@pytest.fixture(scope="module")
def model(tiny) -> Path:
    """Big enough (13M parameters) that each stage takes a visible moment."""
    return tiny.neox(name="tiny-cancel-neox", hidden=512, layers=4, heads=8, ffn=2048)


def _listing(*folders: Path) -> list[str]:
    return sorted(str(p.relative_to(f)) for f in folders for p in f.rglob("*"))


class _Cli:
    """``hanashi-quantize convert`` in a subprocess with its own temp directory, stderr read live."""

    def __init__(self, model: Path, out: Path, tmpdir: Path, out_type: str = "q4_k_m"):
        env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "quantize", "convert", str(model), "-o", str(out),
                                      "--type", out_type, "--threads", "1"], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while chunk := os.read(self.proc.stderr.fileno(), 4096):
            self.err += chunk

    def wait_for(self, marker: bytes, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.err:
            assert self.proc.poll() is None, f"ended before {marker!r}: {bytes(self.err)[-2000:]!r}"
            assert time.monotonic() < deadline, f"no {marker!r} in {bytes(self.err)[-2000:]!r}"
            time.sleep(0.005)

    def finish(self, timeout: float = 30) -> tuple[int, str, str]:
        self.proc.wait(timeout)  # stdout is a few lines: the pipe can't fill
        self.reader.join(5)
        out = self.proc.stdout.read()
        return self.proc.returncode, out.decode(), bytes(self.err).decode("utf-8", "replace")


@pytest.mark.parametrize("stage,sig", [("parity", signal.SIGINT), ("write", signal.SIGINT),
                                       ("quantize", signal.SIGINT), ("quantize", signal.SIGTERM),
                                       ("write", signal.SIGTERM), ("write", signal.SIGHUP)])
def test_a_signal_at_any_stage_stops_at_once_and_leaves_nothing(model, tmp_path, stage, sig):
    out_dir, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmpdir.mkdir()
    cli = _Cli(model, out_dir / "m.gguf", tmpdir)
    cli.wait_for(MARKERS[stage])
    # Freeze it inside the stage, so the signal lands there whatever the machine's speed.
    cli.proc.send_signal(signal.SIGSTOP)
    cli.proc.send_signal(sig)
    t0 = time.monotonic()
    cli.proc.send_signal(signal.SIGCONT)
    code, stdout, stderr = cli.finish()
    assert time.monotonic() - t0 < 1.0 + 0.5  # one second, plus the interpreter's own exit
    assert code == {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}[sig], stderr
    tail = stderr[stderr.index(MARKERS[stage].decode()):]
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    shown = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", tail.replace("\r", "\n"))  # what the terminal shows
    last = [line.strip() for line in shown.splitlines() if line.strip()][-1]
    assert last == {signal.SIGINT: "cancelled", signal.SIGTERM: "stopped (SIGTERM)",
                    signal.SIGHUP: "stopped (SIGHUP)"}[sig] + "; nothing was written"
    assert "wrote" not in stdout
    assert _listing(out_dir, tmpdir) == []  # no output, no .partial, no hanashi-vocab-/job- folder


def test_ctrl_c_during_quantization_takes_effect_within_a_second(model, tmp_path):
    out_dir, tmpdir = tmp_path / "out", tmp_path / "tmp"
    out_dir.mkdir()
    tmpdir.mkdir()
    cli = _Cli(model, out_dir / "m.gguf", tmpdir, out_type="q2_k")
    cli.wait_for(b"quantizing:")
    t0 = time.monotonic()
    cli.proc.send_signal(signal.SIGINT)
    code, stdout, stderr = cli.finish()
    assert code == 130 and time.monotonic() - t0 < 1.5, stderr
    assert stderr.rstrip().endswith("cancelled; nothing was written") and "wrote" not in stdout
    assert _listing(out_dir, tmpdir) == []


def test_cancel_during_quantization_kills_llama_cpp_and_removes_the_partial_files(model, tmp_path):
    flag = threading.Event()
    seen, set_at = [], []

    def progress(stage, done, total, detail):
        seen.append((stage, done, total))
        if stage == "quantize" and not flag.is_set():
            set_at.append(time.monotonic())
            flag.set()

    with pytest.raises(ConversionCancelled):
        convert(model, tmp_path / "m.gguf", "q2_k", measure_parity=False, progress=progress,
                cancelled=flag.is_set, threads=1)
    assert time.monotonic() - set_at[0] < 1.0
    quantize = [s for s in seen if s[0] == "quantize"]
    assert quantize and all(done < total for _, done, total in quantize)  # no 100% bar over a dead job
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask,out_type", [(0o022, "q8_0"), (0o007, "f16")])
def test_outputs_get_the_mode_the_umask_gives_new_files(model, tmp_path, umask, out_type):
    old = os.umask(umask)
    try:
        out = convert(model, tmp_path / f"m-{out_type}.gguf", out_type, measure_parity=False, threads=1).path
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


# ----------------------------------------------------------------------------- the sweep at start

def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_the_sweep_removes_only_stale_hanashi_temporaries(tmp_path, monkeypatch):
    models, tmp = tmp_path / "data" / "models", tmp_path / "tmp"
    models.mkdir(parents=True)
    tmp.mkdir()
    dead, live = _dead_pid(), os.getpid()
    old = time.time() - 2 * cleanup.LEGACY_AGE_S
    stale = [models / f".rinna-q4_k_m.gguf.{dead}.abcd1234.f32.partial",
             models / f".rinna-q4_k_m.gguf.{dead}.x_y9z8w7.gguf.partial",
             models / ".old-q8_0.gguf.k2j3h4g5.f16.partial",  # an older version's name, two hours old
             tmp / f"hanashi-job-{dead}-a1b2c3d4", tmp / f"hanashi-vocab-{dead}-q1w2e3r4",
             tmp / f"hanashi-child-{dead}-z9x8c7v6.log", tmp / "hanashi-vocab-oldoldol"]
    kept = [models / f".rinna-q4_k_m.gguf.{live}.abcd1234.f32.partial",  # a running import's
            models / ".new-q8_0.gguf.k2j3h4g5.f16.partial",  # an older version's name, but fresh
            models / "rinna-q4_k_m.gguf", models / "notes.partial", models / ".hidden.gguf",
            models / f".x.{dead}.abcd1234.txt.partial",  # not one of Hanashi's tags
            tmp / f"hanashi-job-{live}-a1b2c3d4", tmp / f"hanashi-child-{live}-z9x8c7v6.log",
            tmp / f"hanashi-jobs-{dead}-a1b2c3d4", tmp / f"other-{dead}-abc", tmp / "pytest-of-someone"]
    for p in stale + kept:
        if p.name.startswith(("hanashi-job-", "hanashi-vocab-", "pytest-")):
            p.mkdir()
            (p / "inside.bin").write_bytes(b"x")
        else:
            p.write_bytes(b"x" * 10)
    for p in (models / ".old-q8_0.gguf.k2j3h4g5.f16.partial", tmp / "hanashi-vocab-oldoldol"):
        os.utime(p, (old, old))
    monkeypatch.setenv("HANASHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", None)  # follow TMPDIR as a new process would
    from app.cleanup import sweep_at_start

    removed = sweep_at_start()
    assert sorted(removed) == sorted(stale)
    assert [p for p in stale if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


def test_the_cli_sweeps_stale_partials_beside_its_output(model, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    stale = out_dir / f".m.gguf.{_dead_pid()}.abcd1234.f16.partial"
    stale.write_bytes(b"\0" * 100)
    p = subprocess.run([sys.executable, "-m", "quantize", "convert", str(model), "-o", str(out_dir / "m.gguf"),
                        "--type", "f16", "--skip-parity"], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert sorted(x.name for x in out_dir.iterdir()) == ["m.gguf"]


def test_a_cleanup_finishes_before_a_signal_arrives(tmp_path):
    """Ctrl-C landing while temporary files are removed waits until the removal is complete."""
    import os

    from quantize.cleanup import remove_tree, signals_deferred

    folder = tmp_path / "hanashi-vocab-scratch"
    folder.mkdir()
    (folder / "vocab-llama.gguf").write_bytes(b"GGUF")
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with signals_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            reached.append("after the signal")  # still running: the signal is held
            remove_tree(folder)
            reached.append("removed")
    assert reached == ["after the signal", "removed"]
    assert not folder.exists()
