#!/usr/bin/env bash
# Signet's two commands, and the set-up they need on a fresh machine (Debian with rustup, Node.js and npm):
#   .ci/signet.sh run [signet flags…]   build a release and run it on the embedded defaults
#   .ci/signet.sh build                 build the release only (the benchmarks use it)
#   .ci/signet.sh test                  run every test: unit, integration (real binary), end-to-end (Chromium)
# Each step installs what is missing and is quick when nothing is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

export PATH="$HOME/.cargo/bin:$PATH"
# Builds are kept outside the clone, so a fresh clone (CI) does not rebuild what has not changed.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/signet-target}"
# The name under which the web client is served (/pkg/signet.js, /pkg/signet.wasm); leptos reads it at
# compile time, so every build sets it the same way and cargo never rebuilds for a difference.
export LEPTOS_OUTPUT_NAME=signet
TOOLS="$HOME/.cache/signet-tools"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! command -v cargo-leptos >/dev/null; then
    say "installing cargo-leptos (once per machine, about 20 minutes)"
    # cargo-leptos' lock file needs a newer compiler than stable.
    rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
    cargo +nightly install cargo-leptos --locked
  fi
  # wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly; cargo-leptos would otherwise
  # try to download it. (Not --locked: one of its locked dependencies is gone from the registry.)
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_wasm_opt() {
  # Release builds run wasm-opt; Debian's binaryen is too old, npm's is current.
  if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    say "installing wasm-opt (npm binaryen)"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent binaryen@132
  fi
  export PATH="$TOOLS/node_modules/.bin:$PATH"
}

ensure_test_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  # NSS's tools: the PKCS#12 the browser builds is imported the way Chromium on Linux stores certificates.
  if ! command -v pk12util >/dev/null; then
    say "installing Debian's libnss3-tools"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnss3-tools >/dev/null
  fi
  # lego: a second, independent ACME client for the ACME tests (Debian's package, this release's version).
  if ! command -v lego >/dev/null; then
    say "installing Debian's lego"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lego >/dev/null
  fi
  # poppler-utils (pdftotext, pdffonts, pdftoppm) and zbar-tools (zbarimg): the tests read the printable
  # certificate's text and fonts back and decode its QR codes, as a client's PDF viewer and phone would.
  if ! command -v pdftotext >/dev/null || ! command -v zbarimg >/dev/null; then
    say "installing Debian's poppler-utils and zbar-tools"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils zbar-tools >/dev/null
  fi
  if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the end-to-end test packages"
    (cd end2end && npm ci --no-audit --no-fund --silent)
  fi
}

ensure_python_tools() {
  # pkilint (certificate linting), schemathesis (API fuzzing), dnslib (the tests' DNS server), certbot (ACME) and
  # aiosmtpd (the tests' SMTP server), pinned in .ci/python-tools.txt; the venv keeps a copy of the list it was
  # built from and is redone when they differ.
  local venv="$TOOLS/venv" want="$ROOT/.ci/python-tools.txt"
  if ! "$venv/bin/python" -c '' 2>/dev/null || ! cmp -s "$want" "$venv/python-tools.txt"; then
    if ! python3 -c 'import ensurepip' 2>/dev/null; then
      say "installing Debian's python3-venv"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    say "installing the Python test tools ($(grep -v '^#' "$want" | paste -sd ' '))"
    rm -rf "$venv"
    mkdir -p "$TOOLS"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$want"
    cp "$want" "$venv/python-tools.txt"
  fi
  export SIGNET_PYTHON_TOOLS="$venv/bin"
}

build_release() {
  ensure_rust_tools
  ensure_wasm_opt
  say "building the web client (release)"
  cargo leptos build --release --frontend-only --split
  say "building signet (release)"
  cargo build --release -p server
}

run() {
  build_release
  say "starting signet: $CARGO_TARGET_DIR/release/signet $*"
  exec "$CARGO_TARGET_DIR/release/signet" "$@"
}

test_all() {
  ensure_rust_tools
  ensure_test_tools
  ensure_python_tools
  say "building the web client"
  cargo leptos build --frontend-only --split
  say "unit and integration tests"
  cargo test -p app -p server
  say "end-to-end tests in Chromium"
  (cd end2end && SIGNET_BIN="$CARGO_TARGET_DIR/debug/signet" npx playwright test)
}

case "${1:-}" in
  run) shift; run "$@" ;;
  # The release binary alone, for the benchmarks (server/benches/common.sh).
  build) build_release ;;
  test) test_all ;;
  *) echo "usage: $0 run [signet flags…] | test" >&2; exit 2 ;;
esac
