#!/usr/bin/env bash
# The README's run command. With a display ($DISPLAY or $WAYLAND_DISPLAY) and no arguments:
# builds and opens the desktop app (src-tauri/, installing the system packages it needs),
# which runs mockbank inside it on 127.0.0.1:8443 (a free port if that is taken). Otherwise,
# or with `--headless`: builds and starts mockbank headless on 127.0.0.1:8443 (data in
# $XDG_DATA_HOME/mockbank); extra arguments go to `mockbank serve` (and mean headless).
set -euo pipefail
# Paths given to `serve` (--data-dir, --profiles, --scenarios) are the caller's: resolved
# against the folder run.sh was started from, before it moves to the repository.
args=()
path_flag=""
for arg in "$@"; do
  if [ -n "$path_flag" ]; then
    [[ $arg == /* ]] || arg="$PWD/$arg"
    path_flag=""
  else
    case $arg in
      --data-dir | --profiles | --scenarios) path_flag=$arg ;;
      --data-dir=[!/]* | --profiles=[!/]* | --scenarios=[!/]*) arg="${arg%%=*}=$PWD/${arg#*=}" ;;
    esac
  fi
  args+=("$arg")
done
set -- "${args[@]+"${args[@]}"}"
cd "$(dirname "$0")/.."
source scripts/lib.sh
require_cargo
require_build_deps

headless=0
if [ "${1:-}" = --headless ]; then
  headless=1
  shift
fi
if [ $# -gt 0 ] || [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then headless=1; fi

if [ "$headless" = 0 ]; then
  require_desktop_deps
  # The desktop app embeds ui/dist: it cannot be built without it.
  build_ui
  exec cargo run --release --locked -p mockbank-desktop
fi

# The browser UI is embedded into the binary; without it /ui/ shows a first-run page.
build_ui || echo "warning: the browser UI did not build; mockbank starts without it" >&2
exec cargo run --release --locked --bin mockbank -- serve "$@"
