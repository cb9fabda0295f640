#!/usr/bin/env bash
# obuk-v3.2 registration throughput (signed requests over mutual TLS, a fresh
# jti each) next to this machine's RSA-2048 verify rate from `openssl speed`.
# See benches/README.md and benches/obuk_registration.rs.
#
#   bash benches/obuk.sh                                  # 20000 registrations, 16 connections
#   bash benches/obuk.sh --requests 5000 --concurrency 32
#
# Arguments are passed to the bench (`--help` lists them). Environment (optional):
#   CARGO_TARGET_DIR    cargo target dir (default $HOME/.cache/mockbank-target)
#   MOCKBANK_BIN        use this mockbank binary instead of the one cargo builds
#   BENCH_RESULTS_DIR   where obuk_registration.json goes (default benches/results)
#
# The issue's target (registrations/s >= 1/3 of verify/s / 2) is reported,
# never asserted: the script fails only if something could not run.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
RESULTS_DIR=${BENCH_RESULTS_DIR:-$SCRIPT_DIR/results}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/mockbank-target}

log() { printf '[obuk.sh] %s\n' "$*" >&2; }
die() { printf '[obuk.sh] error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root or sudo to run: $*"
    fi
}

if ! command -v openssl >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || die "openssl is missing and apt-get is not available"
    log "installing openssl (apt)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null
fi
command -v cargo >/dev/null 2>&1 || die "cargo is required"

cd "$REPO_ROOT"
# `cargo bench` builds the bench and the mockbank binary with the bench profile
# (which inherits the release settings), then runs it.
log "building and running the bench (target dir $CARGO_TARGET_DIR)"
exec cargo bench --locked --bench obuk_registration -- \
    --json "$RESULTS_DIR/obuk_registration.json" "$@"
