"""Tokenizers without byte pieces (sentencepiece's default, as rinna's japanese-gpt-1b ships):
they convert to every output type with a tokenizer type llama.cpp can run, verify, and chat exactly.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sentencepiece as spm

from quantize.child import ChildCrashed
from quantize.convert import OUTPUT_TYPES, convert
from quantize.corpus_prose import prose_corpus
from quantize.errors import ConversionError
from quantize.gguf_info import read_info
from quantize.parity_tokens import measure
from quantize.spm import load_sp_model
from quantize.verify import verify

ROOT = Path(__file__).resolve().parents[1]
PROSE = prose_corpus()
# What a chat contains that such a vocabulary lacks: newlines, emoji, rare kanji, other scripts.
CHAT_TEXTS = [
    "\n", "改行\n😀", "一行目\n\n三行目\n", "楽しかった😊 また行こうね🎉👍", "𠮷野家の𩸽定食と鬱蒼とした龘",
    "GPUのVRAMが8GBあれば動きます。", "Привет 안녕하세요 مرحبا", "  空白  と\tタブ ", "ユーザー: こんにちは<NL>システム: ",
    *PROSE[::40],
]
MODELS = ["dolly_no_bytes", "neox_no_bytes"]


def _no_byte_pieces(src: Path) -> None:
    proc = spm.SentencePieceProcessor(model_file=str(src / "spiece.model"))
    assert not any(proc.is_byte(i) for i in range(proc.get_piece_size()))


def _hanashi_temp(before: set[str]) -> set[str]:
    """This process's tokenizer-probe folders (others running at the same time have their own pid)."""
    own = f"hanashi-vocab-{os.getpid()}-"
    return {n for n in os.listdir(tempfile.gettempdir()) if n.startswith(own)} - before


@pytest.fixture(scope="module")
def floats(tiny, tmp_path_factory):
    """The f32 conversion of each model, for the tests that only read the result."""
    out = tmp_path_factory.mktemp("no-bytes")
    return {m: convert(getattr(tiny, m)(), out / f"{m}.gguf", "f32") for m in MODELS}


@pytest.mark.parametrize("model", MODELS)
def test_llama_type_is_never_chosen_and_t5_is_measured_on_prose(model, floats, tiny):
    src = getattr(tiny, model)()
    _no_byte_pieces(src)
    result = floats[model]
    report = result.token_parity
    assert report.kind == "t5"
    assert set(report.sections) == {"prose", "edge"}
    prose_matched, prose_total = report.sections["prose"]
    assert prose_total == len(PROSE) >= 300
    assert prose_matched / prose_total >= 0.95, report.format()
    # Why `llama` was not probed is part of the report.
    assert "`llama` not used" in report.note and "byte pieces" in report.note
    table = report.format()
    assert "prose" in table and "edge cases + fuzz" in table and "`llama` not used" in table
    info = read_info(result.path)
    assert info.tokenizer_kind == "t5"
    p = info.parity
    assert (p["tokenizer.prose.matched"], p["tokenizer.prose.total"]) == report.sections["prose"]
    assert (p["tokenizer.edge.matched"], p["tokenizer.edge.total"]) == report.sections["edge"]
    assert p["tokenizer.matched"] == report.matched and p["tokenizer.total"] == report.total
    assert p["tokenizer.total"] == p["tokenizer.prose.total"] + p["tokenizer.edge.total"]
    assert info.runtime_tokenizer == ("llama.cpp" if report.exact else "sentencepiece")


