#!/usr/bin/env bash
# The desktop app (src-tauri/) in a real window: its unit tests, then the app built and
# started under Xvfb with a data folder of its own. Once the window has shown its empty
# list, one client registers with curl, so the trace can only reach the window through the
# live feed. Screenshots: ui/e2e/screenshots/desktop-first-run.png (before) and
# desktop.png (after). Then 20 more registrations, timed from each response to its trace
# row drawn in the window (the app runs with MOCKBANK_DESKTOP_PROBE=1, its UI reports each
# row's first frame; scripts/desktop-latency.mjs pairs them): ui/e2e/screenshots/
# desktop-latency.txt. Fails when the app does not start, does not forward the trace to the
# window, leaves a blank window (a screenshot of nearly one colour), does not report a row
# within 10 s, or does not shut its server down cleanly when asked to quit. Two more starts
# open the window on a route (MOCKBANK_DESKTOP_ROUTE): desktop-compare.png (#/compare) and
# desktop-walkthrough.png (#/walkthrough/obuk-end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

shot=ui/e2e/screenshots/desktop.png
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/mockbank-desktop"

# Inside xvfb-run (see the end): start, register, photograph, quit.
in_window() {
  local tmp=$1 ready="" status
  # (app is global: the EXIT trap below reads it after this function returned)
  # Its own data (XDG_DATA_HOME: app_data_dir) and webview cache, the trace feed logged, and
  # the UI's latency probe on.
  XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config" \
    RUST_LOG="info,mockbank_desktop=debug" MOCKBANK_DESKTOP_PROBE=1 "$bin" >"$tmp/stdout" 2>"$tmp/stderr" &
  app=$!
  # Whatever fails below, the app does not outlive the check.
  trap 'kill "$app" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    ready=$(head -n 1 "$tmp/stdout" 2>/dev/null || true)
    [ -n "$ready" ] && break
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
  done
  if [[ "$ready" != *'"event":"ready"'* ]]; then
    echo "desktop: no ready line; stderr:" >&2
    cat "$tmp/stderr" >&2
    return 1
  fi
  echo "desktop: $ready"
  local base_url ca_cert data_dir
  base_url=$(node -p 'JSON.parse(process.argv[1]).base_url' "$ready")
  ca_cert=$(node -p 'JSON.parse(process.argv[1]).ca_cert' "$ready")
  data_dir=$(dirname "$ca_cert")

  # Let the window load (its list is empty then), so the trace arrives live.
  sleep 4
  import -window root "${shot%.png}-first-run.png"
  local code
  code=$(curl -sS -o "$tmp/register.json" -w '%{http_code}' --cacert "$ca_cert" \
    -H 'Content-Type: application/json' \
    -d '{"redirect_uris":["https://tpp.example/cb"],"client_name":"desktop smoke"}' \
    "$base_url/generic/register")
  if [ "$code" != 201 ]; then
    echo "desktop: registration answered $code: $(cat "$tmp/register.json")" >&2
    return 1
  fi
  echo "desktop: registered a client at $base_url/generic/register (201)"
  sleep 3
  import -window root "$shot"

  if ! node scripts/desktop-latency.mjs "$base_url" "$ca_cert" "$tmp/stderr"; then
    echo "desktop: the latency probe failed; stderr:" >&2
    tail -n 40 "$tmp/stderr" >&2
    return 1
  fi

  # Quit as a user would (SIGTERM takes the same path as closing the window).
  kill -TERM "$app"
  status=0
  wait "$app" || status=$?
  if [ "$status" != 0 ]; then
    echo "desktop: the app exited with $status; stderr:" >&2
    cat "$tmp/stderr" >&2
    return 1
  fi
  if [ -e "$data_dir/server.json" ]; then
    echo "desktop: $data_dir/server.json is still there: the server was not shut down" >&2
    return 1
  fi
  if ! grep -q "traces forwarded to the window" "$tmp/stderr"; then
    echo "desktop: the trace never reached the window's feed; stderr:" >&2
    cat "$tmp/stderr" >&2
    return 1
  fi
  echo "desktop: the trace was forwarded live; the server shut down cleanly"
}

