"""Entry point of the packaged app: ``hanashi`` opens the window, ``hanashi chat …`` the terminal chat.

``--hanashi-child FD`` is the hidden switch that makes the same executable a worker process for
``quantize.child`` (llama.cpp work that a file could crash runs in such a worker).
"""

import sys

if len(sys.argv) > 2 and sys.argv[1] == "--hanashi-child":
    from quantize.child import child_entry

    child_entry(int(sys.argv[2]))
    sys.exit(0)

from app.__main__ import main

sys.exit(main())
