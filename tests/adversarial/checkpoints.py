"""Hostile Hugging Face folders, each made from a good tiny checkpoint by one deterministic edit.

    for case in checkpoint_cases():
        folder = case.build(base_folders, work_dir / case.name)

``base_folders`` maps "neox" / "gpt2" to good tiny checkpoints (tests/conftest.py's ``tiny``).
A case's ``expect`` is "error" (the input must be refused) or "either" (refusing it or converting
it to a file that chats are both fine).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .checkpoint_edit import (Raw, biggest, both, char_device, deep, drop_byte_pieces, edit_config, edit_header,
                              edit_nested, fill_values, grow_vocab, index_path_outside, make_fifo, remove,
                              remove_keys, replace_header_text, seeded_bytes, set_length, shard, sp_edit, st_path,
                              symlink, symlink_outside_copy, tensor_names, write_file)

BIG_DIGITS = "9" * 4301  # past Python's int-to-str limit of 4300 digits


@dataclass
class CheckpointCase:
    name: str
    category: str
    edit: Callable[[Path], None]  # edits a copied folder in place
    base: str = "neox"
    expect: str = "error"
    args: tuple[str, ...] = ()  # extra convert arguments
    output: str = "out.gguf"  # output name (relative to the output folder), "{src}/..." for inside the input
    tags: set = field(default_factory=set)  # "pytest": run by the pytest suite

    def build(self, bases: dict[str, Path], dst: Path) -> Path:
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(bases[self.base], dst, symlinks=True)
        self.edit(dst)
        return dst


# ------------------------------------------------------------------ the cases

# Keys of a GPT-NeoX config.json and the tensor-independent checks they need.
CONFIG_KEYS = ("hidden_size", "num_attention_heads", "num_hidden_layers", "rotary_pct", "layer_norm_eps",
               "max_position_embeddings", "intermediate_size", "vocab_size")
CONFIG_VALUES = {"zero": 0, "negative": -1, "huge": 10 ** 12, "nan": Raw("NaN"), "infinity": Raw("Infinity"),
                 "string": "12", "list": [4], "object": {"v": 4}, "null": None, "bool": True,
                 "digits4301": Raw(BIG_DIGITS), "deep": Raw(deep(100_000)), "float": 4.5}
# Values a converter may accept for a key (as long as the result then works).
_ACCEPTABLE = {("layer_norm_eps", "zero"), ("layer_norm_eps", "huge"), ("layer_norm_eps", "float"),
               ("max_position_embeddings", "huge"), ("rotary_pct", "zero")}
_PYTEST_CONFIG = {("num_attention_heads", "zero"), ("rotary_pct", "huge"), ("rotary_pct", "nan"),
                  ("layer_norm_eps", "negative"), ("num_hidden_layers", "zero"), ("hidden_size", "string"),
                  ("vocab_size", "digits4301"), ("intermediate_size", "deep"), ("max_position_embeddings", "zero"),
                  ("layer_norm_eps", "nan"), ("num_attention_heads", "float"), ("hidden_size", "list")}


def checkpoint_cases() -> list[CheckpointCase]:
    C = CheckpointCase
    cases = [
        # safetensors header
        C("st-header-length-0", "safetensors", set_length(0), tags={"pytest"}),
        C("st-header-length-2^63", "safetensors", set_length(2 ** 63 - 1)),
        C("st-header-length-past-file", "safetensors", lambda f: set_length(st_path(f).stat().st_size)(f),
          tags={"pytest"}),
        C("st-header-bad-json", "safetensors", replace_header_text('{"a": [1, 2,, }')),
        C("st-header-not-utf8", "safetensors", replace_header_text(b"\xff\xfe{}")),
        C("st-header-array", "safetensors", replace_header_text("[1, 2, 3]"), tags={"pytest"}),
        C("st-header-number", "safetensors", replace_header_text("42")),
        C("st-header-deep-nesting", "safetensors", replace_header_text(deep(200_000)), tags={"pytest"}),
        C("st-header-huge-number", "safetensors", replace_header_text('{"x": ' + BIG_DIGITS + "}")),
        C("st-entry-not-object", "safetensors", edit_header(lambda h: h.__setitem__(biggest(h), "oops"))),
        C("st-offset-past-end", "safetensors",
          edit_header(lambda h: h[biggest(h)].__setitem__("data_offsets", [0, 2 ** 40])), tags={"pytest"}),
        C("st-offset-negative", "safetensors",
          edit_header(lambda h: h[biggest(h)].__setitem__("data_offsets", [-64, 16]))),
        C("st-offset-reversed", "safetensors",
          edit_header(lambda h: h[biggest(h)].__setitem__("data_offsets", h[biggest(h)]["data_offsets"][::-1]))),
        C("st-offset-strings", "safetensors",
          edit_header(lambda h: h[biggest(h)].__setitem__("data_offsets", ["0", "8"]))),
        C("st-offset-overlap", "safetensors", edit_header(_overlap), tags={"pytest"}),
        C("st-dtype-lie", "safetensors", edit_header(lambda h: h[biggest(h)].__setitem__("dtype", "F16")),
          tags={"pytest"}),
        C("st-dtype-unknown", "safetensors", edit_header(lambda h: h[biggest(h)].__setitem__("dtype", "Q7_K"))),
        C("st-dtype-int", "safetensors", edit_header(_int_dtype)),
        C("st-shape-lie", "safetensors", edit_header(lambda h: h[biggest(h)].__setitem__(
            "shape", [d * 2 for d in h[biggest(h)]["shape"]]))),
        C("st-shape-negative", "safetensors", edit_header(lambda h: h[biggest(h)].__setitem__(
            "shape", [-1, *h[biggest(h)]["shape"][1:]]))),
        C("st-shape-overflow-int64", "safetensors", edit_header(lambda h: h[biggest(h)].__setitem__(
            "shape", [2 ** 40, 2 ** 40, 2 ** 40])), tags={"pytest"}),
        C("st-shape-strings", "safetensors", edit_header(lambda h: h[biggest(h)].__setitem__("shape", ["a"]))),
        C("st-nan-weights", "weights", fill_values(float("nan")), tags={"pytest"}),
        C("st-inf-weights", "weights", fill_values(float("inf"))),
        C("st-empty-file", "safetensors", write_file("model.safetensors", b"")),
        C("st-random-bytes", "safetensors", write_file("model.safetensors", seeded_bytes(4096, 1))),
        C("st-fifo", "files", make_fifo, tags={"pytest"}),
        C("st-symlink-dev-zero", "files", symlink("model.safetensors", "/dev/zero"), tags={"pytest"}),
        C("st-symlink-dev-urandom", "files", symlink("model.safetensors", "/dev/urandom")),
        C("st-symlink-dangling", "files", symlink("model.safetensors", "/nonexistent/model.safetensors"),
          tags={"pytest"}),
        C("st-symlink-hf-cache-layout", "files", symlink_outside_copy("model.safetensors"), expect="either",
          tags={"pytest"}),
        C("st-directory", "files", lambda f: (st_path(f).unlink(), st_path(f).mkdir())),
        C("st-unreadable", "files", lambda f: os.chmod(st_path(f), 0), expect="error" if os.geteuid() else "either"),
        # shards and index
        C("index-missing-shard", "index", shard(drop="model-00002-of-00002.safetensors")),
        C("index-weight-map-list", "index", shard(lambda i, f: i.__setitem__("weight_map", list(i["weight_map"])))),
        C("index-weight-map-int-values", "index",
          shard(lambda i, f: i.__setitem__("weight_map", {k: 7 for k in i["weight_map"]})), tags={"pytest"}),
        C("index-weight-map-null-values", "index",
          shard(lambda i, f: i.__setitem__("weight_map", {k: None for k in i["weight_map"]}))),
        C("index-absolute-path", "index", shard(index_path_outside("/etc/passwd")), tags={"pytest"}),
        C("index-dotdot-path", "index", shard(index_path_outside("parent")), tags={"pytest"}),
        C("index-dev-zero", "index", shard(index_path_outside("/dev/zero"))),
        C("index-not-object", "index", both(shard(), write_file("model.safetensors.index.json", "[]"))),
        C("index-deep", "index", both(shard(), write_file("model.safetensors.index.json",
                                                        '{"weight_map": ' + deep(100_000) + "}"))),
        # config.json as a whole
        C("config-list", "config", write_file("config.json", "[]")),
        C("config-deep", "config", write_file("config.json", deep(100_000)), tags={"pytest"}),
        C("config-not-utf8", "config", write_file("config.json", b'{"a": "\xff\xfe"}')),
        C("config-architectures-string", "config", edit_config(architectures="GPTNeoXForCausalLM")),
        C("config-architectures-ints", "config", edit_config(architectures=[1, 2]), tags={"pytest"}),
        C("config-architectures-empty", "config", edit_config(architectures=[], model_type=["x"])),
        # tokenizer
        C("spiece-missing", "tokenizer", remove("spiece.model")),
        C("spiece-empty", "tokenizer", write_file("spiece.model", b""), tags={"pytest"}),
        C("spiece-corrupt", "tokenizer", write_file("spiece.model", seeded_bytes(20000, 2)), tags={"pytest"}),
        C("spiece-truncated", "tokenizer", lambda f: (f / "spiece.model").write_bytes(
            (f / "spiece.model").read_bytes()[:5000])),
        C("spiece-directory", "tokenizer", lambda f: ((f / "spiece.model").unlink(), (f / "spiece.model").mkdir())),
        C("spiece-symlink-dev-urandom", "tokenizer", symlink("spiece.model", "/dev/urandom"), tags={"pytest"}),
        C("spiece-larger-than-embedding", "tokenizer", sp_edit(grow_vocab), tags={"pytest"}),
        C("spiece-no-pieces", "tokenizer", sp_edit(lambda m: m.ClearField("pieces"))),
        C("spiece-no-byte-pieces", "tokenizer", sp_edit(drop_byte_pieces), expect="either", tags={"pytest"}),
        C("spiece-no-byte-pieces-skip-parity", "tokenizer", sp_edit(drop_byte_pieces), expect="either",
          args=("--skip-parity",), tags={"pytest"}),
        C("spiece-no-byte-pieces-q4_k_m", "tokenizer", sp_edit(drop_byte_pieces), expect="either",
          args=("--type", "q4_k_m")),
        C("dolly-no-byte-pieces", "tokenizer", sp_edit(drop_byte_pieces), base="gpt2", expect="either",
          tags={"pytest"}),
        C("spiece-unk-id-out-of-range", "tokenizer", sp_edit(lambda m: setattr(m.trainer_spec, "unk_id", 5000)),
          expect="either"),
        C("added-tokens-wrong-types", "tokenizer", write_file("added_tokens.json", '{"<x>": "abc", "<y>": [1]}'),
          tags={"pytest"}, expect="either"),
        C("added-tokens-list", "tokenizer", write_file("added_tokens.json", "[1, 2]")),
        C("added-tokens-id-huge", "tokenizer", write_file("added_tokens.json", '{"<x>": 1000000000}')),
        C("added-tokens-id-negative", "tokenizer", write_file("added_tokens.json", '{"<x>": -1}')),
        C("added-tokens-digits4301", "tokenizer", write_file("added_tokens.json", '{"<x>": ' + BIG_DIGITS + "}")),
        C("tokenizer-config-wrong-types", "tokenizer", write_file("tokenizer_config.json", json.dumps(
            {"bos_token": 5, "eos_token": ["</s>"], "additional_special_tokens": "x", "model_max_length": "big"})),
          tags={"pytest"}, expect="either"),
        C("tokenizer-config-list", "tokenizer", write_file("tokenizer_config.json", "[]")),
        C("tokenizer-config-eos-object-bad", "tokenizer", write_file("tokenizer_config.json", json.dumps(
            {"eos_token": {"content": 7, "lstrip": "yes"}})), expect="either"),
        C("special-tokens-map-wrong-types", "tokenizer", write_file("special_tokens_map.json", json.dumps(
            {"eos_token": {"content": None}, "unk_token": 3, "additional_special_tokens": [1, None]})),
          tags={"pytest"}, expect="either"),
        C("special-tokens-map-deep", "tokenizer", write_file("special_tokens_map.json",
                                                            '{"eos_token": ' + deep(100_000) + "}")),
        C("generation-config-wrong-types", "config", write_file("generation_config.json", json.dumps(
            {"temperature": "hot", "top_p": [1], "max_new_tokens": -5, "eos_token_id": "x"})), expect="either"),
        # outputs
        C("output-name-300-chars", "output", lambda f: None, output="x" * 300 + ".gguf", tags={"pytest"}),
        C("output-is-input-weights", "output", lambda f: None, output="{src}/model.safetensors", tags={"pytest"}),
        C("output-is-input-config", "output", lambda f: None, output="{src}/config.json"),
        C("output-is-input-folder", "output", lambda f: None, output="{src}"),
        C("output-in-missing-folder", "output", lambda f: None, output="no/such/folder/out.gguf"),
        C("output-is-a-device", "output", char_device("full", 1, 7), output="{src}/full",
          expect="error" if os.geteuid() == 0 else "either", tags={"pytest"}),
        C("output-unknown-type", "output", lambda f: None, args=("--type", "q9_z")),
    ]
    for key in CONFIG_KEYS:
        for vname, value in CONFIG_VALUES.items():
            tags = {"pytest"} if (key, vname) in _PYTEST_CONFIG else set()
            # vocab_size can be read from the embedding, and a null may mean "the default": a converter
            # may accept those as long as the file it writes then works.
            lenient = (key, vname) in _ACCEPTABLE or vname == "null" or (
                key == "vocab_size" and vname not in ("digits4301", "deep"))
            edit = edit_config(**{key: value})
            if key == "rotary_pct":  # the 2023 spelling: only rotary_pct says how much of a head rotates
                edit = both(remove_keys("rope_parameters", "partial_rotary_factor", "rope_scaling"), edit)
            cases.append(C(f"config-{key}-{vname}", "config", edit, expect="either" if lenient else "error",
                           tags=tags))
    for vname in ("zero", "negative", "huge", "nan", "string", "null"):
        value = CONFIG_VALUES[vname]
        cases.append(C(f"config-rope_parameters-partial_rotary_factor-{vname}", "config",
                       edit_nested("rope_parameters", partial_rotary_factor=value),
                       expect="either" if vname in ("zero", "null") else "error",
                       tags={"pytest"} if vname == "huge" else set()))
    cases.append(C("config-rope_parameters-not-object", "config", edit_config(rope_parameters=[1, 2])))
    cases.append(C("config-rope_theta-nan", "config", both(edit_nested("rope_parameters", rope_theta=Raw("NaN")),
                                                           edit_config(rope_theta=Raw("NaN")))))
    for key, value, tag in [("n_head", 0, True), ("n_layer", 0, False), ("n_embd", "x", False),
                            ("layer_norm_epsilon", Raw("NaN"), True), ("n_positions", -1, False),
                            ("n_inner", Raw(BIG_DIGITS), False)]:
        cases.append(C(f"gpt2-config-{key}-{value if len(str(value)) < 10 else 'digits'}", "config",
                       edit_config(**{key: value}), base="gpt2", tags={"pytest"} if tag else set()))
    return cases


def _overlap(h: dict) -> None:
    names = sorted(tensor_names(h), key=lambda k: h[k]["data_offsets"][0])
    big = biggest(h)
    a, b = h[big]["data_offsets"]
    # a second tensor of the same size now points into the same bytes
    for k in names:
        if k != big and h[k]["shape"] == h[big]["shape"]:
            h[k]["data_offsets"] = [a, b]
            return
    first = names[0]
    size = h[first]["data_offsets"][1] - h[first]["data_offsets"][0]
    h[first]["data_offsets"] = [a, a + size]


def _int_dtype(h: dict) -> None:
    h[biggest(h)]["dtype"] = "I32"


def selected(cases, tag: str | None):
    return [c for c in cases if tag is None or tag in c.tags]
