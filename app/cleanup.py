"""The sweep at start: temporary files a killed Hanashi (or import) left behind.

Only Hanashi's own temporary names are removed, and only those whose owner process is gone (see
``quantize.cleanup``): ``.<model>.<pid>.*.partial`` in the models folder, and the workers'
``hanashi-job-*``, ``hanashi-vocab-*`` and ``hanashi-child-*.log`` in the temp directory.
The desktop app runs it once it holds its profile (``app.gui.single_instance``); a file whose
writer is still running (another Hanashi, a ``hanashi-quantize`` into the models folder) stays.
"""

from __future__ import annotations

from pathlib import Path

from quantize.cleanup import sweep_stale

from . import paths


def sweep_at_start() -> list[Path]:
    """Remove stale temporaries; never fails (a folder that can't be read is left as it is)."""
    try:
        folders = [paths.models_dir(create=False)]
    except OSError:
        folders = []
    try:
        return sweep_stale(*[f for f in folders if f.is_dir()])
    except OSError:
        return []
