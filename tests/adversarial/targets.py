"""The entry points under attack, each run in a subprocess: converter CLI, terminal chat, Engine,
library listing, desktop window. Each returns an ``Outcome`` (see harness)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

from .harness import PYTHON, Outcome, Run, base_env, classify, run

BIN = Path(sys.executable).parent
CHAT_INPUT = "こんにちは\n改行\nテスト😀です\n"
TIMEOUT = {"convert": 60, "verify": 90, "chat": 45, "engine": 45, "library": 60, "gui": 60}


def cli_command(name: str, module: str) -> list[str]:
    exe = BIN / name
    return [str(exe)] if exe.exists() else [PYTHON, "-m", module]


def fresh_dir(d: Path) -> Path:
    if d.exists():
        shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def place(src: Path, dst: Path) -> Path:
    """Copy a case's file to ``dst``; FIFOs, folders and links are recreated, never read."""
    import os
    import stat

    if src.is_symlink():
        target = os.readlink(src)
        dst.symlink_to(dst.name if target == src.name else target)
    elif stat.S_ISFIFO(src.lstat().st_mode):
        os.mkfifo(dst)
    elif src.is_dir():
        dst.mkdir()
    else:
        shutil.copy(src, dst)
    return dst


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except OSError:
        return False


def env_for(work: Path, **extra) -> dict:
    tmp = fresh_dir(work / "tmp")
    return base_env(TMPDIR=str(tmp), HANASHI_DATA_DIR=str(work / "data"), **extra)


# ------------------------------------------------------------------ converter

def convert(case_name: str, src: Path, work: Path, *, args=(), output: str = "out.gguf", expect: str = "error",
            out_type: str = "f32", follow_up: bool = True, preexec=None, env_extra: dict | None = None,
            timeout: float | None = None) -> Outcome:
    """``hanashi-quantize convert SRC -o OUT``; then, when it succeeded, a chat with the result."""
    out_dir = fresh_dir(work / "out")
    out = Path(output.replace("{src}", str(src))) if output.startswith("{src}") else out_dir / output
    if output.startswith("/"):
        out = Path(output)
    guarded = [p for p in src.iterdir() if p.is_file() and not p.is_symlink()] if src.is_dir() else []
    before = {p: _digest(p) for p in guarded}
    src_files = listing(src)
    cmd = cli_command("hanashi-quantize", "quantize.cli") + ["convert", str(src), "-o", str(out)]
    if "--type" not in args:
        cmd += ["--type", out_type]
    cmd += list(args)
    env = env_for(work, **(env_extra or {}))
    r = run(cmd, timeout=timeout or TIMEOUT["convert"], env=env, preexec=preexec)
    left = [out_dir / n for n in listing(out_dir) if out_dir / n != out]
    left += [src / n for n in listing(src) - src_files if src / n != out]
    left += [Path(env["TMPDIR"]) / n for n in listing(Path(env["TMPDIR"]))]
    if r.rc is not None and r.rc != 0 and out.parent == out_dir and out.name in listing(out_dir):
        left.append(out)
    changed = [p.name for p, d in before.items() if _digest(p) != d]
    kind, detail = classify(r, leftovers=left, expect_error=expect == "error")
    if changed and kind in ("clean", "safe", "silent"):
        kind, detail = "silent", f"an input file was changed: {', '.join(changed)}"
    o = Outcome("convert", case_name, kind, detail, r)
    if kind == "safe" and follow_up and _is_file(out):
        chat_o = chat(case_name, out, work / "follow-up")
        o.extra["chat"] = chat_o
        if not chat_o.ok:
            o.kind, o.detail = chat_o.kind, f"the converted file fails in chat: {chat_o.detail}"
    return o


def verify(case_name: str, gguf: Path, reference: Path, work: Path) -> Outcome:
    cmd = cli_command("hanashi-quantize", "quantize.cli") + ["verify", str(gguf), "--reference", str(reference),
                                                      "--threads", "1"]
    env = env_for(work)
    r = run(cmd, timeout=TIMEOUT["verify"], env=env)
    left = [Path(env["TMPDIR"]) / n for n in listing(Path(env["TMPDIR"]))]
    # verify exits 3 when the file does not match its reference: a clean answer too
    kind, detail = classify(r, leftovers=left)
    return Outcome("verify", case_name, kind, detail, r)


