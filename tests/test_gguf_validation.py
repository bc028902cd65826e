"""GGUF values that pass the header checks but that llama.cpp (or Hanashi) cannot use are refused in
Python, each with a message naming the key, the value and what is allowed."""

from __future__ import annotations

import math
import struct

import pytest

from quantize.errors import GGUFFileError, InvalidGGUFError
from quantize.gguf_check import checked_info, find_problems
from quantize.gguf_info import read_info
from tests.gguf_rewrite import DEMO, T, rewrite, typed

BYTES = [f"<0x{i:02X}>" for i in range(256)]


def _tokens() -> list[str]:
    from quantize.gguf_info import read_typed_header

    return list(read_typed_header(DEMO, vocab=True).kv["tokenizer.ggml.tokens"])


def test_the_demo_model_passes():
    assert find_problems(DEMO) == []
    assert checked_info(DEMO).family == "rinna-instruction"


def _refused(tmp_path, match: str, **kw) -> InvalidGGUFError:
    path = rewrite(tmp_path / "bad.gguf", **kw)
    read_info(path)  # reading the metadata never raises for a wrong value...
    with pytest.raises(InvalidGGUFError, match=match) as info:
        checked_info(path)  # ...checking it names the problem
    e = info.value
    assert e.kind == "invalid" and e.fix and str(path) in str(e) and e.problems
    return e


