# Shared helpers of the run/test scripts: install what is missing, say what is happening.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
  echo "installing $* (apt)" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}

require_cargo() {
  command -v cargo >/dev/null || { echo "cargo not found: install a Rust toolchain (rustup)" >&2; exit 1; }
}

require_node() {
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
}

# C toolchain and OpenSSL headers: josekit links the system OpenSSL, SQLite and mimalloc are
# compiled from C.
require_build_deps() {
  local missing=()
  command -v cc >/dev/null || missing+=(build-essential)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  # tests/it runs the README's examples (curl, jq) and pipes `mockbank tpp sign` into curl.
  command -v curl >/dev/null || missing+=(curl)
  command -v jq >/dev/null || missing+=(jq)
  pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

# The browser UI (ui/, embedded into the binary by crates/mockbank-server/build.rs):
# `npm ci` when the lock file changed, `npm run build` when a source is newer than ui/dist.
# Skipping an up-to-date build keeps ui/dist as it is, so cargo does not re-embed it and
# recompile the server for nothing.
build_ui() {
  require_node || return 1
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then
    echo "the browser UI needs Node.js 20.19 or newer to build (found $(node --version))" >&2
    return 1
  fi
  (
    cd ui || exit 1
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      # npm 11 writes lock files without the optional per-platform packages of rollup (the
      # npm/cli optional-dependencies bug), which `npm ci` then refuses: fall back to install.
      npm ci --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error || exit 1
    fi
    if [ ! -f dist/index.html ] ||
      [ -n "$(find index.html package-lock.json vite.config.ts tsconfig.json src public -newer dist/index.html -print -quit)" ]; then
      echo "building the browser UI (ui/)" >&2
      npm run build --silent || exit 1
    fi
  )
}

# Debian's Chromium for the browser tests (playwright-core drives it; no browser download).
require_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium fonts-dejavu-core
}

# Installs those of the named Debian packages that are not installed yet.
apt_require() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

# The desktop app (src-tauri/, Tauri v2) links WebKitGTK 4.1 and GTK 3; all from Debian 12.
require_desktop_deps() {
  apt_require build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev \
    libayatana-appindicator3-dev librsvg2-dev libxdo-dev
}

# What runs the desktop app without a screen and photographs it: Xvfb (xvfb-run needs
# xauth), ImageMagick (`import`, `convert`), curl for a request.
require_desktop_test_deps() {
  apt_require xvfb xauth imagemagick curl
}

# podman as it runs on these build machines (no systemd cgroups, no crun, no ulimit changes);
# the flags are harmless elsewhere. PODMAN_FLAGS replaces them.
podman_cmd() {
  local conf="${TMPDIR:-/tmp}/mockbank-containers.conf"
  [ -f "$conf" ] || printf '[containers]\ndefault_ulimits = []\n' >"$conf"
  # shellcheck disable=SC2086
  CONTAINERS_CONF="${CONTAINERS_CONF:-$conf}" podman ${PODMAN_FLAGS---storage-driver vfs --runtime runc --cgroup-manager cgroupfs} "$@"
}

# The Windows compile check: `cargo check` of the `mockbank` binary for Windows (OpenSSL
# vendored, C parts through MinGW). Running it needs Windows: Debian's Wine lacks what Rust's
# standard library loads, so the release pipeline's Windows runner runs it.
windows_check() {
  if ! command -v rustup >/dev/null; then
    echo "skipping the Windows compile check: no rustup to add the target" >&2
    return 0
  fi
  rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu
  apt_require gcc-mingw-w64-x86-64 perl make
  cargo check --locked --target x86_64-pc-windows-gnu --features vendored-openssl -p mockbank
}
