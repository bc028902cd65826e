"""Every error Hanashi explains carries a stable code and the values its sentence needs, so a
window can say it in its own language; ``str(error)`` stays the English it always was."""

from __future__ import annotations

import pickle

import pytest

from app import paths
from app.engine.errors import (CorruptModelError, EngineError, ModelLoadError, ModelNotFoundError,
                               ModelTooLargeError, NotAModelError, UnsupportedArchitectureError)
from app.engine.loader import read_model_info
from quantize import child
from quantize.checkpoint import Checkpoint
from quantize.errors import ConversionError, ExplainedError, GGUFFileError, InvalidGGUFError
from quantize.gguf_check import checked_info
from quantize.outfile import check_writable, os_error
from tests.gguf_rewrite import rewrite

DEMO = paths.DEMO_MODEL


def test_codes_default_by_class_and_str_stays_english():
    e = ExplainedError("something broke", "/x/y.gguf", "do this")
    assert e.code == "error" and e.params == {}
    assert str(e) == "/x/y.gguf: something broke\n  How to fix: do this"
    assert ConversionError("m").code == "convert.failed"
    assert EngineError("m").code == "engine.failed" and ModelLoadError("m").code == "model.load_failed"
    assert GGUFFileError("corrupt", "m").code == "gguf.corrupt"
    named = ConversionError("m", "/p", "f", code="convert.disk_full", params={"free": 3})
    assert (named.code, named.params, str(named)) == ("convert.disk_full", {"free": 3}, "/p: m\n  How to fix: f")
    # Positional use (message, path, fix) is unchanged.
    assert (ModelNotFoundError("gone", "/a").code, NotAModelError("x").code) == ("gguf.missing", "gguf.not_gguf")
    assert CorruptModelError("x").code == "gguf.corrupt"
    arch = UnsupportedArchitectureError("mamba", "/m.gguf")
    assert arch.code == "model.architecture" and arch.params == {"architecture": "mamba"}
    big = ModelTooLargeError(6 * 2**30, 2 * 2**30, "/m.gguf")
    assert big.code == "model.too_large" and big.params == {"needed_gib": "6.0", "available_gib": "2.0"}
    assert "6.0 GiB" in str(big)


def _model_error(path) -> ModelLoadError:
    with pytest.raises(ModelLoadError) as caught:
        read_model_info(path)
    return caught.value


def test_every_model_file_problem_has_its_own_code(tmp_path):
    data = DEMO.read_bytes()
    (tmp_path / "cut.gguf").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.gguf").write_bytes(b"this is not a model" * 50)
    (tmp_path / "empty.gguf").write_bytes(b"")
    (tmp_path / "v1.gguf").write_bytes(b"GGUF" + (1).to_bytes(4, "little") + bytes(64))
    (tmp_path / "header.gguf").write_bytes(data[:200])
    (tmp_path / "dangling.gguf").symlink_to(tmp_path / "gone.gguf")
    (tmp_path / "loop.gguf").symlink_to("loop.gguf")
    (tmp_path / "folder.gguf").mkdir()
    wrong_arch = rewrite(tmp_path / "arch.gguf", {"general.architecture": "mamba-x"})

    cut = _model_error(tmp_path / "cut.gguf")
    assert isinstance(cut, CorruptModelError) and cut.code == "gguf.truncated"
    assert cut.params["size"] == len(data) // 2 and cut.params["needed"] > cut.params["size"] and cut.params["tensor"]
    assert "the file is truncated" in str(cut)  # the English text is unchanged

    expected = {"text.gguf": (NotAModelError, "gguf.not_gguf"), "empty.gguf": (NotAModelError, "gguf.not_gguf"),
                "v1.gguf": (NotAModelError, "gguf.version"), "header.gguf": (CorruptModelError, "gguf.header_damaged"),
                "dangling.gguf": (ModelNotFoundError, "gguf.dangling_link"),
                "loop.gguf": (ModelNotFoundError, "gguf.link_loop"), "nothing.gguf": (ModelNotFoundError, "gguf.missing"),
                "folder.gguf": (NotAModelError, "gguf.folder")}
    for name, (cls, code) in expected.items():
        e = _model_error(tmp_path / name)
        assert type(e) is cls and e.code == code, (name, type(e), e.code)
        assert e.path == str(tmp_path / name)
    assert _model_error(tmp_path / "v1.gguf").params == {"version": 1}
    arch = _model_error(wrong_arch)
    assert isinstance(arch, UnsupportedArchitectureError) and arch.params == {"architecture": "mamba-x"}


def test_an_unusable_metadata_value_names_its_key(tmp_path):
    bad = rewrite(tmp_path / "bad.gguf", {"gptneox.context_length": 0})
    with pytest.raises(InvalidGGUFError) as caught:
        checked_info(bad)
    assert caught.value.code == "gguf.invalid" and caught.value.params["key"] == "gptneox.context_length"
    engine = _model_error(bad)
    assert engine.code == "gguf.invalid" and engine.params["key"] == "gptneox.context_length"


def test_converter_errors_have_codes(tmp_path):
    with pytest.raises(ConversionError) as caught:
        Checkpoint(tmp_path / "no-such-folder")
    assert caught.value.code == "convert.no_folder"
    (tmp_path / "model").mkdir()
    with pytest.raises(ConversionError) as caught:
        Checkpoint(tmp_path / "model")
    assert caught.value.code == "convert.missing_file" and caught.value.params == {"file": "config.json"}
    (tmp_path / "model" / "config.json").write_text('{"architectures": ["MambaForCausalLM"]}')
    with pytest.raises(ConversionError) as caught:
        Checkpoint(tmp_path / "model")
    assert caught.value.code in ("convert.missing_file", "convert.no_tokenizer", "convert.no_weights")

    with pytest.raises(ConversionError) as caught:
        check_writable(tmp_path / "absent" / "out.gguf", 10)
    assert caught.value.code == "convert.output_folder_missing"
    with pytest.raises(ConversionError) as caught:
        check_writable(tmp_path / "out.gguf", 2**62)
    assert caught.value.code == "convert.disk_space" and caught.value.params["needed"].endswith("GiB")
    import errno

    full = os_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "out.gguf")
    assert full.code == "convert.disk_full"


def test_an_unsupported_architecture_is_refused_with_its_code(tiny):
    from quantize.archs import load_architecture

    folder = tiny.neox()
    ckpt = Checkpoint(folder)
    ckpt.config = {**ckpt.config, "architectures": ["MambaForCausalLM"], "model_type": "mamba"}
    with pytest.raises(ConversionError) as caught:
        load_architecture(ckpt)
    assert caught.value.code == "convert.architecture" and caught.value.params == {"architecture": "'MambaForCausalLM'"}


def test_codes_and_params_cross_the_child_process_boundary(tmp_path):
    data = DEMO.read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(GGUFFileError) as caught:
        child.run("quantize.gguf_check:checked_info", (str(cut),), stage="checking", path=cut)
    assert caught.value.code == "gguf.truncated" and caught.value.params["size"] == len(data) // 2
    # and through pickling, as a result or error object is sent
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.code == "gguf.truncated"


def test_a_crashed_or_stalled_child_has_a_code():
    with pytest.raises(child.ChildCrashed) as caught:
        child.run("os:abort", (), stage="testing", path="x.gguf")
    assert caught.value.code == "worker.crashed"
    with pytest.raises(child.ChildTimeout) as caught:
        child.run("time:sleep", (30,), stage="waiting", path="x.gguf", timeout=1)
    assert caught.value.code == "worker.timeout"
