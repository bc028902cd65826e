"""config.json values, the tokenizer files and the weights are checked for type and range before
anything is written: each bad value ends in a ConversionError naming the key, the value and what is
allowed, never a traceback, a hang, or a GGUF llama.cpp would abort on."""

from __future__ import annotations

import json
import os
import signal
import struct
from pathlib import Path

import pytest

from quantize.config_values import check_output_name
from quantize.convert import convert
from quantize.errors import ConversionError
from quantize.safetensors_file import SafetensorsFile
from tests.conftest import copy_model


@pytest.fixture
def model(tiny, tmp_path) -> Path:
    return copy_model(tiny.neox(), tmp_path / "src" / "tiny-japanese-gpt-neox-3.6b")


@pytest.fixture(autouse=True)
def no_hang():
    """Every case must end on its own; a hang fails the test instead of blocking the run."""
    def timeout(*_):
        raise TimeoutError("conversion hung")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _fails(model_dir, out_dir, match: str) -> ConversionError:
    with pytest.raises(ConversionError, match=match) as exc:
        convert(model_dir, out_dir / "m.gguf", "f32", measure_parity=False)
    assert list(out_dir.iterdir()) == [], "nothing may be left behind"
    assert exc.value.fix
    return exc.value


def _edit_config(model: Path, **changes) -> None:
    cfg = json.loads((model / "config.json").read_text())
    cfg.update(changes)
    (model / "config.json").write_text(json.dumps(cfg))


CONFIG_CASES = {
    "heads 0": ({"num_attention_heads": 0}, r"num_attention_heads = 0 is not valid \(must be from 1"),
    "layers 0": ({"num_hidden_layers": 0}, r"num_hidden_layers = 0 is not valid \(must be from 1 to 512"),
    "heads do not divide": ({"num_attention_heads": 3}, r"num_attention_heads = 3 .*must divide hidden_size 256"),
    "hidden size text": ({"hidden_size": "256"}, r"hidden_size = '256' is not valid \(must be a whole number"),
    "rotary_pct 4": ({"rotary_pct": 4, "partial_rotary_factor": 4, "rope_parameters": None},
                     r"rotary_pct = 4.0 is not valid \(must be a finite number above 0 up to 1"),
    "rope factor 4": ({"rope_parameters": {"partial_rotary_factor": 4, "rope_type": "default"}},
                      r"partial_rotary_factor = 4.0 is not valid"),
    "rotary_pct 0.01": ({"rotary_pct": 0.01, "partial_rotary_factor": 0.01, "rope_parameters": None},
                        r"rotary_pct .*must be even"),
    "eps -1": ({"layer_norm_eps": -1}, r"layer_norm_eps = -1.0 is not valid \(must be a finite number above 0"),
    "eps NaN": ({"layer_norm_eps": float("nan")}, r"layer_norm_eps = nan"),
    "positions absurd": ({"max_position_embeddings": 10**30}, r"max_position_embeddings = 1000000000000000000000"),
    "parallel text": ({"use_parallel_residual": "yes"}, r"use_parallel_residual = 'yes' is not valid \(must be true"),
    "activation list": ({"hidden_act": ["gelu"]}, r"hidden_act = \['gelu'\] is not valid"),
    "rope scaling text": ({"rope_scaling": "linear", "rope_parameters": None}, r"rope_scaling = 'linear'"),
    "architectures dict": ({"architectures": {"a": 1}}, r"architecture .* is not supported"),
}


@pytest.mark.parametrize("name", list(CONFIG_CASES))
def test_bad_config_value(model, out_dir, name):
    changes, match = CONFIG_CASES[name]
    _edit_config(model, **changes)
    e = _fails(model, out_dir, match)
    assert e.path.endswith("config.json")


def test_more_layers_in_the_checkpoint_than_in_config(model, out_dir):
    _edit_config(model, num_hidden_layers=1)
    _fails(model, out_dir, r"config.json says 1 layers but the checkpoint has tensors of more: "
                           r"gpt_neox.layers.1.")


@pytest.mark.parametrize("text,match", [
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ('{"hidden_size": ' + "9" * 5000 + "}", "not valid JSON"),
    ("\udcff", "not valid JSON"),
])
def test_hostile_json(model, out_dir, text, match):
    (model / "config.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    _fails(model, out_dir, match)


def test_wrong_types_in_tokenizer_files(model, out_dir):
    (model / "added_tokens.json").write_text(json.dumps({"<extra>": "five"}))
    _fails(model, out_dir, r"added token '<extra>' has id 'five'")
    (model / "added_tokens.json").unlink()
    (model / "tokenizer_config.json").write_text("[1, 2]")
    _fails(model, out_dir, "tokenizer_config.json is not a JSON object")


def test_wrong_types_in_the_index(model, out_dir):
    (model / "model.safetensors").rename(model / "model-00001-of-00001.safetensors")
    (model / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"a": 5}}))
    _fails(model, out_dir, "weight_map must map tensor names to shard file names")
    (model / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"a": "../../etc/x.safetensors"}}))
    _fails(model, out_dir, "weight_map must map tensor names to shard file names")


def test_damaged_sentencepiece_models(model, out_dir):
    from sentencepiece import sentencepiece_model_pb2 as pb

    sp = model / "spiece.model"
    sp.write_bytes(b"\xff\xfe garbage \x00" * 50)
    _fails(model, out_dir, "not a valid sentencepiece model|sentencepiece cannot load")
    m = pb.ModelProto()  # parses as protobuf, but has no unknown piece: sentencepiece refuses it
    for piece in ("a", "b", "c"):
        m.pieces.add(piece=piece, score=0.0)
    sp.write_bytes(m.SerializeToString())
    _fails(model, out_dir, "sentencepiece cannot load this model")
    sp.write_bytes(b"")
    _fails(model, out_dir, "empty or impossibly large")


def test_a_pipe_named_like_weights_does_not_hang(model, out_dir):
    (model / "model.safetensors").unlink()
    os.mkfifo(model / "model.safetensors")
    _fails(model, out_dir, "not a regular file")


def test_a_link_out_of_the_model_folder_is_refused(model, out_dir, tmp_path):
    outside = tmp_path / "elsewhere.safetensors"
    (model / "model.safetensors").rename(outside)
    (model / "model.safetensors").symlink_to(outside)
    _fails(model, out_dir, "a link that leads outside the model folder")


def _safetensors(path: Path, header: dict, data: bytes = b"") -> Path:
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    return path


@pytest.mark.parametrize("entry", [
    {"dtype": "F32", "shape": [2**62, 8], "data_offsets": [0, 0]},  # element count overflows int64
    {"dtype": "F32", "shape": [-1, 4], "data_offsets": [0, 16]},
    {"dtype": "F32", "shape": ["4"], "data_offsets": [0, 16]},
    {"dtype": "F32", "shape": [4], "data_offsets": [0, 16, 32]},
    {"dtype": ["F32"], "shape": [4], "data_offsets": [0, 16]},
])
def test_hostile_safetensors_entries(tmp_path, entry):
    path = _safetensors(tmp_path / "x.safetensors", {"t": entry}, b"\0" * 64)
    with pytest.raises(ConversionError):
        SafetensorsFile(path)


def test_an_output_name_too_long_for_the_file_system(tmp_path):
    with pytest.raises(ConversionError, match="output file name is 305 bytes long"):
        check_output_name(tmp_path / ("x" * 300 + ".gguf"))
    check_output_name(tmp_path / "fine.gguf")
