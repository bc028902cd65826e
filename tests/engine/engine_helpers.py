"""Helpers shared by the engine tests (imported by them and by conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# The rinna-like model's end-of-sequence token (the tiny tokenizers put </s> at id 3).
EOS_ID = 3


def rewrite_gguf(src: Path, dst: Path, set_kv: dict | None = None, remove_prefixes: tuple[str, ...] = (),
                 drop_tensors: tuple[str, ...] = ()) -> Path:
    """Copy a GGUF with metadata keys added/replaced/removed and tensors left out."""
    import gguf

    reader = gguf.GGUFReader(str(src), "r")
    arch = reader.get_field("general.architecture").contents()
    writer = gguf.GGUFWriter(str(dst), arch)
    set_kv = dict(set_kv or {})
    for field in reader.fields.values():
        name = field.name
        if name == "general.architecture" or name.startswith("GGUF.") or name in set_kv:
            continue
        if any(name.startswith(p) for p in remove_prefixes):
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, field.contents(), vtype, sub_type=sub)
    for name, value in set_kv.items():
        if isinstance(value, bool):
            writer.add_bool(name, value)
        elif isinstance(value, str):
            writer.add_string(name, value)
        elif isinstance(value, list) and value and isinstance(value[0], str):
            writer.add_array(name, value)
        elif isinstance(value, list):
            writer.add_key_value(name, value, gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.INT32)
        else:
            writer.add_uint32(name, value)
    tensors = [t for t in reader.tensors if t.name not in drop_tensors]
    for t in tensors:
        writer.add_tensor_info(t.name, t.data.shape, t.data.dtype, t.data.nbytes, t.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for t in tensors:
        writer.write_tensor_data(t.data, tensor_endianess=reader.endianess)
    writer.close()
    return dst


def hanashi_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_hanashi(*args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    """``hanashi ARGS`` as a subprocess with ``stdin`` piped in (not a terminal)."""
    return subprocess.run([PYTHON, "-m", "app", *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, env=hanashi_env(), timeout=timeout)