# ------------------------------------------------------------------ app

def chat(case_name: str, gguf: Path, work: Path, *, args=(), stdin: str | None = None, sane=None) -> Outcome:
    cmd = cli_command("hanashi", "app") + ["chat", str(gguf), "--threads", "1", "--max-tokens", "8", "--seed", "1",
                                    *args]
    if any(a == "--max-tokens" for a in args):
        cmd = cli_command("hanashi", "app") + ["chat", str(gguf), "--threads", "1", "--seed", "1", *args]
    env = env_for(work)
    r = run(cmd, timeout=TIMEOUT["chat"], env=env, stdin=stdin if stdin is not None else CHAT_INPUT)
    left = [Path(env["TMPDIR"]) / n for n in listing(Path(env["TMPDIR"]))]
    kind, detail = classify(r, leftovers=left, sane=(lambda run_: sane(run_.stdout, run_.stderr)) if sane else None)
    if kind == "clean" and "hanashi:" not in r.stderr:
        kind, detail = "unclear", "exit " + str(r.rc) + " without a 'hanashi: …' message: " + detail
    return Outcome("chat", case_name, kind, detail, r)


def engine(case_name: str, gguf: Path, work: Path, *, ctx: int | None = None, sane=None) -> Outcome:
    cmd = [PYTHON, "-m", "tests.adversarial.drive_engine", str(gguf)] + (["--ctx", str(ctx)] if ctx else [])
    env = env_for(work)
    r = run(cmd, timeout=TIMEOUT["engine"], env=env)
    if r.rc == 4:
        return Outcome("engine", case_name, "hang", r.stderr.strip().splitlines()[-1], r)
    left = [Path(env["TMPDIR"]) / n for n in listing(Path(env["TMPDIR"]))]
    kind, detail = classify(r, leftovers=left, sane=(lambda run_: sane(run_.stdout, run_.stderr)) if sane else None)
    return Outcome("engine", case_name, kind, detail, r)


def library_batch(files: dict[str, Path], work: Path) -> dict[str, Outcome]:
    """All ``files`` (case → GGUF) in one models folder, listed once; on a failure, one by one."""
    data = fresh_dir(work / "data")
    models = fresh_dir(data / "models")
    names = {}
    for case, f in files.items():
        target = place(f, models / f"{case}.gguf")
        names[target.name] = case
    r = _library_run(work)
    kind, detail = classify(r)
    if kind in ("clean", "safe"):
        listed = _entries(r.stdout)
        return {case: _library_outcome(case, name, listed, r, models / name) for name, case in names.items()}
    outcomes = {}
    for name, case in names.items():
        outcomes[case] = library_one(case, models / name, work / "one")
    return outcomes


def library_one(case_name: str, gguf: Path, work: Path) -> Outcome:
    data = fresh_dir(work / "data")
    models = fresh_dir(data / "models")
    target = place(gguf, models / gguf.name)
    r = _library_run(work)
    kind, detail = classify(r)
    if kind not in ("clean", "safe"):
        return Outcome("library", case_name, kind, detail, r)
    return _library_outcome(case_name, target.name, _entries(r.stdout), r, target)


def _library_run(work: Path) -> Run:
    env = base_env(HANASHI_DATA_DIR=str(work / "data"), TMPDIR=str(fresh_dir(work / "tmp")))
    return run([PYTHON, "-m", "tests.adversarial.drive_library"], timeout=TIMEOUT["library"], env=env)


def _entries(stdout: str) -> dict[str, tuple[str, str]]:
    out = {}
    for line in stdout.splitlines():
        if line.startswith("ENTRY "):
            name, usable, shown = line[6:].split("\t", 2)
            out[name] = (usable, shown)
    return out


def _library_outcome(case: str, name: str, listed: dict, r: Run, path: Path) -> Outcome:
    if name not in listed and path.is_dir() and not path.is_symlink():
        return Outcome("library", case, "safe", "a folder named *.gguf is not listed as a model", r)
    if name not in listed:
        return Outcome("library", case, "silent", f"{name} is missing from the library listing", r)
    usable, shown = listed[name]
    if usable == "unusable":
        return Outcome("library", case, "clean", f"listed as unusable: {shown}", r)
    return Outcome("library", case, "safe", f"listed: {shown}", r)


