#!/usr/bin/env bash
# The README's test command: every test of the workspace (unit tests per crate and the
# black-box tests in tests/ that start the real binary over HTTPS).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "cargo not found: install a Rust toolchain (rustup)" >&2; exit 1; }
cargo test --locked --workspace "$@"
