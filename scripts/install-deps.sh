#!/usr/bin/env bash
# Installs what wardgis needs to build, run and test on Debian 12, skipping what is there.
# Safe to run again. Needs root (or sudo) for Debian packages; no other downloads than the
# package registries (Debian, crates.io, npm, PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, by purpose.
DEBIAN_PACKAGES=(
  # building the desktop app (Tauri 2 on WebKitGTK)
  build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev file
  # running it headless and driving it over WebDriver
  xvfb xauth webkit2gtk-driver libgl1-mesa-dri x11-utils
  # Chinese labels on the map, rendered from local fonts
  fonts-noto-cjk
  # independent checks of what wardgis writes: GDAL for GeoPackage/GeoJSON, poppler for PDF
  gdal-bin poppler-utils
  # Python for the independent vector-tile decoder used by the CLI tests
  python3 python3-pip
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "install-deps: cargo not found; install the Rust toolchain (rustup) first" >&2
  exit 1
fi

# tauri-driver: the WebDriver bridge the end-to-end tests start.
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "install-deps: installing tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0 --quiet
fi

# Python packages the tests use as independent checks: mapbox-vector-tile decodes our tiles
# (cli/tests/decode_mvt.py), openpyxl reads and fills our field workbooks
# (cli/tests/read_xlsx.py, fill_xlsx.py). Debian's own Python refuses pip installs outside a
# venv (PEP 668) unless told otherwise.
for module_package in mapbox_vector_tile:mapbox-vector-tile openpyxl:openpyxl; do
  module="${module_package%%:*}"; package="${module_package##*:}"
  if ! python3 -c "import $module" 2>/dev/null; then
    echo "install-deps: installing the Python package $package"
    python3 -m pip install --quiet --disable-pip-version-check "$package" 2>/dev/null \
      || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages "$package"
  fi
done

# npm packages of the page, exactly as the lockfile pins them.
if ! command -v npm >/dev/null; then
  echo "install-deps: npm not found; install Node.js 20 or later first" >&2
  exit 1
fi
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "install-deps: installing the page's npm packages (npm ci)"
  npm ci --prefix ui --no-audit --no-fund --loglevel=error
fi
echo "install-deps: ok"
