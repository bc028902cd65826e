"""Edits of a Hugging Face folder for hostile cases: safetensors headers and data, shards and index,
config.json values (written verbatim: NaN, 4301-digit numbers, deep nesting), tokenizer files."""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
from pathlib import Path
from typing import Callable

# ------------------------------------------------------------------ safetensors helpers

def read_safetensors(path: Path) -> tuple[dict, bytes]:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def write_safetensors(path: Path, header_text: str | bytes, data: bytes, length: int | None = None) -> None:
    body = header_text.encode() if isinstance(header_text, str) else header_text
    body += b" " * (-len(body) % 8)
    path.write_bytes(struct.pack("<Q", len(body) if length is None else length) + body + data)


def st_path(folder: Path) -> Path:
    return folder / "model.safetensors"


def edit_header(fn: Callable[[dict], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        header, data = read_safetensors(st_path(folder))
        fn(header)
        write_safetensors(st_path(folder), json.dumps(header), data)
    return edit


def tensor_names(header: dict) -> list[str]:
    return sorted(k for k in header if k != "__metadata__")


def biggest(header: dict) -> str:
    return max(tensor_names(header), key=lambda k: header[k]["data_offsets"][1] - header[k]["data_offsets"][0])


def set_length(n: int) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        raw = bytearray(st_path(folder).read_bytes())
        raw[:8] = struct.pack("<Q", n)
        st_path(folder).write_bytes(bytes(raw))
    return edit


def replace_header_text(text: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        _header, data = read_safetensors(st_path(folder))
        write_safetensors(st_path(folder), text, data)
    return edit


def fill_values(value: float, dtype=None) -> Callable[[Path], None]:
    """Every element of the largest tensor set to ``value`` (NaN, Inf)."""
    import numpy as np

    def edit(folder: Path) -> None:
        header, data = read_safetensors(st_path(folder))
        name = biggest(header)
        a, b = header[name]["data_offsets"]
        buf = bytearray(data)
        n = (b - a) // 4
        buf[a:b] = np.full(n, value, dtype=np.float32).tobytes()
        write_safetensors(st_path(folder), json.dumps(header), bytes(buf))
    return edit


def make_fifo(folder: Path) -> None:
    st_path(folder).unlink()
    os.mkfifo(st_path(folder))


def symlink(name: str, target: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(target)
    return edit


def symlink_outside_copy(name: str) -> Callable[[Path], None]:
    """``name`` moved to a blob folder beside the model and linked back (the Hugging Face cache layout)."""
    def edit(folder: Path) -> None:
        blobs = folder.parent / (folder.name + "-blobs")
        blobs.mkdir(exist_ok=True)
        blob = blobs / ("blob-" + name)
        shutil.move(str(folder / name), blob)
        (folder / name).symlink_to(os.path.relpath(blob, folder))
    return edit


def shard(index_edit: Callable[[dict, Path], None] | None = None, drop: str | None = None) -> Callable[[Path], None]:
    """Split into two shards with an index; then ``index_edit(index, folder)``; optionally delete a shard."""
    def edit(folder: Path) -> None:
        header, data = read_safetensors(st_path(folder))
        names = tensor_names(header)
        half = len(names) // 2
        shards = {"model-00001-of-00002.safetensors": names[:half],
                  "model-00002-of-00002.safetensors": names[half:]}
        for fname, keys in shards.items():
            new, chunks, pos = {}, [], 0
            for k in keys:
                a, b = header[k]["data_offsets"]
                new[k] = dict(header[k], data_offsets=[pos, pos + b - a])
                chunks.append(data[a:b])
                pos += b - a
            write_safetensors(folder / fname, json.dumps(new), b"".join(chunks))
        st_path(folder).unlink()
        index = {"metadata": {}, "weight_map": {k: f for f, ks in shards.items() for k in ks}}
        if index_edit:
            index_edit(index, folder)
        (folder / "model.safetensors.index.json").write_text(json.dumps(index))
        if drop:
            (folder / drop).unlink()
    return edit


def index_path_outside(target: str):
    def edit(index: dict, folder: Path) -> None:
        first = next(iter(index["weight_map"]))
        moved = index["weight_map"][first]
        if target == "parent":
            outside = folder.parent / (folder.name + "-outside.safetensors")
            shutil.copy(folder / moved, outside)
            path = "../" + outside.name
        else:
            path = target
        for k, v in list(index["weight_map"].items()):
            if v == moved:
                index["weight_map"][k] = path
    return edit


# ------------------------------------------------------------------ config, tokenizer helpers

def edit_config(**changes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        cfg = json.loads((folder / "config.json").read_text())
        for k, v in changes.items():
            cfg[k] = v
        (folder / "config.json").write_text(_dumps(cfg))
    return edit


class Raw(str):
    """A JSON fragment written as is (NaN, huge numbers)."""


def _dumps(obj) -> str:
    """json.dumps, with Raw values written verbatim."""
    marks = {}

    def sub(o):
        if isinstance(o, Raw):
            key = f"@@raw{len(marks)}@@"
            marks[key] = str(o)
            return key
        if isinstance(o, dict):
            return {k: sub(v) for k, v in o.items()}
        if isinstance(o, list):
            return [sub(v) for v in o]
        return o

    text = json.dumps(sub(obj), ensure_ascii=False)
    for key, raw in marks.items():
        text = text.replace(f'"{key}"', raw)
    return text


def char_device(name: str, major: int, minor: int) -> Callable[[Path], None]:
    """A character device node inside the folder (root only; e.g. 1,7 is a disk that is always full)."""
    def edit(folder: Path) -> None:
        if os.geteuid() == 0:
            os.mknod(folder / name, 0o666 | __import__("stat").S_IFCHR, os.makedev(major, minor))
    return edit


def remove_keys(*keys: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        cfg = json.loads((folder / "config.json").read_text())
        for k in keys:
            cfg.pop(k, None)
        (folder / "config.json").write_text(json.dumps(cfg))
    return edit


def edit_nested(section: str, **changes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        cfg = json.loads((folder / "config.json").read_text())
        sub = cfg.setdefault(section, {})
        sub.update(changes)
        (folder / "config.json").write_text(_dumps(cfg))
    return edit


def write_file(name: str, content: str | bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        p = folder / name
        p.unlink(missing_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
    return edit


def remove(*names: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        for n in names:
            (folder / n).unlink(missing_ok=True)
    return edit


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        for e in edits:
            e(folder)
    return edit


def sp_edit(fn: Callable) -> Callable[[Path], None]:
    """Edit spiece.model's protobuf: ``fn(model_proto)``."""
    def edit(folder: Path) -> None:
        from sentencepiece import sentencepiece_model_pb2 as pb

        m = pb.ModelProto()
        m.ParseFromString((folder / "spiece.model").read_bytes())
        fn(m)
        (folder / "spiece.model").write_bytes(m.SerializeToString())
    return edit


def drop_byte_pieces(m) -> None:
    """No byte-fallback pieces: each <0xXX> piece becomes an ordinary (never used) piece, so the
    vocabulary keeps its size and matches the embedding."""
    m.trainer_spec.byte_fallback = False
    for i, p in enumerate(m.pieces):
        if p.type == 6:  # BYTE
            p.piece = f"▁unused{i}"
            p.type = 1  # NORMAL
            p.score = -1e9


def grow_vocab(m) -> None:
    for i in range(64):
        p = m.pieces.add()
        p.piece = f"extra{i}"
        p.score = -1e9


def deep(n: int) -> str:
    return "[" * n + "]" * n


def seeded_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)
