#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite: documentation examples, core unit
# tests, CLI tests that check outputs with GDAL and an independent tile decoder, the
# benchmarks once each as a smoke test, and end-to-end tests of the real desktop window
# under Xvfb over WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-ui.sh
cargo test --workspace --doc
cargo test --workspace --all-targets
