#!/usr/bin/env bash
# The main job: set-up if needed, start the local SESv2 emulator (seeded with the configuration
# sets of an existing stack), then `pulumi up` of the root project and its outputs.
# Re-running is safe: the emulator's state and the stack's state both persist under .tools/ and
# .pulumi-state/, so a second run shows no changes. Extra arguments go to `pulumi up`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
# shellcheck source=/dev/null
source .tools/env.sh

STACK=${VDM_STACK:-local}
log=.tools/emulator.log
python -m vdm_resources.emulator serve --host 127.0.0.1 --port 0 \
  --state .tools/emulator-state.json --seed scripts/main-seed.json >"$log" 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 150); do
  url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -n1)
  [ -n "$url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { echo "emulator did not start; see $log" >&2; exit 1; }
echo "SESv2 emulator: $url (state: .tools/emulator-state.json)"

# Only the emulator: dummy credentials, and no other AWS settings leak in from the shell.
for var in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$var"; done
export AWS_ENDPOINT_URL_SESV2="$url" AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true

pulumi stack select "$STACK" --create --non-interactive >/dev/null
pulumi config set aws:region us-east-1 --stack "$STACK"
pulumi up --yes --non-interactive --stack "$STACK" "$@"
echo
echo "Stack outputs:"
pulumi stack output --json --stack "$STACK"
