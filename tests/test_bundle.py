"""The packaged app: packaging/build makes a one-folder bundle that runs on this CPU and on an
AVX2-only one (qemu-x86_64 -cpu Haswell), with a portable llama.cpp that picks its CPU kernels at
run time, the demo model, a Japanese font, the converter and the licence notices.

The build takes a few minutes (a fresh virtualenv; llama.cpp itself comes from the wheel cache that
the test set-up filled). It runs once per session; every test below looks at its result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "packaging" / "dist"
BUNDLE = DIST / "hanashi"


def _need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is missing: bash scripts/test.sh installs {package} (as root on Debian/Ubuntu)"
    return path


@pytest.fixture(scope="module")
def bundle() -> Path:
    r = subprocess.run(["bash", str(ROOT / "packaging" / "build")], cwd=ROOT, capture_output=True, text=True,
                       timeout=2400)
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-5000:])
    assert (BUNDLE / "hanashi").is_file()
    return BUNDLE


def _run(cmd: list[str], timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["HANASHI_DATA_DIR"] = kw.pop("data_dir")
    env.update(kw.pop("extra_env", {}))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=kw.pop("cwd", "/"), **kw)


def test_bundle_holds_what_it_needs_and_nothing_twice(bundle):
    internal = bundle / "_internal"
    libs = sorted(p.name for p in (internal / "llama_cpp" / "lib").iterdir())
    assert "libllama.so" in libs and "libggml.so.0" in libs and "libggml-base.so.0" in libs
    assert {"libggml-cpu-x64.so", "libggml-cpu-haswell.so", "libggml-cpu-skylakex.so"} <= set(libs)
    everything = [p for p in internal.rglob("*") if p.is_file() and not p.is_symlink()]
    names = [p.name for p in everything]
    assert not [n for n in names if "mtmd" in n or "llama-common" in n]
    assert not [n for n in names if n.startswith(("libggml", "libllama")) and n.count(".so.") and n[-1].isdigit()
                and n.split(".so.")[1].count(".")]  # no libggml.so.0.25.3-style copies
    ggml_copies = [p for p in everything if p.name.startswith(("libggml", "libllama"))]
    assert len({p.name for p in ggml_copies}) == len(ggml_copies), sorted(map(str, ggml_copies))
    assert [n for n in names if n.startswith("_ssl")]  # Python's TLS for Hub downloads …
    assert not [n for n in names if n.startswith(("libQt6Network", "libgssapi", "hf_xet"))]  # … nothing else
    assert (internal / "assets" / "fonts" / "ipaexg.ttf").is_file()
    assert (internal / "assets" / "models" / "hanashi-demo.gguf").is_file()
    notices = (internal / "licenses" / "THIRD_PARTY.txt").read_text(encoding="utf-8")
    for name in ("llama.cpp", "PySide6", "IPAexGothic", "LGPL"):
        assert name in notices
    assert (internal / "licenses" / "Hanashi-LICENSE").is_file() and (internal / "licenses" / "LGPL-3").is_file()
    assert (internal / "hanashi.desktop").is_file()


def test_version_and_self_test_on_this_cpu(bundle, tmp_path):
    r = _run([str(bundle / "hanashi"), "--version"], data_dir=str(tmp_path))
    assert r.returncode == 0 and "Hanashi 0.1.0 (packaged)" in r.stdout, r.stderr
    r = _run([str(bundle / "hanashi"), "--self-test"], data_dir=str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "self-test passed" in r.stdout and "富士山" in r.stdout
    assert "libggml-cpu-" in r.stdout  # a CPU module chosen at run time
    assert "Japanese font: IPAexGothic" in r.stdout or "Japanese font: Noto" in r.stdout


def test_self_test_on_an_avx2_only_cpu(bundle, tmp_path):
    qemu = _need("qemu-x86_64", "qemu-user")
    exe = bundle / "hanashi"
    # On Linux the bundle's launcher sets the library path and starts itself again; qemu-user does
    # not follow that exec, so the test hands the program the environment of the restarted process
    # (PyInstaller's own variables) and the whole app runs on the emulated Haswell.
    env = {"_PYI_ARCHIVE_FILE": str(exe), "_PYI_PARENT_PROCESS_LEVEL": "-1",
           "LD_LIBRARY_PATH": str(bundle / "_internal")}
    r = _run([qemu, "-cpu", "Haswell", str(exe), "--self-test"], data_dir=str(tmp_path), timeout=900,
             extra_env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "self-test passed" in r.stdout
    assert "libggml-cpu-haswell.so" in r.stdout  # the AVX2 kernels, not the AVX-512 ones


def test_bundle_runs_the_converter_and_the_terminal_chat(bundle, tmp_path):
    r = _run([str(bundle / "hanashi"), "quantize", "--help"], data_dir=str(tmp_path))
    assert r.returncode == 0 and "convert" in r.stdout
    demo = bundle / "_internal" / "assets" / "models" / "hanashi-demo.gguf"
    r = _run([str(bundle / "hanashi"), "chat", str(demo), "--temp", "0", "--max-tokens", "16"],
             data_dir=str(tmp_path), input="日本で一番高い山は?\n")
    assert r.returncode == 0, r.stderr
    assert "富士山" in r.stdout


def test_tarball_installs_for_the_user(bundle, tmp_path):
    tarballs = sorted(DIST.glob("hanashi-*-linux-*.tar.gz"))
    assert tarballs, "packaging/build made no tarball"
    with tarfile.open(tarballs[-1]) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    (top,) = (tmp_path / "unpacked").iterdir()
    prefix = tmp_path / "home" / ".local"
    r = subprocess.run(["bash", str(top / "install.sh"), "--prefix", str(prefix)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    desktop = (prefix / "share" / "applications" / "hanashi.desktop").read_text(encoding="utf-8")
    assert f"Exec={prefix}/opt/hanashi/hanashi" in desktop
    assert (prefix / "share" / "icons" / "hicolor" / "256x256" / "apps" / "hanashi.png").is_file()
    r = _run([str(prefix / "bin" / "hanashi"), "--version"], data_dir=str(tmp_path / "data"))
    assert r.returncode == 0 and "Hanashi" in r.stdout
    r = subprocess.run(["bash", str(top / "install.sh"), "--prefix", str(prefix), "--uninstall"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and not (prefix / "opt" / "hanashi").exists()


def test_bundle_pulls_a_model_from_the_hub(bundle, tiny, tmp_path):
    """`hanashi quantize pull` in the bundle: the Hub client, its HTTP stack and the converter are all in it."""
    from tests.hub_standin import HubStandIn

    repo = "rinna/japanese-gpt-neox-3.6b-instruction-ppo"
    with HubStandIn() as hub:
        hub.add(repo, tiny.neox())
        env = hub.env(tmp_path)
        r = _run([str(bundle / "hanashi"), "quantize", "pull", repo, "--type", "q8_0"],
                 data_dir=str(tmp_path / "data"), extra_env={k: v for k, v in env.items() if k != "HANASHI_DATA_DIR"})
        assert r.returncode == 0, r.stderr[-3000:]
        out = Path(r.stdout.strip().splitlines()[-1])
        assert out == tmp_path / "data" / "models" / "rinna-japanese-gpt-neox-3.6b-instruction-ppo-q8_0.gguf"
        assert out.is_file() and hub.fetched(repo) >= {"config.json", "model.safetensors"}
