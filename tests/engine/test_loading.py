"""Loading models: the backend, context, tokenizer and format chosen; clear errors for bad files."""

from __future__ import annotations

import os
import shutil

import gguf
import numpy as np
import pytest

from app.engine import (CorruptModelError, Engine, InvalidModelError, ModelLoadError, ModelNotFoundError,
                        ModelTooLargeError, NotAModelError, UnsupportedArchitectureError)
from app.engine import hardware
from app.engine.tokenizer import LLAMA_CPP, SENTENCEPIECE


def test_loads_a_converted_rinna_model_on_the_cpu(rinna_engine, rinna_gguf):
    e = rinna_engine
    assert e.family == "rinna-instruction"
    assert e.format_note == "" and e.notes == []
    assert e.tokenizer.kind == LLAMA_CPP  # parity was exact at conversion
    assert e.n_ctx == 1024
    assert str(e.backend) == "CPU (1 thread)" and not e.backend.on_gpu
    assert e.backend.n_layer == e.info.n_layer == 2
    # The card's decoding, read from the file.
    s = e.defaults
    assert (s.temperature, s.repetition_penalty, s.max_new_tokens) == pytest.approx((0.7, 1.1, 128))


def test_dolly_uses_the_embedded_sentencepiece_and_its_card_limits(dolly_engine):
    e = dolly_engine
    assert e.family == "dolly"
    assert e.info.runtime_tokenizer == SENTENCEPIECE and e.tokenizer.kind == SENTENCEPIECE
    assert e.n_ctx == 1024  # the card's context limit
    assert e.defaults.banned_token_ids == tuple(e.info.banned_token_ids) and e.defaults.banned_token_ids
    assert e.tokenizer.sp.id_to_piece(e.defaults.banned_token_ids[0]) == "<unk>"


def test_default_context_is_the_models_and_requests_above_it_are_capped(rinna_gguf):
    with Engine.load(rinna_gguf) as e:
        assert e.n_ctx == 2048  # the tiny model's max_position_embeddings
    with Engine.load(rinna_gguf, n_ctx=100_000) as e:
        assert e.n_ctx == 2048
        assert any("more than the model supports" in n for n in e.notes)


def test_template_fallback_for_a_file_without_hanashi_metadata(template_gguf):
    with Engine.load(template_gguf, n_ctx=256) as e:
        assert e.family == "template"
        assert "no Hanashi metadata" in e.format_note and "chat template" in e.format_note
        assert e.tokenizer.kind == LLAMA_CPP and e.tokenizer.parse_special


def test_plain_completion_when_there_is_no_template_either(plain_gguf):
    with Engine.load(plain_gguf, n_ctx=256) as e:
        assert e.family == "completion" and e.completion
        assert "plain text completion" in e.format_note


@pytest.mark.parametrize("requested", ["auto", "all", 8, "3"])
def test_gpu_layers_are_zero_on_a_cpu_only_build(requested, rinna_gguf):
    if hardware.supports_gpu_offload():
        pytest.skip("this llama.cpp build has a GPU backend")
    assert hardware.plan_gpu_layers(requested, 2, 10_000, 1_000, free_vram=None) == 0
    with Engine.load(rinna_gguf, gpu_layers=requested, n_ctx=128) as e:
        assert e.backend.gpu_layers == 0 and e.backend.name == "CPU"


def test_gpu_layer_words_are_checked():
    with pytest.raises(ValueError, match="auto"):
        hardware.plan_gpu_layers("most", 2, 10_000, 0, None)


def test_memory_facts_come_from_the_system():
    available = hardware.mem_available()
    assert available is not None and available > 0
    assert hardware.ram_needed(1000, 10, 0, 100) > hardware.ram_needed(1000, 10, 5, 100)


# ---------------------------------------------------------------- bad input


