"""``hanashi``: the desktop app's entry point.

    hanashi [MODEL.gguf] [--lang ja|en] [--theme light|dark]   the desktop app
    hanashi chat MODEL.gguf [...]                              the terminal chat
    hanashi export [ID|--all|--list] --format md|json [-o FILE|DIR]   conversations out
    hanashi quantize convert|verify ...                        the converter (hanashi-quantize)
    hanashi --version | --self-test
"""

from __future__ import annotations

import argparse
import sys

SUBCOMMANDS = ("chat", "export", "quantize")


def build_parser() -> argparse.ArgumentParser:
    from . import cli_chat

    parser = argparse.ArgumentParser(
        prog="hanashi", description="Hanashi (話): offline chat with Japanese LLMs. Without a command, "
        "the desktop app opens (hanashi [MODEL.gguf] [--lang ja|en] [--theme light|dark]).")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation headless (demo model, llama.cpp, converter, Qt) and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat = sub.add_parser("chat", help="chat with a GGUF model in the terminal",
                          description="Chat with a GGUF model in the terminal, streaming each reply.")
    cli_chat.add_arguments(chat)
    chat.set_defaults(func=cli_chat.run)
    from . import export_cli

    exporting = sub.add_parser("export", help="export conversations as Markdown or JSON",
                               description="Export conversations as Markdown or JSON (stdout without -o).")
    export_cli.add_arguments(exporting)
    exporting.set_defaults(func=export_cli.run)
    sub.add_parser("quantize", help="convert, quantize and verify models (the same as hanashi-quantize)",
                   add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen (PyInstaller) build starts its worker processes here
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "quantize":
        from quantize.cli import main as quantize_main

        return quantize_main(argv[1:])
    if argv == ["--version"]:
        from .self_test import version_text

        print(version_text())
        return 0
    if argv == ["--self-test"]:
        from .self_test import run

        return run()
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version", "--self-test")):
        from app.gui import run

        return run(argv)  # the desktop app, with its own arguments (a model file, --lang, --theme)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
