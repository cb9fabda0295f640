#!/usr/bin/env bash
# The README's run command: builds and starts mockbank headless on 127.0.0.1:8443
# (data in $XDG_DATA_HOME/mockbank). Extra arguments go to `mockbank serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
require_cargo
require_build_deps
exec cargo run --release --locked --bin mockbank -- serve "$@"
