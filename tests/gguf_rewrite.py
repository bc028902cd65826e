"""Writing hostile GGUFs for the validation tests: a copy of a real file with chosen keys set to
values of any GGUF type, keys removed, tensors dropped or added."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

DEMO = Path(__file__).resolve().parent.parent / "assets" / "models" / "hanashi-demo.gguf"
T = gguf.GGUFValueType


def typed(value, vtype: gguf.GGUFValueType, sub: gguf.GGUFValueType | None = None):
    """A value with an explicit GGUF type, for ``rewrite(set_kv=...)``."""
    return (value, vtype, sub)


def _auto(value):
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], T):
        return value
    if isinstance(value, bool):
        return value, T.BOOL, None
    if isinstance(value, str):
        return value, T.STRING, None
    if isinstance(value, float):
        return value, T.FLOAT32, None
    if isinstance(value, int):
        return value, T.UINT32, None
    if isinstance(value, bytes):
        return value, T.ARRAY, T.UINT8
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value, T.ARRAY, T.STRING
    if isinstance(value, list):
        return value, T.ARRAY, T.INT32
    raise TypeError(value)


def rewrite(dst: Path, set_kv: dict | None = None, drop_keys: tuple[str, ...] = (),
            drop_tensors: tuple[str, ...] = (), add_tensors: dict | None = None, src: Path = DEMO,
            drop_prefixes: tuple[str, ...] = ()) -> Path:
    """A copy of ``src`` with keys set (plain values, or ``typed(...)``), keys removed by name or
    prefix, tensors dropped or added."""
    reader = gguf.GGUFReader(str(src), "r")
    arch = reader.get_field("general.architecture").contents()
    set_kv = dict(set_kv or {})
    if "general.architecture" in set_kv:
        arch = set_kv.pop("general.architecture")
    writer = gguf.GGUFWriter(str(dst), arch)
    for field in reader.fields.values():
        name = field.name
        if name == "general.architecture" or name.startswith("GGUF.") or name in set_kv or name in drop_keys:
            continue
        if any(name.startswith(p) for p in drop_prefixes):
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == T.ARRAY else None
        writer.add_key_value(name, field.contents(), vtype, sub_type=sub)
    for name, value in set_kv.items():
        v, vtype, sub = _auto(value)
        writer.add_key_value(name, v, vtype, sub_type=sub)
    tensors = [(t.name, t.data, t.tensor_type) for t in reader.tensors if t.name not in drop_tensors]
    for name, data in (add_tensors or {}).items():
        tensors.append((name, np.asarray(data, dtype=np.float32), gguf.GGMLQuantizationType.F32))
    for name, data, ttype in tensors:
        writer.add_tensor_info(name, data.shape, data.dtype, data.nbytes, ttype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for _name, data, _ttype in tensors:
        writer.write_tensor_data(data)
    writer.close()
    return dst
