#!/usr/bin/env bash
# Installs what is missing, builds wardgis, and opens the desktop app on the demo district
# (created in the user's data directory on first run). Pass a .gpkg path to open that instead.
# Without a display it prints the demo district's layers with the command-line tool instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-ui.sh
cargo build --release -p wardgis-cli -p wardgis-desktop
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec target/release/wardgis-desktop "$@"
fi
echo "run: no display; creating the demo district with the command line instead" >&2
out="$(mktemp -d)/demo.gpkg"
target/release/wardgis demo "$out"
echo "run: start the window with DISPLAY set, or under Xvfb: xvfb-run target/release/wardgis-desktop" >&2
