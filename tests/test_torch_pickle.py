"""The safe torch checkpoint reader: real torch.save files read bit for bit, hostile ones refused."""

from __future__ import annotations

import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

from quantize.errors import ConversionError
from quantize.torch_pickle import TorchCheckpoint, read_torch_checkpoint

torch = pytest.importorskip("torch")


def _bits(t) -> np.ndarray:
    """The tensor's raw bits as numpy words, computed by torch itself."""
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(np.uint16)
    return t.numpy()


def _same_bits(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.tobytes() == b.tobytes()


def _rewrite(src, dst, replace: dict | None = None, drop: tuple = ()):
    """Copy a zip archive, replacing or dropping members (by name suffix)."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            if any(info.filename.endswith(s) for s in drop):
                continue
            data = zin.read(info)
            for suffix, new in replace.items():
                if info.filename.endswith(suffix):
                    data = new
            zout.writestr(info.filename, data)


def test_real_state_dict_read_bit_for_bit(tmp_path):
    g = torch.Generator().manual_seed(0)
    base = torch.randn(10, 6, generator=g)
    shared = torch.randn(20, generator=g, dtype=torch.float16)
    sd = OrderedDict([
        ("w.f32", torch.randn(4, 5, generator=g)),
        ("w.f16", torch.randn(3, 7, generator=g).half()),
        ("w.bf16", torch.randn(2, 3, 4, generator=g).bfloat16()),
        ("w.f64", torch.randn(5, generator=g, dtype=torch.float64)),
        ("view.offset", base[3:7]),  # contiguous view starting 18 elements into its storage
        ("shared.a", shared[:8].view(2, 4)),
        ("shared.b", shared[8:]),
        ("scalar", torch.tensor(3.5)),
        ("empty", torch.zeros(0, 4)),
        ("position_ids", torch.arange(12).view(1, 12)),
    ])
    path = tmp_path / "pytorch_model.bin"
    torch.save(sd, path)
    with read_torch_checkpoint(path) as ckpt:
        assert list(ckpt.tensors) == list(sd)
        dtypes = {"w.f32": "F32", "w.f16": "F16", "w.bf16": "BF16", "w.f64": "F64", "position_ids": "I64"}
        for name, t in sd.items():
            rec = ckpt.tensors[name]
            assert rec.name == name
            assert rec.shape == tuple(t.shape)
            assert rec.storage_offset == t.storage_offset()
            if name in dtypes:
                assert rec.dtype == dtypes[name]
            _same_bits(rec.numpy(), _bits(t))
        assert ckpt.tensors["view.offset"].storage_offset == 18
        assert ckpt.tensors["shared.a"].storage_key == ckpt.tensors["shared.b"].storage_key
        assert ckpt.tensors["shared.b"].storage_offset == 8
        assert not ckpt.tensors["w.f32"].numpy().flags.writeable


def test_module_state_dict_with_parameters(tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3)).to(torch.bfloat16)
    path = tmp_path / "model.bin"
    torch.save(model.state_dict(), path)  # OrderedDict with _metadata attribute
    ckpt = TorchCheckpoint(path)
    try:
        for name, t in model.state_dict().items():
            _same_bits(ckpt.tensors[name].numpy(), _bits(t))
    finally:
        ckpt.close()
    # Parameters pickled directly go through _rebuild_parameter.
    p = tmp_path / "params.bin"
    torch.save({"p": torch.nn.Parameter(torch.ones(2, 2))}, p)
    with read_torch_checkpoint(p) as ckpt:
        _same_bits(ckpt.tensors["p"].numpy(), np.ones((2, 2), np.float32))


class _RunsCommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _hostile_checkpoint(tmp_path, payload: bytes):
    good = tmp_path / "good.bin"
    torch.save({"w": torch.ones(3)}, good)
    bad = tmp_path / "bad.bin"
    _rewrite(good, bad, replace={"/data.pkl": payload})
    return bad


def test_hostile_pickle_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"w": _RunsCommand(marker)}, protocol=2)
    bad = _hostile_checkpoint(tmp_path, payload)
    with pytest.raises(ConversionError) as err:
        read_torch_checkpoint(bad)
    text = str(err.value)
    assert "posix system" in text or "nt system" in text
    assert "safetensors" in text and str(bad) in text
    assert not marker.exists()


def test_hostile_subprocess_protocol4_never_runs(tmp_path):
    import subprocess

    class Popen:
        def __reduce__(self):
            return (subprocess.Popen, (["touch", str(tmp_path / "pwned2")],))

    bad = _hostile_checkpoint(tmp_path, pickle.dumps([Popen()], protocol=4))
    with pytest.raises(ConversionError, match="subprocess.Popen"):
        read_torch_checkpoint(bad)
    assert not (tmp_path / "pwned2").exists()


def test_builtins_eval_refused(tmp_path):
    payload = b"\x80\x02cbuiltins\neval\nX\x0b\x00\x00\x00print(1/0)\x85R."
    with pytest.raises(ConversionError, match="builtins.eval"):
        read_torch_checkpoint(_hostile_checkpoint(tmp_path, payload))


def test_garbage_pickle_is_explained(tmp_path):
    for i, payload in enumerate([b"\x80\x02}q\x00X\x01", b"not a pickle at all", b"\x80\x02]."]):
        bad = _hostile_checkpoint(tmp_path, payload)
        with pytest.raises(ConversionError) as err:
            read_torch_checkpoint(bad)
        assert "data.pkl" in str(err.value)


def test_truncated_zip(tmp_path):
    path = tmp_path / "pytorch_model.bin"
    torch.save({"w": torch.randn(1000)}, path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 10):
        trunc = tmp_path / f"trunc{cut}.bin"
        trunc.write_bytes(data[:cut])
        with pytest.raises(ConversionError) as err:
            read_torch_checkpoint(trunc)
        assert "truncated" in str(err.value) or "zip" in str(err.value)


def test_not_a_zip_and_missing_file(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello world" * 10)
    with pytest.raises(ConversionError, match="not a zip"):
        read_torch_checkpoint(junk)
    with pytest.raises(ConversionError, match="cannot read"):
        read_torch_checkpoint(tmp_path / "nothing.bin")
    with pytest.raises(ConversionError, match="not a regular file"):
        read_torch_checkpoint(tmp_path)
    legacy = tmp_path / "legacy.bin"
    torch.save({"w": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(ConversionError, match="old-style"):
        read_torch_checkpoint(legacy)


def test_zip_without_data_pkl(tmp_path):
    path = tmp_path / "x.bin"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/version", "3")
    with pytest.raises(ConversionError, match="no data.pkl"):
        read_torch_checkpoint(path)


def test_non_contiguous_tensor(tmp_path):
    path = tmp_path / "t.bin"
    torch.save({"w.T": torch.randn(3, 5).t()}, path)
    with pytest.raises(ConversionError, match=r"'w.T' is not contiguous .*strides \[1, 5\]"):
        read_torch_checkpoint(path)


def test_missing_storage_member(tmp_path):
    good = tmp_path / "good.bin"
    torch.save({"a": torch.ones(3), "b": torch.zeros(4)}, good)
    bad = tmp_path / "bad.bin"
    _rewrite(good, bad, drop=("/data/1",))
    with pytest.raises(ConversionError, match=r"no .*data/1 entry"):
        read_torch_checkpoint(bad)


def test_storage_size_mismatch(tmp_path):
    good = tmp_path / "good.bin"
    torch.save({"a": torch.ones(8)}, good)
    bad = tmp_path / "bad.bin"
    _rewrite(good, bad, replace={"/data/0": b"\0" * 12})
    with pytest.raises(ConversionError, match="should hold 8 F32 values"):
        read_torch_checkpoint(bad)


def _tensor_pickle(offset: int, size: tuple, stride: tuple, numel: int) -> bytes:
    """A data.pkl naming storage '0' of FloatStorage, built opcode by opcode (no torch objects)."""
    def tup(values):
        return b"(" + b"".join(b"J" + int(v).to_bytes(4, "little", signed=True) if abs(v) < 2**31
                               else b"\x8a\x08" + int(v).to_bytes(8, "little", signed=True)
                               for v in values) + b"t"
    pid = b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu" + \
        tup([numel])[1:-1] + b"tQ"
    return (b"\x80\x02}X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n(" + pid + tup([offset])[1:-1] +
            tup(size) + tup(stride) + b"\x89ccollections\nOrderedDict\n)RtRs.")


def test_offset_beyond_storage_and_absurd_shapes(tmp_path):
    good = tmp_path / "good.bin"
    torch.save({"w": torch.ones(6)}, good)
    cases = [
        (_tensor_pickle(4, (3,), (1,), 6), "needs elements 4..7"),
        (_tensor_pickle(0, (2**31 - 1, 2**31 - 1, 2**31 - 1), (1, 1, 1), 6), "impossible shape"),
        (_tensor_pickle(0, (-1,), (1,), 6), "impossible shape"),
        (_tensor_pickle(-2, (2,), (1,), 6), "needs elements -2"),
        (_tensor_pickle(0, (6,), (1,), 7), "should hold 7 F32 values"),
        (_tensor_pickle(0, (1,) * 9, (1,) * 9, 6), "9 dimensions"),
    ]
    ok = tmp_path / "ok.bin"
    _rewrite(good, ok, replace={"/data.pkl": _tensor_pickle(2, (2, 2), (2, 1), 6)})
    with read_torch_checkpoint(ok) as ckpt:
        assert ckpt.tensors["w"].storage_offset == 2
        assert ckpt.tensors["w"].numpy().tolist() == [[1, 1], [1, 1]]
    for payload, expected in cases:
        bad = tmp_path / "bad.bin"
        _rewrite(good, bad, replace={"/data.pkl": payload})
        with pytest.raises(ConversionError, match=expected):
            read_torch_checkpoint(bad)


def test_big_endian_refused(tmp_path):
    good = tmp_path / "good.bin"
    torch.save({"w": torch.ones(2)}, good)
    bad = tmp_path / "bad.bin"
    _rewrite(good, bad, replace={"/byteorder": b"big"})
    with pytest.raises(ConversionError, match="'big' byte order"):
        read_torch_checkpoint(bad)


def test_oversized_data_pkl_refused(tmp_path, monkeypatch):
    import quantize.torch_pickle as tp

    good = tmp_path / "good.bin"
    torch.save({f"w{i}": torch.ones(1) for i in range(50)}, good)
    monkeypatch.setattr(tp, "_MAX_PICKLE", 256)
    with pytest.raises(ConversionError, match="data.pkl is .* bytes"):
        read_torch_checkpoint(good)


def test_deeply_nested_pickle_refused(tmp_path):
    payload = b"\x80\x02" + b"]" * 200000 + b"."
    bad = _hostile_checkpoint(tmp_path, payload)
    with pytest.raises(ConversionError, match="data.pkl"):
        read_torch_checkpoint(bad)


def test_non_tensor_entry_and_build_on_record(tmp_path):
    bad = _hostile_checkpoint(tmp_path, pickle.dumps({"epoch": 3}, protocol=2))
    with pytest.raises(ConversionError, match="'epoch' is a int, not a tensor"):
        read_torch_checkpoint(bad)
    # BUILD on a tensor record (trying to overwrite its fields) is refused.
    payload = _tensor_pickle(0, (3,), (1,), 3)
    payload = payload.replace(b"RtRs.", b"RtR}X\x06\x00\x00\x00offsetJ\x00\x00\x00\x10sbs.")
    with pytest.raises(ConversionError, match="BUILD"):
        read_torch_checkpoint(_hostile_checkpoint(tmp_path, payload))


def test_compressed_storage_is_streamed(tmp_path):
    good = tmp_path / "good.bin"
    t = torch.randn(64, 3)
    torch.save({"w": t}, good)
    comp = tmp_path / "comp.bin"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(comp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    with read_torch_checkpoint(comp) as ckpt:
        _same_bits(ckpt.tensors["w"].numpy(), t.numpy())