# Each: metadata changes → a fragment of the message.
CASES = {
    "block_count 0": ({"gptneox.block_count": 0}, r"gptneox.block_count = 0 .must be an integer from 1 to 512"),
    "block_count text": ({"gptneox.block_count": "two"}, r"gptneox.block_count = 'two' .has type string"),
    "file_type array": ({"general.file_type": [1, 2]}, r"general.file_type = .*has type array of 2 int32"),
    "embedding 0": ({"gptneox.embedding_length": 0}, r"embedding_length = 0"),
    "heads 0": ({"gptneox.attention.head_count": 0}, r"head_count = 0"),
    "heads do not divide": ({"gptneox.attention.head_count": 3}, r"must divide embedding_length 256"),
    "rope 0": ({"gptneox.rope.dimension_count": 0}, r"rope.dimension_count = 0"),
    "rope > head dim": ({"gptneox.rope.dimension_count": 128}, r"at most the head dimension 64"),
    "rope odd": ({"gptneox.rope.dimension_count": 33}, r"must be even"),
    "eps NaN": ({"gptneox.attention.layer_norm_epsilon": math.nan}, r"layer_norm_epsilon = nan .must be a finite"),
    "eps negative": ({"gptneox.attention.layer_norm_epsilon": -1.0}, r"layer_norm_epsilon = -1.0"),
    "context 0": ({"gptneox.context_length": 0}, r"context_length = 0"),
    "rope scaling": ({"gptneox.rope.scaling.type": "wobbly"}, r"rope.scaling.type = 'wobbly' .must be one of"),
    "parallel residual text": ({"gptneox.use_parallel_residual": "yes"}, r"use_parallel_residual = 'yes'"),
    "tokenizer bert": ({"tokenizer.ggml.model": "bert"}, r"tokenizer.ggml.model = 'bert' .is a tokenizer type Hanashi"),
    "special id out of range": ({"tokenizer.ggml.eos_token_id": 5000}, r"eos_token_id = 5000 .must be a token id"),
    "special id wrong type": ({"tokenizer.ggml.bos_token_id": "2"}, r"bos_token_id = '2'"),
    "scores too short": ({"tokenizer.ggml.scores": typed([0.0] * 10, T.ARRAY, T.FLOAT32)},
                         r"scores = .*must be an array of 1000 numbers"),
    "context_limit 1": ({"hanashi.context_limit": 1}, r"hanashi.context_limit = 1 .must be 0 .none. or at least 64"),
    "reply budget too large": ({"hanashi.context_limit": 128, "hanashi.reply_budget": 500}, r"reply_budget = 500"),
    "sampling not an object": ({"hanashi.sampling": "[1, 2]"}, r"hanashi.sampling = '\[1, 2\]' .must be a JSON object"),
    "sampling not JSON": ({"hanashi.sampling": "[" * 60000}, r"hanashi.sampling = .*must be a JSON object"),
    "temperature NaN": ({"hanashi.sampling": '{"temperature": NaN}'}, r"hanashi.sampling.temperature = nan"),
    "temperature inf": ({"hanashi.sampling": '{"temperature": Infinity}'}, r"sampling.temperature = inf"),
    "top_p 5": ({"hanashi.sampling": '{"top_p": 5}'}, r"sampling.top_p = 5 .must be a finite number above 0"),
    "top_k text": ({"hanashi.sampling": '{"top_k": "many"}'}, r"sampling.top_k = 'many' .must be an integer"),
    "huge int": ({"hanashi.sampling": '{"max_new_tokens": ' + "9" * 5000 + "}"}, r"hanashi.sampling = .*JSON object"),
    "stop strings not text": ({"hanashi.stop_strings": [1, 2]}, r"hanashi.stop_strings = \[1, 2\].*must be an array of at most 64 non-empty texts"),
    "banned out of range": ({"hanashi.banned_token_ids": [1, 99999]}, r"banned_token_ids = .*from 0 to 999"),
    "banned everything": ({"hanashi.banned_token_ids": list(range(1000))}, r"bans every token"),
    "sp model garbage": ({"hanashi.tokenizer.sp_model": b"\x00garbage" * 10},
                         r"hanashi.tokenizer.sp_model = <80 bytes> .is not a sentencepiece model"),
    "sp model wrong type": ({"hanashi.tokenizer.sp_model": "text"}, r"sp_model = 'text' .has type string"),
    "runtime unknown": ({"hanashi.tokenizer.runtime": "magic"}, r"tokenizer.runtime = 'magic'"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_value_is_named(tmp_path, name):
    set_kv, match = CASES[name]
    _refused(tmp_path, match, set_kv=set_kv)


def test_duplicate_and_empty_tokens(tmp_path):
    tokens = _tokens()
    dup = tokens[:]
    dup[500] = dup[400]
    _refused(tmp_path, rf"tokenizer.ggml.tokens\[500\] = {dup[400]!r} .is the same text as token 400",
             set_kv={"tokenizer.ggml.tokens": dup})
    empty = tokens[:]
    empty[10] = ""
    _refused(tmp_path, r"tokens\[10\] = '' .token texts must not be empty", set_kv={"tokenizer.ggml.tokens": empty})


def test_llama_tokenizer_without_byte_pieces(tmp_path):
    """The `llama` type needs every <0xXX> piece; without them llama.cpp dies on the first emoji."""
    tokens = [f"[X{i}]" if t in BYTES else t for i, t in enumerate(_tokens())]
    assert not set(tokens) & set(BYTES)
    e = _refused(tmp_path, r"needs all 256 byte tokens", set_kv={"tokenizer.ggml.tokens": tokens})
    assert "convert the model again" in e.fix
    # Hanashi tokenizes such a file with its embedded sentencepiece model: then it is usable.
    ok = rewrite(tmp_path / "sp.gguf", set_kv={"tokenizer.ggml.tokens": tokens,
                                               "hanashi.tokenizer.runtime": "sentencepiece"})
    assert find_problems(ok) == []


def test_tensor_shapes_follow_the_hyperparameters(tmp_path):
    _refused(tmp_path, r"tensor output_norm.weight: is missing", drop_tensors=("output_norm.weight",))
    _refused(tmp_path, r"block_count is 2 but the file has tensors of more blocks",
             add_tensors={"blk.2.attn_norm.weight": [1.0] * 256})
    _refused(tmp_path, r"tensor token_embd.weight = .*must have shape \[256, 900\]",
             set_kv={"tokenizer.ggml.tokens": _tokens()[:900],
                     "tokenizer.ggml.scores": typed([0.0] * 900, T.ARRAY, T.FLOAT32),
                     "tokenizer.ggml.token_type": typed([1] * 900, T.ARRAY, T.INT32)})


def test_unknown_architecture_is_named(tmp_path):
    path = rewrite(tmp_path / "x.gguf", set_kv={"general.architecture": "bygpt"})
    assert [p.key for p in find_problems(path)] == ["general.architecture"]


def _raw_gguf(kv_bytes: bytes, n_kv: int) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", 3, 0, n_kv) + kv_bytes


def _key(name: str) -> bytes:
    return struct.pack("<Q", len(name)) + name.encode()


@pytest.mark.parametrize("body,n_kv", [
    (_key("a") + struct.pack("<I", 9) + (struct.pack("<IQ", 9, 1)) * 2000 + struct.pack("<IQ", 4, 0), 1),  # deep arrays
    (_key("a") + struct.pack("<I", 77), 1),  # unknown value type
    (_key("a") + struct.pack("<IIQ", 9, 8, 2**62), 1),  # an array longer than the file
    (_key("general.alignment") + struct.pack("<II", 4, 0), 1),  # alignment 0
    (_key("general.alignment") + struct.pack("<II", 8, 3) + b"abc", 1),  # alignment a string
    (b"", 2**63),  # more keys than the file holds
])
def test_hostile_header_bytes_give_a_clean_error(tmp_path, body, n_kv):
    path = tmp_path / "raw.gguf"
    path.write_bytes(_raw_gguf(body, n_kv))
    for read in (read_info, find_problems, checked_info):
        with pytest.raises(GGUFFileError) as info:
            read(path)
        assert info.value.kind in ("corrupt", "not_gguf")


def test_a_pipe_is_not_opened(tmp_path):
    import os

    fifo = tmp_path / "pipe.gguf"
    os.mkfifo(fifo)
    with pytest.raises(GGUFFileError, match="not a regular file"):
        read_info(fifo)
