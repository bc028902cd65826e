"""Fixtures for tests that talk to the Hugging Face Hub stand-in (tests/hub_standin.py).

``hub_repos`` builds the repositories' folders once per session from the tiny checkpoints;
``hub`` starts a fresh stand-in per test serving all of them; ``hub_env`` points this process
(monkeypatch) and subprocesses (``hub_env.env``) at it, with the Hub cache and Hanashi's data
folder in the test's tmp dir.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hub_standin import HubStandIn, hub_env as _hub_env, hub_vars

MAIN = "rinna/japanese-gpt-neox-3.6b-instruction-ppo"  # safetensors, > 10 MiB of weights, extra files
PICKLE = "rinna/japanese-gpt-neox-small-instruction-bin"  # only pytorch_model.bin
HOSTILE = "evil/japanese-gpt-neox-instruction-pickle"  # a pytorch_model.bin whose unpickling runs a command
GATED = "rinna/japanese-gpt-neox-gated-instruction-sft"  # needs HF_TOKEN
SHARDED = "rinna/japanese-gpt-neox-sharded-instruction-sft"  # two safetensors shards + index, and strays
UNSUPPORTED = "someone/japanese-mamba-instruction"  # config.json names an architecture Hanashi cannot convert
MISSING = "nobody/does-not-exist"
TOKEN = "hf_standin_secret_token"
EXTRA_FILES = ("tf_model.h5", "flax_model.msgpack", "pytorch_model.bin", "onnx/model.onnx")


@dataclass
class HubRepos:
    main: Path
    pickle: Path
    hostile: Path
    gated: Path
    sharded: Path
    unsupported: Path
    marker: Path  # the file the hostile pickle's command would create


class _RunsCommand:
    """Unpickling this runs a shell command (creates ``marker``)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _tokenizer_and_config(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for p in src.iterdir():
        if p.is_file() and not p.name.endswith((".safetensors", ".bin")):
            shutil.copy(p, dst / p.name)
    return dst


def _to_bin(src: Path, dst: Path) -> Path:
    """The same model with its weights saved by ``torch.save`` as pytorch_model.bin."""
    import torch
    from safetensors.torch import load_file

    _tokenizer_and_config(src, dst)
    torch.save(load_file(str(src / "model.safetensors")), dst / "pytorch_model.bin")
    return dst


def _hostile_bin(path: Path, marker: Path) -> None:
    """A real torch zip checkpoint whose data.pkl is replaced by a command-running pickle."""
    import torch

    good = path.with_suffix(".good")
    torch.save({"gpt_neox.embed_in.weight": torch.ones(3)}, good)
    payload = pickle.dumps({"gpt_neox.embed_in.weight": _RunsCommand(marker)}, protocol=2)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zout:
        for item in zin.infolist():
            data = payload if item.filename.endswith("/data.pkl") else zin.read(item.filename)
            zout.writestr(item, data)
    good.unlink()


def _sharded(src: Path, dst: Path) -> Path:
    """The same model in two safetensors shards named by an index, next to files the index does
    not name (a stale third shard, pickle shards): those must not be fetched."""
    from safetensors.torch import load_file, save_file

    _tokenizer_and_config(src, dst)
    state = load_file(str(src / "model.safetensors"))
    names = sorted(state)
    weight_map = {}
    for i, part in enumerate((names[: len(names) // 2], names[len(names) // 2:]), 1):
        file = f"model-0000{i}-of-00002.safetensors"
        save_file({n: state[n].contiguous() for n in part}, str(dst / file), metadata={"format": "pt"})
        weight_map.update({n: file for n in part})
    (dst / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    (dst / "model-00003-of-00003.safetensors").write_bytes(b"stale shard " + os.urandom(100_000))
    (dst / "pytorch_model-00001-of-00001.bin").write_bytes(b"not fetched " + os.urandom(100_000))
    return dst


def _readme(repo_id: str) -> str:
    return f"---\nlicense: mit\nlanguage: ja\n---\n# {repo_id}\n\nA tiny test model.\n"


@pytest.fixture(scope="session")
def hub_repos(tiny, tmp_path_factory) -> HubRepos:
    root = tmp_path_factory.mktemp("hub-repos")
    # Four layers: the weights file is larger than huggingface_hub's 10 MiB download chunk, so an
    # interrupted download leaves a partial file on disk to resume from.
    big = tiny.neox(name="tiny-japanese-gpt-neox-hub-4layers", layers=4)
    small = tiny.neox()

    main = root / "main"
    shutil.copytree(big, main)
    (main / "README.md").write_text(_readme(MAIN))
    (main / ".gitattributes").write_text("*.safetensors filter=lfs diff=lfs merge=lfs -text\n")
    for name in EXTRA_FILES:  # must never be fetched: not a byte of them is a usable checkpoint
        (main / name).parent.mkdir(exist_ok=True)
        (main / name).write_bytes(b"never fetched " + os.urandom(200_000))

    pickle_only = _to_bin(small, root / "pickle")
    (pickle_only / "README.md").write_text(_readme(PICKLE))

    marker = root / "hostile-pickle-ran"
    hostile = _tokenizer_and_config(small, root / "hostile")
    _hostile_bin(hostile / "pytorch_model.bin", marker)

    gated = root / "gated"
    shutil.copytree(small, gated)

    sharded = _sharded(small, root / "sharded")

    unsupported = root / "unsupported"
    shutil.copytree(small, unsupported)
    cfg = json.loads((unsupported / "config.json").read_text())
    cfg.update(architectures=["MambaForCausalLM"], model_type="mamba")
    (unsupported / "config.json").write_text(json.dumps(cfg, indent=2))
    return HubRepos(main, pickle_only, hostile, gated, sharded, unsupported, marker)


@pytest.fixture
def hub(hub_repos):
    """A running stand-in serving every test repository."""
    with HubStandIn() as h:
        h.add(MAIN, hub_repos.main)
        h.add(PICKLE, hub_repos.pickle)
        h.add(HOSTILE, hub_repos.hostile)
        h.add(GATED, hub_repos.gated, gated=True, token=TOKEN)
        h.add(SHARDED, hub_repos.sharded)
        h.add(UNSUPPORTED, hub_repos.unsupported)
        yield h


class HubEnv:
    """The environment of one test: this process is pointed at the stand-in (monkeypatch);
    ``env()`` is the same for a subprocess."""

    def __init__(self, hub: HubStandIn, root: Path):
        self.hub = hub
        self.root = root
        self.cache = root / "hf-home" / "hub"
        self.data = root / "data"
        self.models = self.data / "models"

    def env(self, token: str | None = None, offline: bool = False, endpoint: str | None = None) -> dict:
        return _hub_env(endpoint or self.hub.url, self.root, token=token, offline=offline)

    def repo_cache(self, repo_id: str) -> Path:
        return self.cache / ("models--" + repo_id.replace("/", "--"))


@pytest.fixture
def hub_env(hub, tmp_path, monkeypatch) -> HubEnv:
    for key in list(os.environ):
        if key.startswith(("HF_", "HUGGINGFACE_")):
            monkeypatch.delenv(key)
    for key, value in hub_vars(hub.url, tmp_path).items():
        monkeypatch.setenv(key, value)
    return HubEnv(hub, tmp_path)
