"""A Hugging Face model folder on disk: config, tokenizer files and weights.

Everything is checked before conversion starts, so a bad folder fails in seconds with a message
that names the file and the fix, and nothing is written. Weights come from safetensors files, or,
when a folder has none, from PyTorch ``pytorch_model.bin`` files read by ``torch_pickle``, which
never runs code from them. Other pickled formats (``model.pt``) are refused.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np

from .errors import ConversionError
from .safetensors_file import FLOAT_DTYPES, SafetensorsFile, TensorEntry

SP_MODEL_NAMES = ("spiece.model", "tokenizer.model", "sentencepiece.bpe.model")
_PICKLED = ("pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "tf_model.h5")
_SAFETENSORS_HOWTO = (
    "Hanashi reads safetensors and PyTorch's pytorch_model.bin (without running code from it), "
    "not other pickled formats. "
    "Download the safetensors revision if the repository has one (look for model.safetensors, or the "
    "'refs/pr/N' branch that the Hugging Face safetensors bot opened), or convert it yourself in a "
    "trusted environment with transformers: "
    "AutoModelForCausalLM.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)."
)


_MAX_JSON = 64 * 1024 * 1024


def regular_file(path: Path, folder: Path, what: str) -> Path:
    """``path`` when it is a regular file inside ``folder`` (after following links); else a clear error.

    A pipe or device named like a model file would block the reader forever, and a link leading out
    of the model folder would read a file the user never meant to give (links of a Hugging Face
    cache snapshot into its own ``blobs`` folder are fine).
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            raise ConversionError(f"{what} is a link to a file that does not exist ({target[:200]})", path,
                                  "replace the link with the real file downloaded from the model's "
                                  "repository", code="convert.missing_file", params={"file": what}) from None
        raise ConversionError(f"{what} is missing", path,
                              "download the complete model folder from the model's repository",
                              code="convert.missing_file", params={"file": what}) from None
    except OSError as e:
        raise ConversionError(f"cannot read {what} ({e.strerror or e})", path,
                              "check that the file exists and is readable", code="convert.unreadable_file",
                              params={"file": what}) from None
    if not stat.S_ISREG(st.st_mode):
        raise ConversionError(f"{what} is not a regular file (a folder, pipe or device)", path,
                              "replace it with the real file downloaded from the model's repository",
                              code="convert.not_a_file", params={"file": what})
    try:
        target, home = Path(path).resolve(), Path(folder).resolve()
        inside = target.is_relative_to(home)
        # A Hugging Face cache snapshot links each file to the repository's blobs folder.
        if not inside and home.parent.name == "snapshots":
            inside = target.is_relative_to(home.parent.parent / "blobs")
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise ConversionError(f"{what} is a link that leads outside the model folder", path,
                              "copy the real file into the model folder instead of linking to it")
    return Path(path)


def _read_json(path: Path, what: str) -> dict:
    try:
        regular_file(path, path.parent, what)
        if path.stat().st_size > _MAX_JSON:
            raise ConversionError(f"{what} is larger than {_MAX_JSON // 2**20} MiB", path,
                                  "download the file again from the model's repository")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        reason = "it is nested too deeply" if isinstance(e, RecursionError) else str(e)[:200]
        raise ConversionError(f"{what} is not valid JSON ({reason})", path,
                              "download the file again from the model's repository") from None
    if not isinstance(data, dict):
        raise ConversionError(f"{what} is not a JSON object", path,
                              "download the file again from the model's repository")
    return data


def _optional_json(path: Path, what: str) -> dict:
    return _read_json(path, what) if os.path.lexists(path) else {}


def _check_added_tokens(added: dict, path: Path) -> dict:
    for text, tid in added.items():
        if not isinstance(tid, int) or isinstance(tid, bool) or not 0 <= tid < (1 << 22):
            raise ConversionError(f"added token {text[:40]!r} has id {str(tid)[:40]!r}; ids must be whole numbers "
                                  f"from 0 to {(1 << 22) - 1:,}", path, "download added_tokens.json again")
    return added


