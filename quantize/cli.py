"""``hanashi-quantize``: convert a Hugging Face folder to GGUF, and prove the result faithful."""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import sys
import threading
from pathlib import Path

from .errors import ConversionCancelled, ConversionError
from .families import FAMILY_NAMES

_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


class _Stop:
    """Ctrl-C (SIGINT) and SIGTERM end a run the same way: stop at once, clean up, one line, exit.

    The first signal raises ``KeyboardInterrupt`` where the program is, and also sets ``flag``:
    should the exception land inside a C library's callback and be lost, the conversion still
    stops at its next check of ``flag`` (and work in a child process is killed within 50 ms).
    Later signals only set the flag, so the cleanup that is running is not cut short.
    """

    def __init__(self):
        self.flag = threading.Event()
        self.signum: int | None = None
        self.after = ""  # what the stop line adds for this command
        self.previous = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal was closed
            self.previous[sig] = signal.signal(sig, self._handler)

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous.clear()

    def _handler(self, signum, _frame) -> None:
        first = not self.flag.is_set()
        self.signum = self.signum or signum
        self.flag.set()
        if first:
            raise KeyboardInterrupt

    def exit_code(self) -> int:
        return _EXIT.get(self.signum, 130)

    def line(self) -> str:
        name = {signal.SIGTERM: "stopped (SIGTERM)", signal.SIGHUP: "stopped (SIGHUP)"}.get(self.signum, "cancelled")
        return f"{name}; nothing was written{self.after}"


_stop = _Stop()


class _Bars:
    """One terminal progress bar per stage (writing, quantizing), in bytes."""

    def __init__(self):
        self.bars = {}

    def __call__(self, stage: str, done: int, total: int, detail: str) -> None:
        if _stop.flag.is_set():
            raise ConversionCancelled()
        if stage == "parity":
            for bar in self.bars.values():
                bar.close()
            print(detail, file=sys.stderr)
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            for other in self.bars.values():  # stages follow each other: finish the last one's line
                other.close()
            label = {"write": "writing", "quantize": "quantizing", "download": "downloading"}.get(stage, stage)
            bar = self.bars[stage] = tqdm(total=total, desc=label, unit="B", unit_scale=True,
                                          unit_divisor=1024, file=sys.stderr, leave=True)
        bar.total = total
        bar.update(done - bar.n)

    def close(self, keep: bool = True):
        for bar in self.bars.values():
            if not keep:
                bar.leave = False  # an interrupted run ends with one line, not half-drawn bars
            bar.close()


def _convert(args) -> int:
    from .cleanup import sweep_partials, sweep_temp
    from .convert import convert

    sweep_partials(args.output.parent if str(args.output.parent) else Path("."))  # an earlier run's leftovers
    sweep_temp()
    bars = _Bars()
    finished = False
    try:
        result = convert(args.model_dir, args.output, args.type, family=args.family,
                         measure_parity=not args.skip_parity, progress=bars, threads=args.threads,
                         cancelled=_stop.flag.is_set, allow_nonfinite=args.allow_nonfinite, force=args.force)
        finished = True
    finally:
        bars.close(keep=finished)
    size = result.path.stat().st_size
    print(f"wrote {result.path} ({size / 2**20:.1f} MiB, {result.out_type}, family {result.family}, "
          f"{result.n_params / 1e6:.1f}M parameters) in {result.seconds:.1f}s")
    if result.token_parity is not None:
        print(result.token_parity.format())
    return 0


def _pull(args) -> int:
    from huggingface_hub.utils import disable_progress_bars

    from .hub import pull

    disable_progress_bars()  # one bar of Hanashi's own over all the files
    _stop.after = "; a partial download is kept: run the same command again to resume it"
    out_dir = args.output.parent if args.output is not None else None
    if out_dir is not None:
        from .cleanup import sweep_partials

        sweep_partials(out_dir if str(out_dir) else Path("."))
    bars = _Bars()
    finished = False
    try:
        result = pull(args.repo_id, revision=args.revision, out_type=args.type, output=args.output,
                      keep_download=args.keep_download, family=args.family, progress=bars,
                      cancelled=_stop.flag.is_set, threads=args.threads, measure_parity=not args.skip_parity,
                      force=args.force)
        finished = True
    finally:
        if not finished:
            bars.close(keep=False)
    bars.close()
    short = result.commit[:12]
    if result.up_to_date:
        print(f"{result.repo_id} at {short} is already converted to {result.out_type}; nothing to do",
              file=sys.stderr)
    else:
        got = f"downloaded {result.downloaded / 2**20:.1f} MiB" if result.downloaded else "nothing downloaded (cached)"
        print(f"{result.repo_id} at {short}: {got}; converted to {result.out_type} "
              f"({result.n_params / 1e6:.1f}M parameters, family {result.family}) in {result.seconds:.1f}s",
              file=sys.stderr)
        if result.parity_report:
            print(result.parity_report, file=sys.stderr)
        if result.removed_download:
            print("removed the downloaded checkpoint (--keep-download keeps it)", file=sys.stderr)
    print(result.path)
    return 0