@pytest.mark.parametrize("out_type", OUTPUT_TYPES)
@pytest.mark.parametrize("model", MODELS)
def test_every_output_type_converts_verifies_and_tokenizes_exactly(model, out_type, tiny, tmp_path):
    from app.engine import Engine

    src = getattr(tiny, model)()
    before = _hanashi_temp(set())
    out = tmp_path / f"{model}.{out_type}.gguf"
    result = convert(src, out, out_type, threads=1)
    assert not _hanashi_temp(before), "no hanashi-vocab-* folder is left behind"
    info = read_info(out)
    assert info.file_type == out_type
    assert info.tokenizer_kind == "t5" and info.parity["tokenizer.kind"] == "t5"
    report = verify(out, src, logits=False)
    assert report.tokens.kind == "t5" and report.tokens.total == result.token_parity.total
    assert report.tokens.sections == result.token_parity.sections  # the same tokenizer, whatever the weights
    table = report.format()
    assert "prose" in table and "edge cases + fuzz" in table
    sp = spm.SentencePieceProcessor(model_file=str(src / "spiece.model"))
    with Engine.load(out, n_ctx=512, threads=1) as engine:
        for text in CHAT_TEXTS:
            assert engine.encode(text) == sp.encode(text, out_type=int), text
        gen = engine.generate("ユーザー: 改行\nと絵文字😀<NL>システム: ",
                              engine.sampling(temperature=0, max_new_tokens=8))
        assert gen.n_generated >= 1


def test_f32_logits_match_transformers(floats, tiny):
    pytest.importorskip("torch")
    report = verify(floats["dolly_no_bytes"].path, tiny.dolly_no_bytes())
    assert report.logits, report.logits_note
    assert report.ok, report.format()


def test_skip_parity_writes_a_type_llama_cpp_can_tokenize_newlines_and_emoji_with(tiny, tmp_path):
    src = tiny.dolly_no_bytes()
    out = tmp_path / "skip.gguf"
    result = convert(src, out, "f16", measure_parity=False)
    assert result.token_parity is None
    info = read_info(out)
    assert info.tokenizer_kind == "t5"
    assert info.runtime_tokenizer == ""  # not measured: Hanashi tokenizes with sentencepiece
    # Another llama.cpp user (llama-cpp-python) in its own process, so an abort could not kill pytest.
    code = ("import sys; from quantize.llama_lib import load; Llama = load().Llama; "
            "llm = Llama(model_path=sys.argv[1], vocab_only=True, verbose=False); "
            "print(llm.tokenize('改行\\n😀'.encode(), add_bos=False))")
    proc = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ids = ast.literal_eval(proc.stdout.strip())  # a list of ints printed by the child
    assert isinstance(ids, list) and ids and all(isinstance(i, int) for i in ids)


def _as_llama_type(src: Path, dst: Path) -> Path:
    """The same file with its tokenizer type changed to `llama`: what older converters wrote."""
    from tests.gguf_rewrite import rewrite

    return rewrite(dst, {"tokenizer.ggml.model": "llama"}, src=src)


def test_an_aborting_probe_is_a_clear_error_and_the_caller_survives(floats, tiny, tmp_path):
    """The precondition is real: as `llama`, this vocabulary makes llama.cpp abort on "\\n".
    Probes and verify run it in a child process, so the abort is an error, not a dead process."""
    src = tiny.dolly_no_bytes()
    bad = _as_llama_type(floats["dolly_no_bytes"].path, tmp_path / "llama-type.gguf")
    sp = load_sp_model(src / "spiece.model")
    with pytest.raises(ChildCrashed) as exc:
        measure(bad, sp, "llama", texts=["改行\n"])
    assert exc.value.exitcode != 0
    assert "measuring llama.cpp's `llama` tokenizer" in str(exc.value) and str(bad) in str(exc.value)
    with pytest.raises(ConversionError) as exc:
        verify(bad, src, logits=False)
    assert "`llama`" in str(exc.value) and "How to fix" in str(exc.value)
    # Still alive, and the real file still measures.
    assert measure(floats["dolly_no_bytes"].path, sp, "t5", texts=["改行\n"]).total == 1


def test_hanashi_chat_answers_with_a_no_byte_tokenizer(converted):
    path = converted("dolly_no_bytes", "q8_0")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONIOENCODING="utf-8")
    messages = ["こんにちは", "絵文字😀と珍しい字𩸽はどう?", "English and 日本語 mixed"]
    proc = subprocess.run([sys.executable, "-m", "app", "chat", str(path), "--temp", "0", "--max-tokens", "12",
                           "--ctx", "512", "--threads", "1"], input="\n".join(messages) + "\n",
                          capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert len(proc.stdout.splitlines()) >= len(messages)
