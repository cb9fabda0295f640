#!/usr/bin/env bash
# scripts/install.sh against a real release, served over HTTP on loopback.
#
#   bash tests/install/test-install.sh DIST_DIR      (or DIST_DIR=... bash tests/install/...)
#
# DIST_DIR holds what a release publishes: SHA256SUMS and the archive of this machine
# (mockbank-V-x86_64-unknown-linux-musl.tar.gz, or the aarch64 one); V is read from the
# archive's name. Needs python3 (its http.server), curl or wget, and tar.
#
# Checks, each in fresh temporary folders:
#   1. an install from the served release: bin/mockbank --version prints V, the cache keeps it;
#   2. the same version again with the server stopped: served from the cache alone;
#   3. `latest` resolves to V from SHA256SUMS;
#   4. an archive with one byte changed: refused, non-zero, nothing installed or cached;
#   5. an unknown version, and a folder without a release: refused, non-zero, saying so.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
install_sh="$here/../../scripts/install.sh"
dist=${1:-${DIST_DIR:-}}
[ -n "$dist" ] || { echo "usage: $0 DIST_DIR (or DIST_DIR=...)" >&2; exit 2; }
[ -d "$dist" ] || { echo "$dist is not a folder" >&2; exit 2; }
[ -f "$dist/SHA256SUMS" ] || { echo "$dist has no SHA256SUMS" >&2; exit 2; }
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
  Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  *) echo "this test runs the Linux musl archive: not on $(uname -s)/$(uname -m)" >&2; exit 2 ;;
esac
archive=""
for path in "$dist"/mockbank-*-"$target".tar.gz; do
  [ -f "$path" ] && archive=${path##*/} && break
done
[ -n "$archive" ] || { echo "$dist has no mockbank-V-$target.tar.gz" >&2; exit 2; }
version=${archive#mockbank-}
version=${version%-"$target".tar.gz}

work=$(mktemp -d "${TMPDIR:-/tmp}/mockbank-install-test.XXXXXX")
server=""
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "not ok - $*"; }

# A copy of the release (SHA256SUMS and the archive) in a folder of its own.
served_copy() { # NAME
  mkdir -p "$work/$1"
  cp "$dist/SHA256SUMS" "$dist/$archive" "$work/$1/"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

fetch() { # URL FILE
  if command -v curl >/dev/null 2>&1; then curl -fsS -o "$2" "$1"; else wget -q -O "$2" "$1"; fi
}

# Serves folder NAME on loopback; sets $base.
serve() { # NAME
  stop_server
  local port
  port=$(free_port)
  python3 -m http.server --bind 127.0.0.1 --directory "$work/$1" "$port" >"$work/http-$1.log" 2>&1 &
  server=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 50); do
    fetch "$base/SHA256SUMS" "$work/probe" 2>/dev/null && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "the HTTP server did not start:" >&2
  cat "$work/http-$1.log" >&2
  exit 1
}

# Runs install.sh with the given arguments; its output in $work/out, status in $status.
run_install() {
  set +e
  env -u MOCKBANK_VERSION -u MOCKBANK_REPO -u MOCKBANK_BASE_URL -u MOCKBANK_CACHE_DIR \
    -u MOCKBANK_INSTALL_DIR -u MOCKBANK_TARGET \
    bash "$install_sh" "$@" >"$work/out" 2>&1
  status=$?
  set -e
}

show() { sed 's/^/    /' "$work/out"; }

echo "# install.sh with mockbank $version ($archive)"

# 1. From the served release, kept in the cache.
served_copy release
serve release
run_install --base-url "$base" --version "$version" --dir "$work/one/bin" --cache "$work/cache"
if [ "$status" = 0 ] && "$work/one/bin/mockbank" --version | grep -q "^mockbank $version "; then
  pass "installs $version from $base: $("$work/one/bin/mockbank" --version)"
else
  fail "install from the served release (exit $status)"; show
fi
if [ -f "$work/cache/$version/$archive" ] && [ -f "$work/cache/$version/SHA256SUMS" ]; then
  pass "the verified archive is in the cache"
else
  fail "the cache holds no $version/$archive"
fi
if grep -q "^installed $work/one/bin/mockbank$" "$work/out" && grep -q "^mockbank $version " "$work/out"; then
  pass "prints the installed path and its --version"
else
  fail "install.sh did not print the path and the version"; show
fi

# 2. Again with the server stopped (settings from the environment this time): the cache alone.
stop_server
set +e
MOCKBANK_BASE_URL="$base" MOCKBANK_VERSION="v$version" MOCKBANK_INSTALL_DIR="$work/two/bin" \
  MOCKBANK_CACHE_DIR="$work/cache" bash "$install_sh" >"$work/out" 2>&1
status=$?
set -e
if [ "$status" = 0 ] && "$work/two/bin/mockbank" --version | grep -q "^mockbank $version "; then
  pass "installs $version again from the cache, with no server"
else
  fail "install from the cache with the server stopped (exit $status)"; show
fi

# 3. `latest`: the version is read from SHA256SUMS.
serve release
run_install --base-url "$base" --version latest --resolve
if [ "$status" = 0 ] && [ "$(cat "$work/out")" = "$version" ]; then
  pass "latest resolves to $version"
else
  fail "latest did not resolve to $version (exit $status)"; show
fi
run_install --base-url "$base" --version latest --dir "$work/three/bin"
if [ "$status" = 0 ] && "$work/three/bin/mockbank" --version | grep -q "^mockbank $version "; then
  pass "installs latest"
else
  fail "install latest (exit $status)"; show
fi

# 4. One byte of the archive changed.
served_copy corrupt
size=$(wc -c <"$work/corrupt/$archive")
python3 - "$work/corrupt/$archive" $((size / 2)) <<'EOF'
import sys
path, at = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(at)
    b = f.read(1)
    f.seek(at)
    f.write(bytes([b[0] ^ 0xFF]))
EOF
serve corrupt
run_install --base-url "$base" --version "$version" --dir "$work/four/bin" --cache "$work/four/cache"
if [ "$status" != 0 ] && grep -q "does not match SHA256SUMS" "$work/out"; then
  pass "refuses a corrupted archive (exit $status)"
else
  fail "a corrupted archive was not refused (exit $status)"; show
fi
if [ ! -e "$work/four/bin/mockbank" ] && [ ! -e "$work/four/cache/$version/$archive" ]; then
  pass "nothing installed or cached from the corrupted archive"
else
  fail "the corrupted archive left files behind"
fi

# 5. An unknown version; a folder with no release at all.
serve release
run_install --base-url "$base" --version 99.99.99 --dir "$work/five/bin"
if [ "$status" != 0 ] && grep -q "mockbank 99.99.99 has no archive" "$work/out" && [ ! -e "$work/five/bin/mockbank" ]; then
  pass "refuses an unknown version: $(tail -n 1 "$work/out")"
else
  fail "an unknown version was not refused clearly (exit $status)"; show
fi
run_install --base-url "$base/v99.99.99" --version 99.99.99 --dir "$work/five/bin"
if [ "$status" != 0 ] && grep -q "no mockbank 99.99.99 release found" "$work/out" && [ ! -e "$work/five/bin/mockbank" ]; then
  pass "refuses a missing release: $(tail -n 1 "$work/out")"
else
  fail "a missing release was not refused clearly (exit $status)"; show
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
