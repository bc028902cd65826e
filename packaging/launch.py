"""Entry point of the packaged app: ``hanashi`` opens the window, ``hanashi chat …`` the terminal chat."""

import sys

from app.__main__ import main

sys.exit(main())
