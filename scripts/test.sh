#!/usr/bin/env bash
# The test command: set-up (venvs, engine) if needed, then the whole suite, engine journeys
# included, once per end of the supported Pulumi SDK range: the oldest the package claims
# (.venv-floor, constraints-floor.txt) and the newest pip resolves today (.venv,
# constraints.txt), both with the same CLI. Tests start what they need themselves (emulator,
# pulumi CLI) on loopback. Extra arguments go to both pytest runs; VDM_TEST_SDKS=floor or
# VDM_TEST_SDKS=latest runs one end only (for local iteration; CI runs both).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
# shellcheck source=/dev/null
source .tools/env.sh

ends=${VDM_TEST_SDKS:-floor latest}
status=0
summary=()
passed=0
failed=0
for end in $ends; do
  case "$end" in
    floor) venv="$ROOT/.venv-floor" ;;
    latest) venv="$ROOT/.venv" ;;
    *) echo "VDM_TEST_SDKS: unknown end '$end' (floor, latest)" >&2; exit 2 ;;
  esac
  sdk=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("pulumi"))')
  echo
  echo "=== tests on pulumi SDK $sdk ($end of the supported range), CLI $(pulumi version) ==="
  out="$ROOT/.tools/pytest-$end.log"
  set +e
  PATH="$venv/bin:$PATH" PULUMI_PYTHON_CMD="$venv/bin/python" \
    "$venv/bin/python" -m pytest -p no:cacheprovider "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  set -e
  # pytest's own closing line, e.g. "==== 420 passed, 2 warnings in 650.1s ====".
  line=$(grep -E '^=+ .*(passed|failed|error|no tests ran).* =+$' "$out" | tail -n 1 | sed 's/^=* //; s/ =*$//')
  summary+=("pulumi SDK $sdk ($end): ${line:-no pytest summary} (exit $rc)")
  n=$(sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p' <<<"$line"); passed=$((passed + ${n:-0}))
  n=$(sed -n 's/.*\b\([0-9][0-9]*\) failed.*/\1/p' <<<"$line"); failed=$((failed + ${n:-0}))
  n=$(sed -n 's/.*\b\([0-9][0-9]*\) errors\{0,1\}.*/\1/p' <<<"$line"); failed=$((failed + ${n:-0}))
  [ "$rc" -eq 0 ] || status=$rc
done
echo
printf '%s\n' "${summary[@]}"
# One closing line over both runs.
echo "total: $passed passed, $failed failed"
exit "$status"