def _load_error(path) -> ModelLoadError:
    with pytest.raises(ModelLoadError) as info:
        Engine.load(path, n_ctx=128)
    error = info.value
    assert str(path) in str(error) and error.fix and "How to fix" in str(error)
    return error


def test_missing_file(tmp_path):
    assert isinstance(_load_error(tmp_path / "nothing.gguf"), ModelNotFoundError)


def test_folder_instead_of_file(tmp_path):
    error = _load_error(tmp_path)
    assert isinstance(error, NotAModelError) and "folder" in error.message


@pytest.mark.parametrize("content", [b"", b"hello, this is text", b"PK\x03\x04zipfile"])
def test_not_a_gguf(tmp_path, content):
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    error = _load_error(path)
    assert isinstance(error, NotAModelError) and "not a GGUF" in error.message


@pytest.mark.parametrize("keep", [0.02, 0.5, 0.99])
def test_truncated_file(tmp_path, rinna_gguf, keep):
    data = rinna_gguf.read_bytes()
    path = tmp_path / "cut.gguf"
    path.write_bytes(data[: int(len(data) * keep)])
    error = _load_error(path)
    assert isinstance(error, CorruptModelError) and "truncated" in error.message
    if keep > 0.1:  # the header is whole: the missing tensor data is measured
        assert f"but it has {int(len(data) * keep):,}" in error.message


def test_missing_tensor_is_named_before_llama_cpp_sees_the_file(tmp_path, variant):
    path = variant("no-output-norm", drop_tensors=("output_norm.weight",))
    error = _load_error(path)
    assert isinstance(error, InvalidModelError) and isinstance(error, CorruptModelError)
    assert "output_norm.weight" in error.message and "missing" in error.message


def test_unsupported_architecture(tmp_path):
    path = tmp_path / "bygpt.gguf"
    w = gguf.GGUFWriter(str(path), "bygpt")
    w.add_block_count(1)
    w.add_context_length(64)
    w.add_embedding_length(8)
    w.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    error = _load_error(path)
    assert isinstance(error, UnsupportedArchitectureError) and error.architecture == "bygpt"
    assert "'bygpt'" in str(error)


def test_model_larger_than_free_memory(tmp_path, rinna_gguf):
    available = hardware.mem_available()
    path = tmp_path / "huge.gguf"
    shutil.copy(rinna_gguf, path)
    os.truncate(path, 2 * available + 2**30)  # sparse: the header is intact, the file is huge
    error = _load_error(path)
    assert isinstance(error, ModelTooLargeError)
    assert error.needed > error.available and "GiB" in error.message


def test_header_reader_agrees_with_gguf_py(rinna_gguf, variant):
    """Hanashi's own GGUF header reader gives what gguf-py's independent reader gives."""
    from gguf import GGUFReader

    from app.engine.gguf_header import read_gguf_info

    dolly_like = variant("dolly-keys", set_kv={"hanashi.banned_token_ids": [1], "hanashi.context_limit": 1024,
                                               "hanashi.reply_budget": 100, "hanashi.strip_pieces": ["[SEP]"],
                                               "hanashi.tokenizer.runtime": "sentencepiece"})
    for path in (rinna_gguf, dolly_like):
        info = read_gguf_info(path)
        fields = GGUFReader(str(path)).fields

        def text(key):
            f = fields[key]
            return bytes(f.parts[f.data[0]]).decode()

        def scalar(key):
            f = fields[key]
            return f.parts[f.data[0]].tolist()[0]

        assert info.family == text("hanashi.family") == "rinna-instruction"
        assert info.chat_template == text("tokenizer.chat_template")
        assert info.n_ctx == scalar("gptneox.context_length")
        assert info.eos_id == scalar("tokenizer.ggml.eos_token_id")
        sp = fields["hanashi.tokenizer.sp_model"]
        assert info.sp_model == b"".join(bytes(sp.parts[i]) for i in sp.data)
    assert read_gguf_info(dolly_like).banned_token_ids == [1]
