#!/usr/bin/env bash
# Sets up .venv and starts Hanashi's desktop app (arguments: an optional .gguf to open, --lang, --theme).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
bash scripts/install-gui-deps.sh runtime
exec .venv/bin/python -m app.gui "$@"
