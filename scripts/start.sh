#!/usr/bin/env bash
# Sets up .venv and starts Hanashi's desktop app.
#   bash scripts/start.sh [--cuda] [MODEL.gguf] [--lang ja|en] [--theme light|dark]
# --cuda (or CMAKE_ARGS="-DGGML_CUDA=on") builds llama.cpp with CUDA first (see setup-venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
setup=()
app=()
for arg in "$@"; do
    if [ "$arg" = --cuda ]; then setup+=(--cuda); else app+=("$arg"); fi
done
bash scripts/setup-venv.sh ${setup[@]+"${setup[@]}"}
bash scripts/install-gui-deps.sh runtime
exec .venv/bin/python -m app.gui ${app[@]+"${app[@]}"}
