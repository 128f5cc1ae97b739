#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: the virtualenv with this package, and the Pulumi engine
# (CLI + Python language host + dynamic-provider launcher), offline, never touching Pulumi Cloud.
# Writes .tools/env.sh, which every other script sources. Safe to run again: it only redoes
# what changed (pyproject/constraints) and reuses the engine build cached per version.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

log() { printf '[setup] %s\n' "$*" >&2; }

# --- Python ------------------------------------------------------------------------------------
PYTHON=${PYTHON:-python3}
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp_want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
stamp_file="$VENV/.vdm-resources-installed"
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp_want" ]; then
  log "installing vdm-resources and its dev dependencies into .venv"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -c constraints.txt -e ".[dev]"
  echo "$stamp_want" > "$stamp_file"
fi

# --- Engine ------------------------------------------------------------------------------------
# The engine is pinned to the Python SDK's version (constraints.txt).
PULUMI_VERSION=$(sed -n 's/^pulumi==\([0-9.]*\)$/\1/p' constraints.txt)
# The Python language host left sdk/v3 for a module of its own at v3.80, and that module is not
# served by the module proxy reachable here; v3.79.0 is the last sdk/v3 that ships it (see
# tools/engine/python-host/go.mod).
HOST_VERSION=3.79.0
CACHE_ROOT=${VDM_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vdm-resources}
ENGINE_BIN="$CACHE_ROOT/engine-v$PULUMI_VERSION-host-v$HOST_VERSION/bin"

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

use_system=""
if command -v pulumi >/dev/null 2>&1 && command -v pulumi-language-python >/dev/null 2>&1; then
  have=$(pulumi version 2>/dev/null | sed 's/^v//')
  if [ -n "$have" ] && version_ge "$have" "$PULUMI_VERSION"; then
    use_system=$(dirname "$(command -v pulumi)")
    log "using pulumi v$have from $use_system"
  fi
fi

build_engine() {
  command -v go >/dev/null 2>&1 || { log "Go is needed to build the Pulumi engine"; exit 1; }
  local out="$1" tmp
  tmp="$out.partial"
  rm -rf "$tmp"; mkdir -p "$tmp"
  local flags=(-trimpath -tags osusergo,grpcnotrace)
  local xver="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
  log "building the Pulumi CLI v$PULUMI_VERSION from Go modules (cold: several minutes)"
  (cd tools/engine/cli && CGO_ENABLED=0 go build "${flags[@]}" \
      -ldflags "-s -w -X $xver=v$PULUMI_VERSION" \
      -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  log "building the Python language host (sdk/v3 v$HOST_VERSION)"
  (cd tools/engine/python-host && CGO_ENABLED=0 go build "${flags[@]}" \
      -ldflags "-s -w -X $xver=v$HOST_VERSION" \
      -o "$tmp/pulumi-language-python" \
      github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python)
  # The exec shim and the dynamic-provider launcher ship in sdk/v3 at the SDK's own version.
  local sdk_dir
  sdk_dir=$(cd tools/engine/cli && go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
    | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp/"
  install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$tmp/"
  "$tmp/pulumi" version >/dev/null
  rm -rf "$out"; mv "$tmp" "$out"
}

if [ -n "$use_system" ]; then
  ENGINE_BIN="$use_system"
elif [ ! -x "$ENGINE_BIN/pulumi" ] || [ ! -x "$ENGINE_BIN/pulumi-language-python" ]; then
  build_engine "$ENGINE_BIN"
fi

# --- Environment -------------------------------------------------------------------------------
mkdir -p .tools/pulumi-home .pulumi-state
cat > .tools/env.sh <<EOF
# Written by scripts/setup.sh. Offline by construction: local file backend, passphrase secrets,
# no update checks, no plugin downloads, a project-local PULUMI_HOME.
export PATH="$ENGINE_BIN:$VENV/bin:\$PATH"
export PULUMI_HOME="$ROOT/.tools/pulumi-home"
export PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://$ROOT/.pulumi-state}"
export PULUMI_CONFIG_PASSPHRASE="\${PULUMI_CONFIG_PASSPHRASE-vdm-resources-local}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_PYTHON_CMD="$VENV/bin/python"
export VDM_ENGINE_BIN="$ENGINE_BIN"
EOF
log "engine: $("$ENGINE_BIN/pulumi" version) in $ENGINE_BIN"
