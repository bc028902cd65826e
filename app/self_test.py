"""``hanashi --self-test``: prove an installation works, headless, in a few seconds.

Loads the bundled demo model, asks it one question, and checks that the pieces a user needs are
there: llama.cpp with a CPU backend for this processor, the converter, and Qt (offscreen, so no
display is needed). Prints one line per check and exits 0 only when every check passed; used by
the bundle's CI test on this CPU and on an emulated AVX2-only one.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

QUESTION = "日本で一番高い山は?"


def loaded_cpu_backend() -> str:
    """The llama.cpp CPU backend library this process loaded (e.g. libggml-cpu-haswell.so)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "unknown"
    names = sorted({line.rsplit("/", 1)[-1] for line in maps.splitlines() if "libggml-cpu" in line})
    return ", ".join(names) or "linked into libggml"


def version_text() -> str:
    from app import __version__
    from quantize import llama_lib

    llama = getattr(llama_lib.load(), "__version__", "?")
    frozen = " (packaged)" if getattr(sys, "frozen", False) else ""
    return f"Hanashi {__version__}{frozen} · llama-cpp-python {llama} · Python {sys.version.split()[0]}"


def run(out=None) -> int:
    out = out or sys.stdout
    t0 = time.monotonic()
    failures = 0

    def check(name: str, fn) -> None:
        nonlocal failures
        try:
            detail = fn()
            print(f"ok    {name}: {detail}", file=out, flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the exit code says it
            failures += 1
            print(f"FAIL  {name}: {type(e).__name__}: {e}", file=out, flush=True)

    print(version_text(), file=out)

    def llama():
        from quantize import llama_lib

        llama_lib.load()
        return f"backends in {llama_lib.lib_dir().name}/: {len(llama_lib.backend_modules())}"

    def demo():
        from app.engine import Engine, generate_reply
        from app.paths import DEMO_MODEL

        with Engine.load(DEMO_MODEL, gpu_layers=0, n_ctx=512) as engine:
            result = generate_reply(engine, None, [], QUESTION, sampling={"temperature": 0, "max_new_tokens": 24})
            reply = result.text.strip()
            if not reply:
                raise RuntimeError("the demo model gave an empty reply")
            return f"{QUESTION} → {reply[:40]} ({engine.backend}; CPU kernels: {loaded_cpu_backend()})"

    def converter():
        import quantize.convert  # noqa: F401
        from quantize.quantizer import QUANT_TYPES

        return f"{len(QUANT_TYPES)} quantization types"

    def qt():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import qVersion
        from PySide6.QtWidgets import QApplication

        from app.gui import theme

        app = QApplication.instance() or QApplication(["hanashi-self-test"])
        theme.register_bundled_fonts()
        family = theme.japanese_font_family()
        return f"Qt {qVersion()}, Japanese font: {family or 'none found'}"

    check("llama.cpp", llama)
    check("demo model", demo)
    check("converter", converter)
    check("Qt", qt)
    print(f"self-test {'passed' if not failures else 'FAILED'} in {time.monotonic() - t0:.1f} s", file=out)
    return 0 if not failures else 1
