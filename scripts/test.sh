#!/usr/bin/env bash
# Sets up .venv with the test and reference extras (torch CPU, transformers) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh test,reference
exec .venv/bin/python -m pytest "$@"
