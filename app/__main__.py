"""``hanashi``: the desktop app's entry point.

``hanashi chat MODEL.gguf`` runs the terminal chat; without a subcommand the desktop app opens.
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    from . import cli_chat

    parser = argparse.ArgumentParser(prog="hanashi", description="Hanashi (話): offline chat with Japanese LLMs.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat = sub.add_parser("chat", help="chat with a GGUF model in the terminal",
                          description="Chat with a GGUF model in the terminal, streaming each reply.")
    cli_chat.add_arguments(chat)
    chat.set_defaults(func=cli_chat.run)
    return parser


def start_gui(parser: argparse.ArgumentParser) -> int:
    """``hanashi`` with no subcommand opens the desktop app."""
    from app.gui import run

    return run([])


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen (PyInstaller) build starts its worker processes here
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if not argv:
        return start_gui(parser)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
