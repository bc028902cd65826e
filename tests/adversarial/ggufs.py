"""Hostile GGUF files, each made from a good converted tiny model by one deterministic edit.

The edits themselves (rewrite, patch, truncate, flip) are in gguf_edit.py.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .gguf_edit import (arr, data_start, duplicate_token, empty_token, f32, flip, i32, kv_region, no_byte_tokens,
                        no_escape, part_offset, patch, r_off, rename_tensor, rw, s, says, set_u32, set_u64,
                        tensor_offset_pos, tensor_type_pos, tokens_edit, truncate_at, u32)
from .templates import hostile_templates


@dataclass
class GGUFCase:
    name: str
    category: str
    make: Callable[[Path, Path], None]  # make(good_gguf, destination)
    base: str = "neox"
    # Whether a model that loads may be accepted: "either" (error or working chat) or "error".
    expect: str = "either"
    # For exit-0 results: a check of the chat's output, returning why it is wrong (or None).
    sane: Callable[[str, str], str | None] | None = None
    tags: set = field(default_factory=set)
    chat_args: tuple[str, ...] = ()
    chat_input: str | None = None


# ------------------------------------------------------------------ the cases

NEOX = "gptneox"


def gguf_cases() -> list[GGUFCase]:
    G = GGUFCase
    K = lambda k: f"{NEOX}.{k}"  # noqa: E731
    cases: list[GGUFCase] = []
    # Truncation: header, metadata, each big array, tensor table, data.
    points = {
        "1": lambda r, n: 1, "magic": lambda r, n: 4, "version": lambda r, n: 6, "counts": lambda r, n: 20,
        "first-key": lambda r, n: 30,
        "tokens": lambda r, n: r.fields["tokenizer.ggml.tokens"].offset + 500,
        "scores": lambda r, n: r.fields["tokenizer.ggml.scores"].offset + 101,
        "sp-model": lambda r, n: r.fields["hanashi.tokenizer.sp_model"].offset + 4000,
        "last-key": lambda r, n: r.fields["general.quantization_version"].offset + 3,
        "tensor-table": lambda r, n: r.tensors[0].field.offset + 10,
        "tensor-table-end": lambda r, n: r.tensors[-1].field.offset + 20,
        "data-start": lambda r, n: data_start(r),
        "data+1": lambda r, n: data_start(r) + 1,
        "half": lambda r, n: n // 2, "last-byte": lambda r, n: n - 1,
    }
    pytest_points = {"counts", "tokens", "sp-model", "tensor-table", "data-start", "half", "last-byte"}
    for label, where in points.items():
        cases.append(G(f"truncated-{label}", "truncation", truncate_at(where), expect="error",
                       tags={"pytest"} if label in pytest_points else set()))
    for i in range(30):
        cases.append(G(f"truncated-random-{i}", "truncation",
                       truncate_at(lambda r, n, i=i: random.Random(100 + i).randrange(8, n - 1)), expect="error"))
    # Byte flips.
    for i, o in enumerate((4, 5, 8, 12, 16, 20, 24, 27)):
        cases.append(G(f"flip-header-{o}", "flips", patch(flip(lambda r, n, o=o: [o])), expect="error",
                       tags={"pytest"} if i in (0, 2, 4, 6) else set()))
    for i in range(24):
        def offsets(r, n, i=i):
            a, b = kv_region(r)
            return [random.Random(200 + i).randrange(a, b)]
        cases.append(G(f"flip-metadata-{i}", "flips", patch(flip(offsets)),
                       tags={"pytest"} if i < 6 else set()))
    # Hostile counts and lengths.
    cases += [
        G("n-kv-2^63", "counts", patch(set_u64(lambda r: 16, 2 ** 63)), expect="error", tags={"pytest"}),
        G("n-tensors-2^63", "counts", patch(set_u64(lambda r: 8, 2 ** 63)), expect="error", tags={"pytest"}),
        G("n-kv-plus-1", "counts", patch(set_u64(lambda r: 16, lambda r: len(r.fields) - 3 + 1)), expect="error"),
        G("n-tensors-0", "counts", patch(set_u64(lambda r: 8, 0)), expect="error"),
        G("version-0", "counts", patch(set_u32(lambda r: 4, 0)), expect="error"),
        G("version-99", "counts", patch(set_u32(lambda r: 4, 99)), expect="error"),
        G("key-length-2^40", "counts", patch(set_u64(lambda r: 24, 2 ** 40)), expect="error", tags={"pytest"}),
        G("string-length-2^40", "counts",
          patch(set_u64(lambda r: part_offset(r, "general.name", 3), 2 ** 40)), expect="error", tags={"pytest"}),
        G("array-count-2^62", "counts",
          patch(set_u64(lambda r: part_offset(r, "tokenizer.ggml.tokens", 4), 2 ** 62)), expect="error",
          tags={"pytest"}),
        G("array-count-2^62-scores", "counts",
          patch(set_u64(lambda r: part_offset(r, "tokenizer.ggml.scores", 4), 2 ** 62)), expect="error"),
        G("value-type-99", "counts",
          patch(set_u32(lambda r: part_offset(r, "general.name", 2), 99)), expect="error"),
        G("alignment-0", "counts", rw(set_kv={"general.alignment": u32(0)}), expect="error"),
        G("alignment-3", "counts", rw(set_kv={"general.alignment": u32(3)}), expect="error"),
        G("n-dims-99", "counts",
          patch(set_u32(lambda r: r.tensors[0].field.offset + 8 + len(r.tensors[0].name), 99)), expect="error"),
    ]
    # Wrong value types.
    cases += [
        G("file-type-array", "types", rw(set_kv={"general.file_type": arr([1, 2], "INT32")}), tags={"pytest"}),
        G("block-count-string", "types", rw(set_kv={K("block_count"): s("2")}), expect="error", tags={"pytest"}),
        G("context-length-string", "types", rw(set_kv={K("context_length"): s("2048")})),
        G("head-count-float", "types", rw(set_kv={K("attention.head_count"): f32(4.0)}), expect="error"),
        G("embedding-length-array", "types", rw(set_kv={K("embedding_length"): arr([256], "INT32")}),
          expect="error"),
        G("eps-string", "types", rw(set_kv={K("attention.layer_norm_epsilon"): s("tiny")}), expect="error"),
        G("name-array", "types", rw(set_kv={"general.name": arr([1, 2, 3], "INT32")})),
        G("bos-id-string", "types", rw(set_kv={"tokenizer.ggml.bos_token_id": s("2")})),
        G("tokens-not-strings", "types", rw(set_kv={"tokenizer.ggml.tokens": arr(range(1000), "INT32")}),
          expect="error"),
        G("scores-strings", "types", rw(set_kv={"tokenizer.ggml.scores": arr(["x"] * 1000, "STRING")})),
        G("chat-template-int", "types", rw(set_kv={"tokenizer.chat_template": i32(7)}, remove=("hanashi.",))),
        G("family-int", "types", rw(set_kv={"hanashi.family": i32(3)}), tags={"pytest"}),
        G("context-limit-string", "types", rw(set_kv={"hanashi.context_limit": s("many")})),
        G("parity-total-string", "types", rw(set_kv={"hanashi.parity.tokenizer.total": s("x")}), tags={"pytest"}),
        G("parity-matched-string", "types", rw(set_kv={"hanashi.parity.tokenizer.matched": s("x")})),
        G("parity-total-0-matched-5", "types", rw(set_kv={"hanashi.parity.tokenizer.total": i32(-5)})),
        G("runtime-tokenizer-int", "types", rw(set_kv={"hanashi.tokenizer.runtime": i32(1)})),
        G("sp-model-string", "types", rw(set_kv={"hanashi.tokenizer.sp_model": s("not a model"),
                                                 "hanashi.tokenizer.runtime": s("sentencepiece")})),
        G("general-name-1mb", "types", rw(set_kv={"general.name": s("名" * 300_000 + "\n\x00\x1b[2J")})),
    ]
    # Out-of-range values.
    cases += [
        G("block-count-0", "range", rw(set_kv={K("block_count"): u32(0)}), expect="error", tags={"pytest"}),
        G("block-count-huge", "range", rw(set_kv={K("block_count"): u32(2 ** 31)}), expect="error"),
        G("rope-dim-0", "range", rw(set_kv={K("rope.dimension_count"): u32(0)}), expect="error", tags={"pytest"}),
        G("rope-dim-over-head", "range", rw(set_kv={K("rope.dimension_count"): u32(128)}), expect="error",
          tags={"pytest"}),
        G("rope-dim-odd", "range", rw(set_kv={K("rope.dimension_count"): u32(63)}), expect="error"),
        G("rope-freq-base-nan", "range", rw(set_kv={K("rope.freq_base"): f32(float("nan"))}), expect="error"),
        G("rope-freq-base-0", "range", rw(set_kv={K("rope.freq_base"): f32(0.0)}), expect="error"),
        G("eps-nan", "range", rw(set_kv={K("attention.layer_norm_epsilon"): f32(float("nan"))}), expect="error",
          tags={"pytest"}),
        G("eps-negative", "range", rw(set_kv={K("attention.layer_norm_epsilon"): f32(-1.0)}), expect="error"),
        G("eps-inf", "range", rw(set_kv={K("attention.layer_norm_epsilon"): f32(float("inf"))}), expect="error"),
        G("context-length-0", "range", rw(set_kv={K("context_length"): u32(0)}), tags={"pytest"}),
        G("context-length-2^32-1", "range", rw(set_kv={K("context_length"): u32(2 ** 32 - 1)})),
        G("context-limit-1", "range", rw(set_kv={"hanashi.context_limit": u32(1)}), tags={"pytest"}),
        G("context-limit-negative", "range", rw(set_kv={"hanashi.context_limit": i32(-100)})),
        G("reply-budget-huge", "range", rw(set_kv={"hanashi.reply_budget": u32(2 ** 32 - 1)})),
        G("reply-budget-negative", "range", rw(set_kv={"hanashi.reply_budget": i32(-1)})),
        G("embedding-length-0", "range", rw(set_kv={K("embedding_length"): u32(0)}), expect="error"),
        G("head-count-0", "range", rw(set_kv={K("attention.head_count"): u32(0)}), expect="error",
          tags={"pytest"}),
        G("head-count-not-divisor", "range", rw(set_kv={K("attention.head_count"): u32(3)}), expect="error"),
        G("head-count-kv-0", "range", rw(set_kv={K("attention.head_count_kv"): u32(0)}), expect="error"),
        G("ffn-length-0", "range", rw(set_kv={K("feed_forward_length"): u32(0)}), expect="error"),
        G("bos-id-out-of-range", "range", rw(set_kv={"tokenizer.ggml.bos_token_id": u32(10 ** 6)})),
        G("eos-id-out-of-range", "range", rw(set_kv={"tokenizer.ggml.eos_token_id": u32(2 ** 32 - 1)}),
          tags={"pytest"}),
        G("unk-id-out-of-range", "range", rw(set_kv={"tokenizer.ggml.unknown_token_id": u32(5000)})),
        G("file-type-999", "range", rw(set_kv={"general.file_type": u32(999)})),
    ]
    # The vocabulary.
    cases += [
        G("tokens-duplicate", "vocab", tokens_edit(duplicate_token), tags={"pytest"}),
        G("tokens-empty-string", "vocab", tokens_edit(empty_token), tags={"pytest"}),
        G("tokens-missing", "vocab",
          rw(set_kv={"tokenizer.ggml.tokens": None}), expect="error"),
        G("tokens-short", "vocab", tokens_edit(lambda t, ty: (t.__delitem__(slice(900, None)),
                                                              ty.__delitem__(slice(900, None))))),
        G("tokenizer-model-bert", "vocab", rw(set_kv={"tokenizer.ggml.model": s("bert")}), tags={"pytest"}),
        G("tokenizer-model-gpt2-no-merges", "vocab", rw(set_kv={"tokenizer.ggml.model": s("gpt2")})),
        G("tokenizer-model-t5", "vocab", rw(set_kv={"tokenizer.ggml.model": s("t5")})),
        G("tokenizer-model-unknown", "vocab", rw(set_kv={"tokenizer.ggml.model": s("evil")})),
        G("tokenizer-model-none-pre-evil", "vocab", rw(set_kv={"tokenizer.ggml.pre": s("evil")})),
        G("llama-without-byte-tokens", "vocab", tokens_edit(no_byte_tokens), tags={"pytest"},
          chat_input="改行\n😀 絵文字\n\x01\x7f\n"),
        G("llama-without-byte-tokens-plain", "vocab", tokens_edit(no_byte_tokens, remove=("hanashi.",)),
          tags={"pytest"}, chat_input="改行\n😀 絵文字\n"),
        G("token-types-invalid", "vocab",
          tokens_edit(lambda t, ty: ty.__setitem__(slice(0, None), [99] * len(ty)))),
        G("token-types-all-control", "vocab",
          tokens_edit(lambda t, ty: ty.__setitem__(slice(0, None), [3] * len(ty)))),
        G("sp-model-corrupt", "vocab", rw(set_kv={
            "hanashi.tokenizer.sp_model": arr(random.Random(3).randbytes(5000), "UINT8"),
            "hanashi.tokenizer.runtime": s("sentencepiece")}), tags={"pytest"}),
        G("sp-model-empty", "vocab", rw(set_kv={"hanashi.tokenizer.sp_model": arr(b"\x00", "UINT8"),
                                                "hanashi.tokenizer.runtime": s("sentencepiece")})),
    ]
    # Tensors.
    cases += [
        G("tensor-offset-huge", "tensors", patch(set_u64(lambda r: tensor_offset_pos(r, 0), 2 ** 40)),
          expect="error", tags={"pytest"}),
        G("tensor-offset-misaligned", "tensors", patch(set_u64(lambda r: tensor_offset_pos(r, 1),
                                                               lambda r: r_off(r, 1) + 1)), expect="error"),
        G("tensor-offsets-overlap", "tensors", patch(set_u64(lambda r: tensor_offset_pos(r, 2), 0)),
          expect="either", tags={"pytest"}),
        G("tensor-type-99", "tensors", patch(set_u32(lambda r: tensor_type_pos(r, 0), 99)), expect="error",
          tags={"pytest"}),
        G("tensor-missing", "tensors", rw(tensors=lambda ts: [t for t in ts if t[0] != "blk.1.ffn_up.weight"]),
          expect="error", tags={"pytest"}),
        G("tensor-output-missing", "tensors", rw(tensors=lambda ts: [t for t in ts if t[0] != "output.weight"]),
          expect="error"),
        G("tensor-shape-wrong", "tensors", rw(tensors=lambda ts: [
            [n, d.reshape(d.shape[::-1]) if n == "blk.0.ffn_up.weight" else d, ty] for n, d, ty in ts]),
          expect="error", tags={"pytest"}),
        G("tensor-nan", "tensors", rw(tensors=lambda ts: [
            [n, np.full_like(d, np.nan) if n == "output.weight" else d, ty] for n, d, ty in ts]),
          sane=says("nan", "damaged", "invalid"), tags={"pytest"}),
        G("tensor-duplicate-name", "tensors", patch(rename_tensor("blk.1.ffn_up.bias", "blk.0.ffn_up.bias")),
          expect="error"),
    ]
    # Sampling and chat behaviour in hanashi.* keys.
    sampling = {
        "nan": '{"temperature": NaN}', "infinity": '{"temperature": Infinity}', "negative": '{"temperature": -1}',
        "not-object": "[1, 2]", "string": '"hot"', "not-json": "{temperature", "top-k-negative": '{"top_k": -5}',
        "top-p-2": '{"top_p": 2}', "max-tokens-huge": '{"max_new_tokens": 1e30}',
        "max-tokens-negative": '{"max_new_tokens": -1}', "penalty-0": '{"repetition_penalty": 0}',
        "temperature-string": '{"temperature": "hot"}', "digits4301": '{"top_k": ' + "9" * 4301 + "}",
        "deep": '{"top_k": ' + "[" * 100_000 + "]" * 100_000 + "}",
    }
    for label, text in sampling.items():
        cases.append(G(f"sampling-{label}", "sampling", rw(set_kv={"hanashi.sampling": s(text)}),
                       sane=says("sampling", "temperature", "top_k", "top_p", "max_new_tokens", "penalty"),
                       tags={"pytest"} if label in ("nan", "infinity", "not-object", "digits4301", "deep",
                                                     "max-tokens-negative") else set()))
    cases += [
        G("general-sampling-temp-nan", "sampling", rw(set_kv={"general.sampling.temp": f32(float("nan"))},
                                                      remove=("hanashi.",))),
        G("stop-strings-ints", "sampling", rw(set_kv={"hanashi.stop_strings": arr([1, 2], "INT32")}),
          tags={"pytest"}),
        G("stop-strings-empty-string", "sampling", rw(set_kv={"hanashi.stop_strings": arr([""], "STRING")}),
          sane=says("stop")),
        G("stop-strings-10mb", "sampling", rw(set_kv={"hanashi.stop_strings": arr(["x" * 10_000_000], "STRING")})),
        G("strip-pieces-ints", "sampling", rw(set_kv={"hanashi.strip_pieces": arr([1], "INT32")})),
        G("newline-int", "sampling", rw(set_kv={"hanashi.newline": i32(10)})),
        G("banned-every-token", "sampling", rw(set_kv={"hanashi.banned_token_ids": arr(range(1000), "INT32")}),
          sane=says("banned", "every token"), tags={"pytest"}),
        G("banned-out-of-range", "sampling",
          rw(set_kv={"hanashi.banned_token_ids": arr([10 ** 9, -1], "INT64")}), tags={"pytest"}),
        G("banned-strings", "sampling", rw(set_kv={"hanashi.banned_token_ids": arr(["a"], "STRING")})),
        G("family-unknown", "sampling", rw(set_kv={"hanashi.family": s("evil")})),
    ]
    # Chat templates (on a file without Hanashi metadata, so the template is what formats the prompt).
    for label, (template, tag) in hostile_templates().items():
        cases.append(G(f"template-{label}", "template",
                       rw(set_kv={"tokenizer.chat_template": s(template)}, remove=("hanashi.",)),
                       sane=no_escape, tags={"pytest"} if tag else set()))
    # Settings the user may choose (valid files).
    long_prompt = "これは長い文章です。" * 120 + "\n"
    cases += [
        G("ctx-300-long-prompt", "settings", rw(), chat_args=("--ctx", "300"), chat_input=long_prompt,
          tags={"pytest"}),
        G("ctx-300-long-prompt-plain", "settings", rw(remove=("hanashi.",)), chat_args=("--ctx", "300"),
          chat_input=long_prompt),
        G("ctx-1", "settings", rw(), chat_args=("--ctx", "1"), tags={"pytest"}),
        G("ctx-huge", "settings", rw(), chat_args=("--ctx", str(2 ** 40))),
        G("ctx-64-long-prompt", "settings", rw(), chat_args=("--ctx", "64"), chat_input=long_prompt),
        G("temp-nan", "settings", rw(), chat_args=("--temp", "nan"), sane=says("temperature")),
        G("temp-inf", "settings", rw(), chat_args=("--temp", "inf"), sane=says("temperature"), tags={"pytest"}),
        G("max-tokens-negative", "settings", rw(), chat_args=("--max-tokens", "-5")),
        G("threads-negative", "settings", rw(), chat_args=("--threads", "-3")),
        G("seed-huge", "settings", rw(), chat_args=("--seed", str(2 ** 70))),
        G("gpu-layers-huge", "settings", rw(), chat_args=("--gpu-layers", str(10 ** 9))),
    ]
    return cases + special_cases()


def _special(kind: str) -> Callable[[Path, Path], None]:
    """Not a regular file at all: a FIFO (reads never end), a folder, links that go nowhere."""
    import os

    def make(src: Path, dst: Path) -> None:
        if kind == "fifo":
            os.mkfifo(dst)
        elif kind == "directory":
            dst.mkdir()
        elif kind == "symlink-loop":
            dst.symlink_to(dst.name)
        elif kind == "symlink-dangling":
            dst.symlink_to("/nonexistent/model.gguf")
        elif kind == "dev-zero":
            dst.symlink_to("/dev/zero")
        elif kind == "empty":
            dst.write_bytes(b"")
        elif kind == "magic-only":
            dst.write_bytes(b"GGUF")
    return make


SPECIAL_FILES = {"fifo": True, "directory": True, "symlink-loop": True, "symlink-dangling": False,
                 "dev-zero": True, "empty": False, "magic-only": False}


def special_cases() -> list[GGUFCase]:
    return [GGUFCase(f"special-{k}", "files", _special(k), expect="error", tags={"pytest"} if tag else set())
            for k, tag in SPECIAL_FILES.items()]


def selected(cases, tag: str | None):
    return [c for c in cases if tag is None or tag in c.tags]


def build(case: GGUFCase, bases: dict[str, Path], dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.is_dir() and not dst.is_symlink():
        shutil.rmtree(dst)
    elif dst.exists() or dst.is_symlink():
        dst.unlink()
    case.make(bases[case.base], dst)
    return dst
