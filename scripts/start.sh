#!/usr/bin/env bash
# Sets up .venv and starts Hanashi.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
exec .venv/bin/hanashi "$@"
