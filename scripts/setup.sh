#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: two virtualenvs with this package (the newest Pulumi SDK
# a user installs today, and the oldest the package claims), and the Pulumi engine (CLI + Python
# language host + dynamic-provider launcher) built offline from Pulumi's Go modules, never
# touching Pulumi Cloud. Writes .tools/env.sh, which every other script sources. Safe to run
# again: it only redoes what changed (pyproject/constraints) and reuses the engine build cached
# per version outside the clone.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

log() { printf '[setup] %s\n' "$*" >&2; }

# --- Python ------------------------------------------------------------------------------------
# .venv: constraints.txt, the newest SDK (main job, examples, second test run).
# .venv-floor: constraints-floor.txt, the oldest SDK in pyproject's range (first test run).
PYTHON=${PYTHON:-python3}

sdk_version() { sed -n 's/^pulumi==\([0-9.]*\)$/\1/p' "$1"; }

make_venv() {
  local venv="$1" constraints="$2" stamp_want stamp_file
  if [ ! -x "$venv/bin/python" ]; then
    "$PYTHON" -m venv "$venv"
  fi
  stamp_want=$(cat pyproject.toml "$constraints" | sha256sum | cut -c1-16)
  stamp_file="$venv/.vdm-resources-installed"
  if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp_want" ]; then
    local pip_log="$ROOT/.tools/pip-$(basename "$venv").log"
    mkdir -p .tools
    log "installing vdm-resources + dev tools with pulumi $(sdk_version "$constraints") into $(basename "$venv") (about a minute; log: $pip_log)"
    if ! { "$venv/bin/python" -m pip install -q --upgrade pip &&
           "$venv/bin/python" -m pip install -q -c "$constraints" -e ".[dev]"; } >"$pip_log" 2>&1; then
      log "pip failed; last lines of $pip_log:"; tail -n 20 "$pip_log" >&2; exit 1
    fi
    echo "$stamp_want" > "$stamp_file"
  fi
}

make_venv "$ROOT/.venv" constraints.txt
make_venv "$ROOT/.venv-floor" constraints-floor.txt
VENV="$ROOT/.venv"

# --- Engine ------------------------------------------------------------------------------------
# The CLI is the newest github.com/pulumi/pulumi/pkg/v3 the module proxy serves (its version is
# the one in tools/engine/cli/go.mod); both SDKs are tested with it, as users run a current CLI.
CLI_VERSION=$(sed -n 's|^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 v\([0-9.]*\)\( // indirect\)\{0,1\}$|\1|p' \
  tools/engine/cli/go.mod)
[ -n "$CLI_VERSION" ] || { log "no pkg/v3 version in tools/engine/cli/go.mod"; exit 1; }
# The Python language host left sdk/v3 for a module of its own at v3.80, and that module is not
# served by the module proxy reachable here; v3.79.0 is the last sdk/v3 that ships it (see
# tools/engine/python-host/go.mod).
HOST_VERSION=3.79.0
CACHE_ROOT=${VDM_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vdm-resources}
ENGINE_DIR="$CACHE_ROOT/engine-v$CLI_VERSION-host-v$HOST_VERSION"
ENGINE_BIN="$ENGINE_DIR/bin"
BUILD_LOG="$ENGINE_DIR.build.log"

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

use_system=""
if command -v pulumi >/dev/null 2>&1 && command -v pulumi-language-python >/dev/null 2>&1; then
  have=$(pulumi version 2>/dev/null | sed 's/^v//')
  if [ -n "$have" ] && version_ge "$have" "$CLI_VERSION"; then
    use_system=$(dirname "$(command -v pulumi)")
    log "using pulumi v$have from $use_system"
  fi
fi

# One step of the build: a progress line, the output to the log, the elapsed time at the end.
step() {
  local what="$1"; shift
  local t0=$SECONDS
  log "$what ..."
  printf '\n=== %s\n' "$what" >>"$BUILD_LOG"
  if ! "$@" >>"$BUILD_LOG" 2>&1; then
    log "FAILED: $what after $((SECONDS - t0)) s. Full log: $BUILD_LOG; its last lines:"
    tail -n 25 "$BUILD_LOG" >&2
    exit 1
  fi
  log "  done in $((SECONDS - t0)) s"
}

build_engine() {
  command -v go >/dev/null 2>&1 || { log "Go is needed to build the Pulumi engine"; exit 1; }
  local out="$1" tmp
  tmp="$out.partial"
  rm -rf "$tmp"; mkdir -p "$tmp" "$(dirname "$BUILD_LOG")"
  : >"$BUILD_LOG"
  local flags=(-trimpath -tags osusergo,grpcnotrace)
  local xver="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
  log "building the Pulumi engine v$CLI_VERSION from Go modules: a cold build downloads about"
  log "1 GB of modules and compiles for 10-20 minutes on 2 cores; it is cached in $ENGINE_DIR"
  log "and reused by every later run and clone. Full log: $BUILD_LOG"
  step "downloading the CLI's Go modules" \
    bash -c "cd tools/engine/cli && go mod download -x"
  step "compiling the Pulumi CLI v$CLI_VERSION (the long step)" \
    bash -c "cd tools/engine/cli && CGO_ENABLED=0 go build ${flags[*]} \
      -ldflags '-s -w -X $xver=v$CLI_VERSION' -o '$tmp/pulumi' \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
  step "compiling the Python language host (sdk/v3 v$HOST_VERSION)" \
    bash -c "cd tools/engine/python-host && CGO_ENABLED=0 go build ${flags[*]} \
      -ldflags '-s -w -X $xver=v$HOST_VERSION' -o '$tmp/pulumi-language-python' \
      github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
  # The exec shim and the dynamic-provider launcher ship in sdk/v3 (plain scripts); take them at
  # the CLI's version.
  local sdk_dir
  sdk_dir=$(cd tools/engine/cli && go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$CLI_VERSION" \
    | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp/"
  install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$tmp/"
  "$tmp/pulumi" version >/dev/null
  rm -rf "$out"; mv "$tmp" "$out"
  log "engine ready in $ENGINE_BIN"
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
export PULUMI_PYTHON_CMD="\${PULUMI_PYTHON_CMD:-$VENV/bin/python}"
export VDM_ENGINE_BIN="$ENGINE_BIN"
EOF
log "engine: pulumi $("$ENGINE_BIN/pulumi" version) in $ENGINE_BIN"
