#!/usr/bin/env bash
# The test command: set-up (venv, engine) if needed, then the whole suite, engine journeys
# included. Tests start what they need themselves (emulator, pulumi CLI) on loopback.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
# shellcheck source=/dev/null
source .tools/env.sh
exec python -m pytest "$@"
