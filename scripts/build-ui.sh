#!/usr/bin/env bash
# Builds the page (ui/ → ui/dist), which the desktop binary embeds at compile time.
set -euo pipefail
cd "$(dirname "$0")/../ui"
npm run build --silent
