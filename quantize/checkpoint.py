"""A Hugging Face model folder on disk: config, tokenizer files and safetensors weights.

Everything is checked before conversion starts, so a bad folder fails in seconds with a message
that names the file and the fix, and nothing is written. Pickled checkpoints (``*.bin``, ``*.pt``)
are never opened: loading them would run arbitrary code.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import ConversionError
from .safetensors_file import SafetensorsFile, TensorEntry

SP_MODEL_NAMES = ("spiece.model", "tokenizer.model", "sentencepiece.bpe.model")
_PICKLED = ("pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "tf_model.h5")
_SAFETENSORS_HOWTO = (
    "Hanashi reads safetensors only and never opens pickled .bin files (they can run code). "
    "Download the safetensors revision if the repository has one (look for model.safetensors, or the "
    "'refs/pr/N' branch that the Hugging Face safetensors bot opened), or convert it yourself in a "
    "trusted environment with transformers: "
    "AutoModelForCausalLM.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)."
)


def _read_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConversionError(f"{what} is not valid JSON ({e})", path,
                              "download the file again from the model's repository") from e
    if not isinstance(data, dict):
        raise ConversionError(f"{what} is not a JSON object", path,
                              "download the file again from the model's repository")
    return data


def _optional_json(path: Path, what: str) -> dict:
    return _read_json(path, what) if path.is_file() else {}


class Checkpoint:
    """Validated view of a model folder. Tensors are read lazily, one at a time."""

    def __init__(self, model_dir: str | Path):
        self.dir = Path(model_dir)
        if not self.dir.is_dir():
            raise ConversionError("model folder not found", self.dir,
                                  "pass the folder that holds config.json and the *.safetensors files")
        config_path = self.dir / "config.json"
        if not config_path.is_file():
            raise ConversionError("config.json is missing", config_path,
                                  "download the complete model folder (config.json, *.safetensors, "
                                  "spiece.model, tokenizer_config.json)")
        self.config = _read_json(config_path, "config.json")
        self.tokenizer_config = _optional_json(self.dir / "tokenizer_config.json", "tokenizer_config.json")
        self.special_tokens_map = _optional_json(self.dir / "special_tokens_map.json", "special_tokens_map.json")
        self.added_tokens = _optional_json(self.dir / "added_tokens.json", "added_tokens.json")
        self.sp_model_path = self._find_sp_model()
        self.files = self._open_weights()
        self.entries: dict[str, TensorEntry] = {}
        self._owner: dict[str, SafetensorsFile] = {}
        for f in self.files:
            for name, e in f.entries.items():
                self.entries[name] = e
                self._owner[name] = f

    @property
    def architecture(self) -> str:
        archs = self.config.get("architectures") or []
        return archs[0] if archs else str(self.config.get("model_type", "?"))

    def _find_sp_model(self) -> Path:
        for name in SP_MODEL_NAMES:
            p = self.dir / name
            if p.is_file():
                return p
        extra = " (this folder has tokenizer.json only)" if (self.dir / "tokenizer.json").is_file() else ""
        raise ConversionError(
            f"no sentencepiece model found{extra}; looked for {', '.join(SP_MODEL_NAMES)}", self.dir,
            "download the tokenizer files too (spiece.model for rinna models); Hanashi checks the "
            "GGUF's tokenizer against the original sentencepiece model, so it needs that file")

    def _open_weights(self) -> list[SafetensorsFile]:
        index = self.dir / "model.safetensors.index.json"
        single = self.dir / "model.safetensors"
        if index.is_file():
            data = _read_json(index, "model.safetensors.index.json")
            weight_map = data.get("weight_map")
            if not isinstance(weight_map, dict) or not weight_map:
                raise ConversionError("the index has no weight_map", index, "download the index file again")
            names = sorted(set(weight_map.values()))
            missing = [n for n in names if not (self.dir / n).is_file()]
            if missing:
                raise ConversionError(
                    f"the index lists {len(names)} shard(s) but {len(missing)} are missing: "
                    f"{', '.join(missing[:4])}", self.dir, "download every model-0000x-of-0000y.safetensors shard")
            files = [SafetensorsFile(self.dir / n) for n in names]
            have = {t for f in files for t in f.entries}
            absent = [t for t in weight_map if t not in have]
            if absent:
                raise ConversionError(
                    f"tensors listed in the index are not in their shards: {', '.join(absent[:4])}",
                    index, "download the shards again")
            return files
        if single.is_file():
            return [SafetensorsFile(single)]
        loose = sorted(self.dir.glob("*.safetensors"))
        if loose:
            return [SafetensorsFile(p) for p in loose]
        pickled = [n for n in _PICKLED if (self.dir / n).exists()] + sorted(
            p.name for p in self.dir.glob("pytorch_model-*.bin"))
        if pickled:
            raise ConversionError(
                f"this checkpoint has only pickled weights ({', '.join(pickled[:3])}), no .safetensors",
                self.dir, _SAFETENSORS_HOWTO)
        raise ConversionError("no model weights (*.safetensors) in this folder", self.dir,
                              "download model.safetensors (or all shards and model.safetensors.index.json)")

    def has(self, name: str) -> bool:
        return name in self.entries

    def shape(self, name: str) -> tuple[int, ...]:
        return self.entries[name].shape

    def dtype(self, name: str) -> str:
        return self.entries[name].dtype

    def source_dtype(self) -> str:
        """The dominant floating dtype of the weights (F32, F16 or BF16)."""
        sizes: dict[str, int] = {}
        for e in self.entries.values():
            sizes[e.dtype] = sizes.get(e.dtype, 0) + (e.end - e.start)
        return max(sizes, key=sizes.get) if sizes else "F32"

    def raw(self, name: str) -> np.ndarray:
        return self._owner[name].raw(name)

    def release(self, name: str) -> None:
        self._owner[name].release(name)

    def close(self) -> None:
        for f in self.files:
            f.close()
