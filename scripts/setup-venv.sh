#!/usr/bin/env bash
# Creates .venv (if missing) and installs Hanashi into it with the given extras.
# The first install compiles llama.cpp through llama-cpp-python (several minutes on 2 cores);
# pip caches the built wheel, so later installs are quick. For an NVIDIA GPU, run with
#   CMAKE_ARGS="-DGGML_CUDA=on" bash scripts/setup-venv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=".venv/.hanashi-installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
    touch "$stamp"
fi
