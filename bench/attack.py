"""Run every hostile input against every entry point and count what happened.

    .venv/bin/python bench/attack.py [--work DIR]
        [--targets convert,gui-import,verify,chat,engine,library,gui,interrupts]
                                     [--quick] [-k TEXT] [--full] [-v]

Inputs come from tests/adversarial (hostile checkpoint folders, GGUFs, chat templates, settings),
made from tiny models built on first use under ``--work`` (reused afterwards). Each target runs in
a subprocess with a timeout, so a crash or a hang is counted, not suffered. Prints one row per
target — tried / clean error / safe default / crash / hang / traceback / partial file / unclear /
silent (wrong result, exit 0) — and then one line per case that is neither a clean error nor a safe
default. Results are also written to ``DIR/attack-results.json`` so runs can be compared.

--quick runs only the cases the pytest suite uses. The slow targets (the desktop window, verify,
the app's import) run the pytest cases unless --full is given (then every case: about 30 minutes).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.adversarial import checkpoints, ggufs, interrupts, targets  # noqa: E402
from tests.adversarial.harness import KINDS, Outcome, run  # noqa: E402

ALL_TARGETS = ("convert", "gui-import", "verify", "chat", "engine", "library", "gui", "interrupts")
HEADINGS = {"clean": "clean error", "safe": "safe default", "crash": "crash", "hang": "hang",
            "traceback": "traceback", "partial": "partial file", "unclear": "unclear", "silent": "silent"}


def bases(work: Path) -> dict[str, Path]:
    """Good tiny checkpoints and their converted GGUFs (built once, then reused)."""
    from quantize.tiny.models import build_gpt2, build_neox

    root = work / "bases"
    root.mkdir(parents=True, exist_ok=True)
    b = {"neox": root / "tiny-neox", "gpt2": root / "tiny-gpt2"}
    if not (b["neox"] / "model.safetensors").exists():
        build_neox(b["neox"])
    if not (b["gpt2"] / "model.safetensors").exists():
        build_gpt2(b["gpt2"])
    for name in ("neox", "gpt2"):
        gguf = root / f"{name}.gguf"
        if not gguf.exists():
            r = run(targets.cli_command("hanashi-quantize", "quantize.cli") + ["convert", str(b[name]), "-o", str(gguf),
                                                                        "--type", "f32"],
                    timeout=300, env=targets.base_env())
            if r.rc != 0:
                sys.exit(f"cannot convert the good {name} checkpoint:\n{r.output}")
        b[f"{name}-gguf"] = gguf
    return b


def run_checkpoints(b: dict, work: Path, wanted: set[str], quick: bool, full: bool, k: str | None,
                    log) -> list[Outcome]:
    cases = checkpoints.selected(checkpoints.checkpoint_cases(), "pytest" if quick else None)
    out = []
    for case in cases:
        if k and k not in case.name:
            continue
        cw = work / "ckpt" / case.name
        src = case.build(b, targets.fresh_dir(cw) / "src" / f"tiny-{case.base}")
        if "convert" in wanted:
            o = targets.convert(case.name, src, cw, args=case.args, output=case.output, expect=case.expect)
            log(o)
            out.append(o)
        # The app's import: every folder case (not the command-line output options) with --full,
        # else the ones the pytest suite uses.
        if "gui-import" in wanted and case.category != "output" and (full or "pytest" in case.tags):
            src = case.build(b, targets.fresh_dir(cw) / "src" / f"tiny-{case.base}")
            o = targets.gui_import(case.name, src, cw / "import", expect=case.expect,
                                   out_type="q4_k_m" if "q4_k_m" in case.args else "f32")
            log(o)
            out.append(o)
    return out


def run_ggufs(b: dict, work: Path, wanted: set[str], quick: bool, full: bool, k: str | None, log) -> list[Outcome]:
    cases = ggufs.selected(ggufs.gguf_cases(), "pytest" if quick else None)
    cases = [c for c in cases if not k or k in c.name]
    gbases = {"neox": b["neox-gguf"], "gpt2": b["gpt2-gguf"]}
    built = {}
    for case in cases:
        built[case.name] = ggufs.build(case, gbases, work / "gguf" / f"{case.name}.gguf")
    out: list[Outcome] = []
    for case in cases:
        f = built[case.name]
        cw = work / "runs" / case.name
        if "chat" in wanted:
            o = targets.chat(case.name, f, cw, args=case.chat_args, stdin=case.chat_input, sane=case.sane)
            log(o)
            out.append(o)
        if case.chat_args:
            continue  # settings cases are about the terminal chat's options
        if "engine" in wanted:
            o = targets.engine(case.name, f, cw, sane=case.sane)
            log(o)
            out.append(o)
        deep = full or "pytest" in case.tags
        if "verify" in wanted and deep and case.category not in ("template", "sampling"):
            o = targets.verify(case.name, f, b[case.base], cw)
            log(o)
            out.append(o)
        if "gui" in wanted and deep:
            o = targets.gui(case.name, f, cw)
            log(o)
            out.append(o)
    if "library" in wanted:
        files = {c.name: built[c.name] for c in cases if not c.chat_args}
        listed = targets.library_batch(files, work / "library")
        for o in listed.values():
            log(o)
            out.append(o)
        if "engine" in wanted:
            out += consistency(listed, [o for o in out if o.target == "engine"], log)
    if "gui" in wanted and not k:
        from tests.adversarial.app_cases import app_cases

        fifo = ggufs.build(next(c for c in ggufs.special_cases() if c.name == "special-fifo"), gbases,
                           work / "gguf" / "special-fifo.gguf")
        for name, kw, tag in app_cases(b["neox-gguf"], fifo):
            if quick and not tag:
                continue
            kw = dict(kw)
            o = targets.gui(name, kw.pop("gguf"), work / "app" / name, **kw)
            log(o)
            out.append(o)
        files = {f"{c.name}.gguf": built[c.name] for c in cases if not c.chat_args}
        o = targets.gui("app-start-with-every-hostile-file", None, work / "gui-all", models=files, open_it=False)
        log(o)
        out.append(o)
    return out


def consistency(listed: dict[str, Outcome], engine: list[Outcome], log) -> list[Outcome]:
    """A file the library lists as usable must load; one it lists as unusable must be refused."""
    out = []
    for e in engine:
        lib = listed.get(e.case)
        if lib is None or not e.run:
            continue
        refused = e.run.rc == 2 and e.run.stderr.startswith("refused:")  # at load, not during the reply
        usable = lib.kind == "safe" and "not listed" not in lib.detail
        if usable and refused:
            o = Outcome("library-vs-engine", e.case, "silent",
                        f"listed as usable ({lib.detail[:80]}) but the engine refuses it: {e.detail[:160]}", e.run)
        elif not usable and not refused and e.kind == "safe":
            o = Outcome("library-vs-engine", e.case, "silent",
                        f"listed as unusable ({lib.detail[:120]}) but it loads and chats", e.run)
        else:
            o = Outcome("library-vs-engine", e.case, "clean" if not usable else "safe", "consistent", e.run)
        log(o)
        out.append(o)
    return out


def run_interrupts(b: dict, work: Path, log) -> list[Outcome]:
    big = interrupts.make_big(work / "bases" / "big-neox")
    iw = work / "interrupts"
    out = []
    for stage in ("parity", "write", "quantize"):
        out.append(interrupts.ctrl_c(big, iw / f"ctrl-c-{stage}", stage))
        log(out[-1])
    for stage in ("write", "quantize"):
        out.append(interrupts.sigkill_then_sweep(big, b["neox"], iw / f"kill-{stage}", stage))
        log(out[-1])
    # What a killed import leaves in the models folder, then an app start.
    r, out_dir, _tmp, _after = interrupts.signal_at_stage("kill", big, iw / "kill-for-app", "quantize", 9)
    out.append(interrupts.gui_sweeps_stale(b["neox"] / "config.json", iw / "app-start", out_dir))
    log(out[-1])
    for stage in ("Checking", "Writing", "Quantizing"):
        for how in ("cancel_after", "quit_after"):
            o = targets.gui_import(f"import-{how.split('_')[0]}-while-{stage.lower()}", big,
                                   iw / f"import-{how}-{stage}", out_type="q4_k_m", at_stage=stage, **{how: 0.2})
            log(o)
            out.append(o)
    out.append(interrupts.disk_full_tmpfs(b["neox"], iw / "tmpfs"))
    log(out[-1])
    out.append(interrupts.disk_full_rlimit(b["neox"], iw / "rlimit"))
    log(out[-1])
    return out


def table(outcomes: list[Outcome]) -> str:
    rows = {}
    for o in outcomes:
        rows.setdefault(o.target, Counter())[o.kind] += 1
    cols = ["tried"] + [HEADINGS[k] for k in KINDS]
    width = max(len(c) for c in cols)
    lines = [f"{'target':<18}" + "".join(f"{c:>{width + 2}}" for c in cols)]
    total = Counter()
    for target in [t for t in ALL_TARGETS if t in rows] + sorted(set(rows) - set(ALL_TARGETS)):
        c = rows[target]
        total.update(c)
        lines.append(f"{target:<18}" + f"{sum(c.values()):>{width + 2}}" + "".join(f"{c[k]:>{width + 2}}" for k in KINDS))
    lines.append(f"{'all':<18}" + f"{sum(total.values()):>{width + 2}}" + "".join(f"{total[k]:>{width + 2}}" for k in KINDS))
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", type=Path, default=Path("/tmp/hanashi-attack-work"))
    p.add_argument("--targets", default=",".join(ALL_TARGETS))
    p.add_argument("--quick", action="store_true", help="only the cases the pytest suite runs")
    p.add_argument("--full", action="store_true", help="the GUI for every GGUF case")
    p.add_argument("-k", help="only cases whose name contains this")
    p.add_argument("-v", "--verbose", action="store_true", help="print every non-clean case's command and output")
    a = p.parse_args()
    wanted = set(a.targets.split(","))
    a.work.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    b = bases(a.work)
    outcomes: list[Outcome] = []

    def log(o: Outcome) -> None:
        mark = "ok " if o.ok else "BAD"
        print(f"{mark} {o.target:<8} {o.kind:<9} {o.case}", file=sys.stderr, flush=True)

    if wanted & {"convert", "gui-import"}:
        outcomes += run_checkpoints(b, a.work, wanted, a.quick, a.full, a.k, log)
    if wanted & {"chat", "engine", "verify", "library", "gui"}:
        outcomes += run_ggufs(b, a.work, wanted, a.quick, a.full, a.k, log)
    if "interrupts" in wanted and not a.k:
        outcomes += run_interrupts(b, a.work, log)

    print(table(outcomes))
    bad = [o for o in outcomes if not o.ok]
    print(f"\n{len(bad)} case(s) neither a clean error nor a safe default ({time.monotonic() - t0:.0f}s):")
    for o in bad:
        print(o.describe() if a.verbose else f"  {o.target:<8} {o.kind:<9} {o.case}: {o.detail[:220]}")
    results = [{"target": o.target, "case": o.case, "kind": o.kind, "detail": o.detail,
                "cmd": o.run.cmd if o.run else None, "rc": o.run.rc if o.run else None,
                "output_tail": (o.run.output[-3000:] if o.run else "")} for o in outcomes]
    (a.work / "attack-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
