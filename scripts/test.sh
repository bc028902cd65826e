#!/usr/bin/env bash
# Sets up .venv with the test and reference extras (torch CPU, transformers) and runs every test.
# As root on Debian/Ubuntu it also installs what the GUI and bundle tests need (Qt's X11 libraries,
# Xvfb, Japanese fonts, qemu-user) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh test,reference
bash scripts/install-gui-deps.sh test
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec .venv/bin/python -m pytest "$@"