def _verify(args) -> int:
    from .verify import verify

    report = verify(args.gguf, args.reference, logits=not args.no_logits, threads=args.threads,
                    trust_remote_code=args.trust_remote_code)
    if args.trust_remote_code and not hasattr(report, "rows"):
        print("note: --trust-remote-code applies to byte-level models only; this reference was loaded "
              "without running any of its code", file=sys.stderr)
    print(report.format())
    return 0 if report.ok else 3


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a frozen (PyInstaller) build starts its worker processes here
    p = argparse.ArgumentParser(prog="hanashi-quantize", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="convert a Hugging Face safetensors folder to GGUF")
    c.add_argument("model_dir", type=Path)
    c.add_argument("-o", "--output", type=Path, required=True, help="output .gguf path")
    c.add_argument("--type", default="q4_k_m",
                   help="f32, f16, bf16, q8_0, q6_k, q5_k_m, q5_k_s, q5_0, q4_k_m, q4_k_s, q4_0, q3_k_m, q2_k")
    c.add_argument("--family", choices=FAMILY_NAMES, help="conversation format (detected from the name otherwise)")
    c.add_argument("--skip-parity", action="store_true", help="do not measure tokenizer parity")
    c.add_argument("--threads", type=int, default=None)
    c.add_argument("--allow-nonfinite", action="store_true",
                   help="convert weights that are NaN or infinite (or too large for the output type) "
                        "instead of refusing them")
    c.add_argument("--force", action="store_true",
                   help="replace an existing output file even when it is not a GGUF (never the model's own files)")
    c.set_defaults(func=_convert)
    pl = sub.add_parser("pull", help="download a model from the Hugging Face Hub, convert and check it")
    pl.add_argument("repo_id", help="e.g. rinna/japanese-gpt-neox-3.6b-instruction-ppo")
    pl.add_argument("--revision", default=None, help="branch, tag or commit (default: main)")
    pl.add_argument("--type", default="q4_k_m", help="output type, as for convert")
    pl.add_argument("-o", "--output", type=Path, default=None,
                    help="output .gguf path (default: Hanashi's models folder, named after the repo and type)")
    pl.add_argument("--keep-download", action="store_true",
                    help="keep the downloaded checkpoint in the Hugging Face cache after converting")
    pl.add_argument("--family", choices=FAMILY_NAMES, help="conversation format (from the repo id otherwise)")
    pl.add_argument("--skip-parity", action="store_true", help="do not measure tokenizer parity")
    pl.add_argument("--threads", type=int, default=None)
    pl.add_argument("--force", action="store_true",
                    help="replace an existing output file even when it is not a GGUF")
    pl.set_defaults(func=_pull)
    v = sub.add_parser("verify", help="compare a GGUF with its original checkpoint")
    v.add_argument("gguf", type=Path)
    v.add_argument("--reference", type=Path, required=True, help="the Hugging Face folder it came from")
    v.add_argument("--no-logits", action="store_true", help="tokenizer parity only")
    v.add_argument("--trust-remote-code", action="store_true",
                   help="byte-level models (byGPT) only: run the local folder's own modeling code as the reference")
    v.add_argument("--threads", type=int, default=None)
    v.set_defaults(func=_verify)
    args = p.parse_args(argv)
    _stop.flag.clear()
    _stop.signum = None
    _stop.after = ""
    _stop.install()
    try:
        try:
            code = args.func(args)
        except ConversionError as e:
            if not _stop.flag.is_set():
                print(f"error: {e}", file=sys.stderr)
                return 2
            code = None  # an error caused by the interruption (a killed worker): report the interruption
        except (KeyboardInterrupt, ConversionCancelled):
            code = None
        if code is not None:
            return code
        print(_stop.line(), file=sys.stderr)
        return _stop.exit_code()
    except KeyboardInterrupt:  # a signal that arrived while the line above was being printed
        return _stop.exit_code()
    finally:
        _stop.restore()


if __name__ == "__main__":
    sys.exit(main())