# Another start on the same data, the window opening on ROUTE (MOCKBANK_DESKTOP_ROUTE):
# photographed into SHOT after it has loaded; NAME says which view in the messages.
route_view() {
  local tmp=$1 route=$2 shot_file=$3 name=$4 n=$5
  XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config" \
    MOCKBANK_DESKTOP_ROUTE="$route" "$bin" >"$tmp/stdout$n" 2>"$tmp/stderr$n" &
  app=$!
  trap 'kill "$app" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    grep -q '"event":"ready"' "$tmp/stdout$n" 2>/dev/null && break
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
  done
  if ! grep -q '"event":"ready"' "$tmp/stdout$n"; then
    echo "desktop: no ready line on the start for the $name view; stderr:" >&2
    cat "$tmp/stderr$n" >&2
    return 1
  fi
  sleep 5
  import -window root "$shot_file"
  kill -TERM "$app"
  wait "$app" || { echo "desktop: the app did not exit cleanly after the $name view" >&2; return 1; }
  echo "desktop: opened the $name view ($shot_file)"
}

# A second start on the same data: the window opens on the Compare view.
compare_view() {
  route_view "$1" '#/compare' "${shot%.png}-compare.png" Compare 2
}

# A third: the window opens on a walkthrough (its introduction and step list; nothing run).
walkthrough_view() {
  route_view "$1" '#/walkthrough/obuk-end-to-end' "${shot%.png}-walkthrough.png" Walkthrough 3
}

if [ "${1:-}" = --in-window ]; then
  in_window "$2"
  exit
fi
if [ "${1:-}" = --compare-view ]; then
  compare_view "$2"
  exit
fi
if [ "${1:-}" = --walkthrough-view ]; then
  walkthrough_view "$2"
  exit
fi

require_cargo
require_desktop_deps
require_desktop_test_deps
# Tauri embeds ui/dist: it must exist before cargo runs.
build_ui
echo "== desktop lints"
cargo clippy --locked -p mockbank-desktop --all-targets -- -D warnings
echo "== desktop unit tests (no display)"
env -u DISPLAY -u WAYLAND_DISPLAY cargo test --locked -p mockbank-desktop
echo "== desktop app under Xvfb"
cargo build --locked -p mockbank-desktop

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$shot")"
rm -f "$shot" "${shot%.png}-first-run.png" "${shot%.png}-compare.png" "${shot%.png}-walkthrough.png"
xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" --in-window "$tmp"
xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" --compare-view "$tmp"
xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" --walkthrough-view "$tmp"

# A blank or failed window is (nearly) one colour; the traces view has text, badges, rows.
colours=$(convert "$shot" -format %k info:)
echo "desktop: screenshot $shot has $colours colours"
if [ "$colours" -lt 200 ]; then
  echo "desktop: the window looks blank ($colours colours): see $shot" >&2
  exit 1
fi
# The Compare view has its picker (profiles, cases) and the top bar: not one colour.
colours=$(convert "${shot%.png}-compare.png" -format %k info:)
echo "desktop: screenshot ${shot%.png}-compare.png has $colours colours"
if [ "$colours" -lt 100 ]; then
  echo "desktop: the Compare view looks blank ($colours colours)" >&2
  exit 1
fi
# The Walkthrough view has its step list, the scenario's title and summary, the lanes.
colours=$(convert "${shot%.png}-walkthrough.png" -format %k info:)
echo "desktop: screenshot ${shot%.png}-walkthrough.png has $colours colours"
if [ "$colours" -lt 100 ]; then
  echo "desktop: the Walkthrough view looks blank ($colours colours)" >&2
  exit 1
fi
echo "desktop: 4 passed, 0 failed"
