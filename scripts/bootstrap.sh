#!/usr/bin/env bash
# Installs the Debian packages landguard needs to build, test and run.
# Idempotent: prints nothing and exits 0 when everything is already installed.
#   as root:     apt-get update (once) + apt-get install of what is missing, non-interactively
#   not as root: prints the sudo command to run and exits 1
set -euo pipefail

# Add packages here.
PACKAGES=(
  libgdal-dev gdal-bin          # GDAL (import/export), gdal crate
  libproj-dev proj-bin          # PROJ 9.1 for proj-sys =0.23.1
  postgresql-15-postgis-3       # server binaries under /usr/lib/postgresql/15/bin + PostGIS
  postgresql-client-15          # psql, pg_isready
  clang libclang-dev            # bindgen (proj-sys, gdal-sys)
  pkg-config make
  chromium fonts-noto-cjk       # browser tests of the map viewer (scripts/test-web.sh); CJK glyphs in its screenshots
  poppler-utils                 # pdfinfo and pdftoppm: tests/report.rs renders every page of the annual report's PDF
  python3-qgis qgis-providers   # QGIS's OAPIF provider, headless, as a client in scripts/test-ogc-clients.sh
)
# The viewer's build and tests (web/, scripts/test-web.sh) need node and npm. A node from elsewhere (e.g.
# NodeSource, which bundles npm) is used as it is; Debian's packages only where the commands are missing.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
# Extra packages from the environment, space-separated: EXTRA_PACKAGES="nodejs npm" scripts/bootstrap.sh
read -r -a extra <<<"${EXTRA_PACKAGES:-}"
PACKAGES+=("${extra[@]}")

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: install them with:" >&2
    echo "sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q </dev/null >&2
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >&2
fi

# Rust is not a Debian package here (the stack needs a newer toolchain than bookworm's); check it is there.
if ! command -v cargo >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
  echo "bootstrap: cargo not found; install Rust with rustup (https://rustup.rs) and re-run" >&2
  exit 1
fi
