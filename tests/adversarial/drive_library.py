"""Driver: list the models folder (``HANASHI_DATA_DIR``) as the app's library does.

    HANASHI_DATA_DIR=DIR python -m tests.adversarial.drive_library

One line per entry: ``ENTRY <file name>\t<usable|unusable>\t<text shown>``. Exit 0 when the
listing worked; an exception escapes as a traceback.
"""

from __future__ import annotations

import sys


def main() -> int:
    from app import library

    entries = library.list_models()
    for e in entries:
        shown = e.error if e.error else f"{e.name} | {e.family_text} | {e.quant} | {e.size_text} | {e.parity_text}"
        print(f"ENTRY {e.path.name}\t{'usable' if e.usable else 'unusable'}\t{shown[:200]!r}")
    default = library.default_model()
    print(f"DEFAULT {default.name if default else None}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
