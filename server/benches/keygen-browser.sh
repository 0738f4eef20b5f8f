#!/usr/bin/env bash
# Key + CSR in the browser (a script, not a test): median time in headless Chromium for each key type, with
# WebCrypto's key generator (what Signet uses) and with the Rust one compiled to Wasm (the fallback), beside
# `openssl req -newkey` for the same key type in the same run; and the gzip size of the Wasm bundle.
#
#   server/benches/keygen-browser.sh        # RUNS=10; SIGNET_BIN=… to skip the release build
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUNS=${RUNS:-10}
source "$ROOT/server/benches/common.sh"
start_signet

say "key + CSR in headless Chromium, median of $RUNS runs per key type"
BROWSER=$(node "$ROOT/server/benches/keygen-browser.mjs" "$BASE" "$RUNS")

say "openssl req -newkey, median of $RUNS runs per key type"
openssl_median() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s%N)
    openssl req -new -nodes -newkey "$@" -keyout "$WORK/k.pem" -subj "/CN=shop.example.com" \
      -addext "subjectAltName=DNS:shop.example.com" -out "$WORK/r.csr" 2>/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 100000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 10}'
}
declare -A OPENSSL
OPENSSL["ECDSA P-256"]=$(openssl_median ec -pkeyopt ec_paramgen_curve:P-256)
OPENSSL["ECDSA P-384"]=$(openssl_median ec -pkeyopt ec_paramgen_curve:P-384)
OPENSSL["RSA 2048"]=$(openssl_median rsa:2048)
OPENSSL["RSA 3072"]=$(openssl_median rsa:3072)
OPENSSL["RSA 4096"]=$(openssl_median rsa:4096)

# figure ENGINE KEY [FIELD]: a figure of the browser runs (median_ms unless FIELD says otherwise).
figure() { node -e 'const [lines, engine, key, field] = process.argv.slice(1); for (const l of lines.trim().split("\n")) { const r = JSON.parse(l); if (r.engine === engine && r.key === key) console.log(r[field || "median_ms"]); }' "$BROWSER" "$1" "$2" "${3:-}"; }
# The bundle the binary was built with (cargo-leptos writes it here; the release embeds it).
WASM="$ROOT/target/site/pkg/signet.wasm"
echo
echo "| key | Chromium, WebCrypto key + Rust CSR (ms) | longest frame pause (ms) | Chromium, all Rust/Wasm (ms) | longest frame pause (ms) | openssl req -newkey (ms) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for key in "ECDSA P-256" "ECDSA P-384" "RSA 2048" "RSA 3072" "RSA 4096"; do
  echo "| $key | $(figure webcrypto "$key") | $(figure webcrypto "$key" pause_ms) | $(figure wasm "$key") | $(figure wasm "$key" pause_ms) | ${OPENSSL[$key]} |"
done
echo
echo "Wasm bundle: $(wc -c <"$WASM") bytes, $(gzip -9c "$WASM" | wc -c) bytes gzip ($WASM)"
