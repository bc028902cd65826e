"""Long conversations: time to open one in the chat view, and to fit its history into the context.

    .venv/bin/python bench/long_conversation.py            # builds a tiny rinna-like model first
    .venv/bin/python bench/long_conversation.py --gguf model.gguf

Open: ``ChatView.show_messages`` plus the layout until the newest message is on screen (Qt
offscreen). "before" builds a bubble for every message, as the view did when every message was a
widget; it is run at 1k messages only. Fit: ``ChatFormat.fit`` with the model's real tokenizer and
a fresh count cache, 2048-token context; "before" is the old rule (count the whole prompt, drop the
oldest exchange, count again), at 1k messages only. Prints a table; not a test. Goal: < 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZES = (1_000, 10_000, 100_000)
WORDS = ["日本", "で", "一番", "高い", "山", "は", "富士山", "です", "。", "こんにちは", "ありがとう", "図書館",
         "本", "を", "読み", "ました", "?", "\n", "猫", "が", "好き", "、"]


def conversation_texts(n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [("user" if i % 2 == 0 else "assistant", "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 60))))
            for i in range(n)]


def build_model(root: Path) -> Path:
    from quantize.convert import convert
    from quantize.tiny.models import build_neox

    hf = root / "tiny-japanese-gpt-neox-instruction-sft"
    build_neox(hf)
    gguf = root / "tiny.gguf"
    convert(hf, gguf, "f32")
    return gguf


def old_fit(fmt, persona, turns, count_tokens, n_ctx, reply_budget):
    from app.formats.chat_format import MessageTooLongError, drop_oldest_exchange

    history, last = list(turns[:-1]), list(turns[-1:])
    while True:
        kept = history + last
        needed = count_tokens(fmt.render(persona, kept)) + reply_budget
        if needed <= n_ctx:
            return kept
        if not history:
            raise MessageTooLongError(needed, n_ctx, reply_budget)
        history = drop_oldest_exchange(history)


def time_open(app, messages, every_widget: bool) -> float:
    from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

    from app.gui.chat_view import ChatView, MessageBubble

    if every_widget:  # the view as it was: one bubble widget per message
        view = QScrollArea()
        view.setWidgetResizable(True)
        inner = QWidget(view)
        column = QVBoxLayout(inner)
        view.setWidget(inner)
    else:
        view = ChatView()
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.resize(760, 600)
    view.show()
    app.processEvents()
    t0 = time.perf_counter()
    if every_widget:
        for m in messages:
            b = MessageBubble(m.role, m.content, m.id, m.status, m.model)
            b.apply_colors({"user": "#dcebff", "assistant": "#f3f3f5", "border": "#d5d7db", "muted": "#6b6e73"})
            column.addWidget(b)
            last = b
    else:
        view.show_messages(messages)
        last = view.bubbles[-1]
    bar = view.verticalScrollBar()
    while True:  # until laid out with the newest message on screen
        app.processEvents()
        bar.setValue(bar.maximum())
        if bar.maximum() > 0 and not last.visibleRegion().isEmpty():
            break
    seconds = time.perf_counter() - t0
    view.close()
    view.deleteLater()
    app.processEvents()
    return seconds


def time_fit(engine, turns, old: bool) -> tuple[float, int, int]:
    from app.formats.context_fit import TurnTokenCounts

    calls = [0]

    def count(text: str) -> int:
        calls[0] += 1
        return engine.count_tokens(text)

    t0 = time.perf_counter()
    if old:
        kept = old_fit(engine.format, [], turns, count, engine.n_ctx, 256)
    else:
        kept = engine.format.fit([], turns, count, engine.n_ctx, 256, counts=TurnTokenCounts())
    return time.perf_counter() - t0, len(kept), calls[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, help="a model whose tokenizer and format to fit with")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from app.engine import Engine
    from app.formats import Turn
    from app.storage import Message

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        gguf = args.gguf or build_model(Path(tmp))
        engine = Engine.load(gguf, n_ctx=2048, threads=1)
        rows = []
        for n in SIZES:
            texts = conversation_texts(n)
            messages = [Message(i + 1, 1, role, text, model="tiny") for i, (role, text) in enumerate(texts)]
            turns = [Turn(role, text) for role, text in texts]
            if turns[-1].role != "user":
                turns.append(Turn("user", "最後の質問です。"))
            open_before = time_open(app, messages, every_widget=True) if n <= 1_000 else None
            open_after = time_open(app, messages, every_widget=False)
            fit_before = time_fit(engine, turns, old=True) if n <= 1_000 else None
            fit_after = time_fit(engine, turns, old=False)
            rows.append((n, open_before, open_after, fit_before, fit_after))
        engine.close()

    def s(v):
        return "—" if v is None else f"{v:.3f} s"

    print(f"\nmodel: {gguf.name if args.gguf else 'tiny rinna-like (built)'}, context 2048, reply budget 256\n")
    print("| messages | open before | open after | fit before (calls) | fit after (calls) | turns kept |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, ob, oa, fb, fa in rows:
        before = "—" if fb is None else f"{fb[0]:.3f} s ({fb[2]})"
        print(f"| {n:,} | {s(ob)} | {s(oa)} | {before} | {fa[0]:.3f} s ({fa[2]}) | {fa[1]} |")


if __name__ == "__main__":
    main()