def gui(case_name: str, gguf: Path | None, work: Path, *, models: dict[str, Path] | None = None,
        open_it: bool = True, settings_json: str | None = None, driver_args: tuple[str, ...] = ()) -> Outcome:
    """The desktop window with ``gguf`` in the models folder (and opened when ``open_it``).
    ``settings_json``: the settings file the app finds ("FIFO": a pipe that never delivers)."""
    import os

    data = fresh_dir(work / "data")
    folder = fresh_dir(data / "models")
    for name, f in (models or {}).items():
        place(f, folder / name)
    target = None
    if gguf is not None:
        target = place(gguf, folder / (gguf.name if gguf.suffix == ".gguf" else gguf.name + ".gguf"))
    if settings_json is not None:
        driver_args = (*driver_args, "--keep-settings")
        if settings_json == "FIFO":
            os.mkfifo(data / "settings.json")
        else:
            (data / "settings.json").write_text(settings_json.replace("{data}", str(data)))
    cmd = [PYTHON, "-m", "tests.adversarial.drive_gui", *driver_args] + ([str(target)] if target and open_it else [])
    env = base_env(HANASHI_DATA_DIR=str(data), TMPDIR=str(fresh_dir(work / "tmp")), QT_QPA_PLATFORM="offscreen")
    r = run(cmd, timeout=TIMEOUT["gui"], env=env)
    result = {}
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
    if r.rc in (3, 4, 5):
        return Outcome("gui", case_name, "hang", result.get("problem", f"exit {r.rc}"), r, {"result": result})
    stray = sorted(n for n in listing(folder) if n.endswith(".partial") and n.startswith("."))
    kind, detail = classify(r, leftovers=[folder / n for n in stray])
    if kind == "safe":
        if result.get("load_failed") or result.get("reply_failed"):
            kind, detail = "clean", (result.get("load_failed") or result.get("reply_failed") or "")[:300]
        elif not result:
            kind, detail = "unclear", "the window printed no result"
        else:
            detail = f"loaded {result.get('loaded')}, reply {result.get('reply')!r}"
    return Outcome("gui", case_name, kind, detail, r, {"result": result})


def gui_import(case_name: str, folder: Path, work: Path, *, out_type: str = "f32", cancel_after: float | None = None,
               quit_after: float | None = None, at_stage: str | None = None, expect: str = "either") -> Outcome:
    """The library's *Import folder…* on ``folder``; optionally Cancel, or quit the app, part-way."""
    data = fresh_dir(work / "data")
    models = fresh_dir(data / "models")
    tmp = fresh_dir(work / "tmp")
    cmd = [PYTHON, "-m", "tests.adversarial.drive_gui", "--import", str(folder), "--type", out_type]
    if cancel_after is not None:
        cmd += ["--cancel-after", str(cancel_after)]
    if quit_after is not None:
        cmd += ["--quit-after", str(quit_after)]
    if at_stage:
        cmd += ["--at-stage", at_stage]
    env = base_env(HANASHI_DATA_DIR=str(data), TMPDIR=str(tmp), QT_QPA_PLATFORM="offscreen")
    r = run(cmd, timeout=TIMEOUT["gui"] + 90, env=env)
    result = {}
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
    if r.rc == 7:
        return Outcome("gui-import", case_name, "hang", result.get("problem", "exit 7"), r, {"result": result})
    left = [models / n for n in listing(models) if n.startswith(".") or n.endswith(".partial")]
    left += [tmp / n for n in listing(tmp)]
    interrupted = cancel_after is not None or quit_after is not None
    if interrupted:
        left += [models / n for n in listing(models) if n.endswith(".gguf")]
    kind, detail = classify(r, leftovers=left)
    if kind == "safe":
        if not result:
            kind, detail = "unclear", "the window printed no result"
        elif result.get("import_failed"):
            kind, detail = "clean", result["import_failed"][:300]
        elif interrupted:
            detail = f"stopped: {result.get('stage')} ({result.get('cancel_seconds', result.get('quit_seconds'))}s)"
        elif expect == "error":
            kind, detail = "silent", f"imported an input that must be refused: {result.get('stage')}"
        else:
            detail = str(result.get("stage"))
    return Outcome("gui-import", case_name, kind, detail, r, {"result": result})
