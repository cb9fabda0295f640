#!/usr/bin/env bash
# The README's run command: builds and starts mockbank headless on 127.0.0.1:8443
# (data in $XDG_DATA_HOME/mockbank). Extra arguments go to `mockbank serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
require_cargo
require_build_deps
# The browser UI is embedded into the binary; without it /ui/ shows a first-run page.
build_ui || echo "warning: the browser UI did not build; mockbank starts without it" >&2
exec cargo run --release --locked --bin mockbank -- serve "$@"