def _weight_map(index: Path, suffix: str) -> dict[str, str]:
    """A sharded checkpoint's index: tensor name → shard file name in the same folder."""
    weight_map = _read_json(index, index.name).get("weight_map")
    if not isinstance(weight_map, dict) or not weight_map:
        raise ConversionError("the index has no weight_map", index, "download the index file again")
    bad = [f"{k[:40]!r}: {str(v)[:40]!r}" for k, v in weight_map.items()
           if not isinstance(v, str) or not v.endswith(suffix) or Path(v).name != v]
    if bad:
        raise ConversionError(f"the index's weight_map must map tensor names to shard file names in this "
                              f"folder (*{suffix}); found {bad[0]}", index, "download the index file again")
    return weight_map


class Checkpoint:
    """Validated view of a model folder. Tensors are read lazily, one at a time."""

    def __init__(self, model_dir: str | Path):
        self.dir = Path(model_dir)
        if not self.dir.is_dir():
            raise ConversionError("model folder not found", self.dir,
                                  "pass the folder that holds config.json and the *.safetensors files",
                                  code="convert.no_folder")
        config_path = self.dir / "config.json"
        if not os.path.lexists(config_path):
            raise ConversionError("config.json is missing", config_path,
                                  "download the complete model folder (config.json, *.safetensors, "
                                  "spiece.model, tokenizer_config.json)",
                                  code="convert.missing_file", params={"file": "config.json"})
        self.config = _read_json(config_path, "config.json")
        self.tokenizer_config = _optional_json(self.dir / "tokenizer_config.json", "tokenizer_config.json")
        self.special_tokens_map = _optional_json(self.dir / "special_tokens_map.json", "special_tokens_map.json")
        self.added_tokens = _check_added_tokens(_optional_json(self.dir / "added_tokens.json", "added_tokens.json"),
                                                self.dir / "added_tokens.json")
        self.sp_model_path = None if self.is_bygpt else self._find_sp_model()
        self.files = self._open_weights()
        self.entries: dict[str, TensorEntry] = {}
        self._owner: dict[str, SafetensorsFile] = {}
        for f in self.files:
            for name, e in f.entries.items():
                self.entries[name] = e
                self._owner[name] = f

    @property
    def is_bygpt(self) -> bool:
        """The byte-level multi-head model (quantize/bygpt): its tokenizer is a byte encoding, no
        sentencepiece model."""
        from .bygpt.layout import recognise

        return recognise(self.config)

    @property
    def architecture(self) -> str:
        archs = self.config.get("architectures")
        if isinstance(archs, list) and archs and isinstance(archs[0], str):
            return archs[0]
        model_type = self.config.get("model_type")
        return model_type if isinstance(model_type, str) else "?"

    def _find_sp_model(self) -> Path:
        for name in SP_MODEL_NAMES:
            p = self.dir / name
            if os.path.lexists(p):
                return regular_file(p, self.dir, name)
        extra = " (this folder has tokenizer.json only)" if (self.dir / "tokenizer.json").is_file() else ""
        raise ConversionError(
            f"no sentencepiece model found{extra}; looked for {', '.join(SP_MODEL_NAMES)}", self.dir,
            "download the tokenizer files too (spiece.model for rinna models); Hanashi checks the "
            "GGUF's tokenizer against the original sentencepiece model, so it needs that file",
            code="convert.no_tokenizer")

    def _open_weights(self) -> list[SafetensorsFile]:
        index = self.dir / "model.safetensors.index.json"
        single = self.dir / "model.safetensors"
        if os.path.lexists(index):
            weight_map = _weight_map(index, ".safetensors")
            names = sorted(set(weight_map.values()))
            missing = [n for n in names if not os.path.lexists(self.dir / n)]
            if missing:
                raise ConversionError(
                    f"the index lists {len(names)} shard(s) but {len(missing)} are missing: "
                    f"{', '.join(missing[:4])}", self.dir, "download every model-0000x-of-0000y.safetensors shard",
                    code="convert.missing_shards", params={"missing": len(missing), "total": len(names),
                                                           "file": missing[0]})
            files = [self._open(self.dir / n) for n in names]
            have = {t for f in files for t in f.entries}
            absent = [t for t in weight_map if t not in have]
            if absent:
                raise ConversionError(
                    f"tensors listed in the index are not in their shards: {', '.join(absent[:4])}",
                    index, "download the shards again")
            return files
        if os.path.lexists(single):
            return [self._open(single)]
        loose = sorted(self.dir.glob("*.safetensors"))
        if loose:
            return [self._open(p) for p in loose]
        torch_files = self._torch_weights()
        if torch_files is not None:
            return torch_files
        pickled = [n for n in _PICKLED if (self.dir / n).exists()] + sorted(
            p.name for p in self.dir.glob("pytorch_model-*.bin"))
        if pickled:
            raise ConversionError(
                f"this checkpoint has only pickled weights ({', '.join(pickled[:3])}), no .safetensors",
                self.dir, _SAFETENSORS_HOWTO, code="convert.pickled_only")
        raise ConversionError("no model weights (*.safetensors) in this folder", self.dir,
                              "download model.safetensors (or all shards and model.safetensors.index.json)",
                              code="convert.no_weights")

    def _torch_weights(self) -> list | None:
        """PyTorch .bin weights (one file, or shards named by pytorch_model.bin.index.json), read
        without running code from them; None when the folder has none."""
        from .torch_weights import INDEX, SINGLE, TorchWeightsFile

        index = self.dir / INDEX
        if os.path.lexists(index):
            weight_map = _weight_map(index, ".bin")
            files = [TorchWeightsFile(regular_file(self.dir / n, self.dir, n))
                     for n in sorted(set(weight_map.values()))]
            have = {t for f in files for t in f.entries}
            absent = [t for t in weight_map if t not in have]
            if absent:
                raise ConversionError(
                    f"tensors listed in the index are not in their shards: {', '.join(absent[:4])}", index,
                    "download the shards again")
            return files
        if os.path.lexists(self.dir / SINGLE):
            return [TorchWeightsFile(regular_file(self.dir / SINGLE, self.dir, SINGLE))]
        return None

    def _open(self, path: Path) -> SafetensorsFile:
        return SafetensorsFile(regular_file(path, self.dir, path.name))

    def has(self, name: str) -> bool:
        return name in self.entries

    def shape(self, name: str) -> tuple[int, ...]:
        return self.entries[name].shape

    def dtype(self, name: str) -> str:
        return self.entries[name].dtype

    def source_dtype(self) -> str:
        """The dominant floating dtype of the weights (F32, F16, BF16 or F64); buffers of other types
        (boolean attention masks, integer position ids) do not count."""
        sizes: dict[str, int] = {}
        for e in self.entries.values():
            if e.dtype in FLOAT_DTYPES:
                sizes[e.dtype] = sizes.get(e.dtype, 0) + (e.end - e.start)
        return max(sizes, key=sizes.get) if sizes else "F32"

    def source_files(self) -> list[Path]:
        """Every file of the checkpoint: what it reads, and any other non-GGUF file in its folder.

        An output path must never be one of these (writing there would destroy the input).
        """
        files = [f.path for f in self.files]
        if self.sp_model_path is not None:
            files.append(self.sp_model_path)
        try:
            for p in self.dir.iterdir():
                if p.suffix.lower() != ".gguf":
                    files.append(p)
        except OSError:
            pass
        return files

    def raw(self, name: str) -> np.ndarray:
        return self._owner[name].raw(name)

    def release(self, name: str) -> None:
        self._owner[name].release(name)

    def close(self) -> None:
        for f in self.files:
            f.close()
