"""Driver: load a GGUF with the Engine and answer one message, as the app's core would.

    python -m tests.adversarial.drive_engine MODEL.gguf [--ctx N] [--message TEXT]

Exit 0: a reply (printed); 2: a refusal with the error's message (an ExplainedError or a
ValueError, as the app shows them); 4: Stop did not end the reply within 2 s. Anything else
escapes as a traceback, which the runner counts against the engine.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

STOP_AFTER = 6.0  # seconds before the driver presses Stop
STOP_GRACE = 2.0


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--ctx", type=int, default=None)
    p.add_argument("--message", default="こんにちは。改行\nと絵文字😀です")
    a = p.parse_args()
    from app.engine.chat import ChatSession
    from app.engine.engine import Engine
    from quantize.errors import ExplainedError

    try:
        engine = Engine.load(a.model, gpu_layers=0, n_ctx=a.ctx, threads=1)
    except ExplainedError as e:
        print(f"refused: {e}", file=sys.stderr)
        return 2
    print(f"loaded: family={engine.family} n_ctx={engine.n_ctx} notes={engine.notes}", file=sys.stderr)
    cancel = threading.Event()
    stopped_at: list[float] = []

    def press_stop() -> None:
        stopped_at.append(time.monotonic())
        cancel.set()
        engine.interrupt()

    timer = threading.Timer(STOP_AFTER, press_stop)
    timer.daemon = True
    timer.start()
    try:
        session = ChatSession(engine, "", {"max_new_tokens": 16, "seed": 1})
        result = session.reply(a.message, cancel=cancel)
    except (ExplainedError, ValueError) as e:
        print(f"reply refused: {e}", file=sys.stderr)
        return 2
    finally:
        timer.cancel()
    if stopped_at and time.monotonic() - stopped_at[0] > STOP_GRACE:
        print(f"Stop took {time.monotonic() - stopped_at[0]:.1f}s to end the reply", file=sys.stderr)
        return 4
    print(result.text)
    print(f"reason={result.reason} note={result.note!r} generated={result.n_generated}", file=sys.stderr)
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
