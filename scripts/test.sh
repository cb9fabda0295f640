#!/usr/bin/env bash
# The README's test command: every Rust test of the workspace (unit tests per crate and the
# black-box tests in tests/it that start the real binary over HTTPS), then the same binary
# driven by a standard OAuth client library (openid-client, tests/oauth-client) and compared
# with the reference OpenID provider (oidc-provider, tests/reference-op), then the
# browser UI in Debian's Chromium (ui/e2e), then the desktop app in a real window under Xvfb
# (scripts/desktop-smoke.sh, which also runs its unit tests). On the way, `cargo check` for
# Windows (x86_64-pc-windows-gnu).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

require_cargo
require_build_deps
# tests/it/ci.rs reads mockbank's JUnit reports with junitparser, as CI tools do.
python3 -c 'import junitparser' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore junitparser ||
  echo "warning: junitparser did not install; tests/it/ci.rs falls back to Python's XML parser" >&2
# The UI first: every cargo build below embeds ui/dist into the binary.
build_ui
# The default members: everything but the desktop app (src-tauri links WebKitGTK; its tests
# run in desktop-smoke.sh below, after its system packages are installed).
cargo test --locked "$@"
# The same code for Windows compiles (Linux-only parts are behind cfg with a fallback).
echo "== Windows compile check (x86_64-pc-windows-gnu)"
windows_check

require_node
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/mockbank"
cargo build --locked --bin mockbank
(cd tests/oauth-client && npm ci --no-audit --no-fund --loglevel=error && MOCKBANK_BIN="$bin" node run.mjs)
# The generic profile against the reference implementation (oidc-provider): the same bodies,
# the same verdicts, except the documented, switchable differences (tests/reference-op).
(cd tests/reference-op && npm ci --no-audit --no-fund --loglevel=error && MOCKBANK_BIN="$bin" node run.mjs)

require_chromium
(cd ui && MOCKBANK_BIN="$bin" npm run e2e --silent)

bash scripts/desktop-smoke.sh
