#!/usr/bin/env bash
# Regenerates the page's TypeScript types (ui/src/generated/) from the Rust types that cross
# the desktop app's `invoke` and events (src-tauri/src/commands.rs and the core types they
# hold). The test suite fails while the checked-in files differ from what this writes.
set -euo pipefail
cd "$(dirname "$0")/.."
WARDGIS_UPDATE_TYPES=1 cargo test --quiet -p wardgis-desktop --bin wardgis-desktop -- the_generated_typescript_types_are_current
echo "gen-types: wrote ui/src/generated/"
