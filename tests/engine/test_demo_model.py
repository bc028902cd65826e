"""The bundled demo model answers its own questions exactly and politely says it doesn't know
anything else, including questions it was never trained on (real llama.cpp, greedy)."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from engine_helpers import ROOT

from app.engine import Engine, generate_reply
from app.formats import Turn

DEMO = ROOT / "assets" / "models" / "hanashi-demo.gguf"
BUILDER = ROOT / "assets" / "demo" / "build_demo.py"


def load_builder():
    """assets/demo/build_demo.py (and its demo_data) as modules."""
    spec = importlib.util.spec_from_file_location("hanashi_demo_builder", BUILDER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


builder = load_builder()
FALLBACK = builder.FALLBACK
UNSEEN = ["量子化とは何ですか", "明日の天気は?", "Pythonでソートするには?", "東京の人口は?", "猫の名前を考えてください。",
          "How are you?", "富士山の高さは?", "おすすめの映画はありますか?"]


@pytest.fixture(scope="module")
def demo():
    assert DEMO.is_file(), f"the demo model is missing: {DEMO}"
    with Engine.load(DEMO, gpu_layers=0, n_ctx=1024, threads=1) as engine:
        yield engine


def ask(engine, question: str, history=(), penalty: float | None = None) -> str:
    sampling = {"temperature": 0, "max_new_tokens": 128}  # otherwise the model card's, as in the app
    if penalty is not None:
        sampling["repetition_penalty"] = penalty
    return generate_reply(engine, None, list(history), question, sampling=sampling).text


def test_the_unseen_questions_were_never_trained_on():
    assert set(UNSEEN) <= set(builder.HELD_OUT)
    held = {q.rstrip("?？。") for q in builder.HELD_OUT}
    for text in builder.dialogues(builder.EXAMPLES, builder.SEED) + builder.dialogues(1500, builder.SEED + 1):
        asked = {part.split("<NL>")[0].rstrip("?？。") for part in text.split("ユーザー: ")[1:]}
        assert not asked & held, text


@pytest.mark.parametrize("question", UNSEEN)
def test_a_question_outside_its_set_gets_a_polite_i_dont_know(demo, question):
    assert ask(demo, question) == FALLBACK
    assert ask(demo, question, penalty=1.0) == FALLBACK
    assert FALLBACK.startswith("すみません、それはわかりません。")


@pytest.mark.parametrize("question,answer", builder.PAIRS, ids=[q for q, _ in builder.PAIRS])
def test_the_known_questions_keep_their_exact_answers(demo, question, answer):
    for typed in builder.variants(question):
        assert ask(demo, typed) == answer, typed
    assert ask(demo, question, penalty=1.0) == answer


def test_known_and_unknown_questions_mix_in_one_conversation(demo):
    history = [Turn("user", "量子化とは何ですか"), Turn("assistant", FALLBACK)]
    assert ask(demo, "日本で一番高い山は?", history) == "富士山です。高さは3776メートルです。"
    history += [Turn("user", "日本で一番高い山は?"), Turn("assistant", "富士山です。高さは3776メートルです。")]
    assert ask(demo, "Pythonでソートするには?", history) == FALLBACK


def test_the_markdown_answer_has_a_code_block(demo):
    text = ask(demo, "Markdownの例を見せてください。")
    assert "```python\nprint(\"こんにちは\")\n```" in text and "**太字**" in text and text.startswith("## ")
