#!/usr/bin/env bash
# ACME issuance benchmark (a script, not a test): complete ACME issuances per second on a release build —
# newOrder (its authorization already valid by reuse) → finalize with a CSR → download the chain — from
# CONCURRENCY ACME accounts in parallel (server/benches/acme-load, instant-acme), beside REST issuance of the
# same CSR in the same run on the same Signet, and the ratio of their costs per certificate.
#
#   server/benches/acme-load.sh            # SECONDS_PER_RUN=15 CONCURRENCY=32 RUNS=3
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
CONCURRENCY=${CONCURRENCY:-32}
RUNS=${RUNS:-3}
source "$ROOT/server/benches/common.sh"
say "building the ACME load driver (release)"
cargo build --release -p acme-load >&2
DRIVER="$CARGO_TARGET_DIR/release/acme-load"

# Thousands of orders an hour from each account are the point here, not a client to slow down.
export SIGNET_ACME_ORDERS_PER_HOUR=100000000
start_signet
rest_issuance_setup acme
openssl req -in "$WORK/leaf.csr" -outform DER -out "$WORK/leaf.csr.der"
acme() { node -e 'console.log(JSON.parse(process.argv[1]).acme[process.argv[2]])' "$SETUP" "$1"; }
acme_load() {
  "$DRIVER" "$(acme directory_url)" "$(acme kid)" "$(acme hmac_key)" "$WORK/leaf.csr.der" shop.example.com "$1" \
    "$CONCURRENCY"
}

say "warming up (3 s each), then $RUNS rounds of REST and ACME issuance, $SECONDS_PER_RUN s each, $CONCURRENCY clients"
rest_load 3 >/dev/null
acme_load 3 >/dev/null
ROWS=()
for run in $(seq "$RUNS"); do
  REST=$(rest_load "$SECONDS_PER_RUN")
  say "round $run, REST: $REST"
  ACME=$(acme_load "$SECONDS_PER_RUN")
  say "round $run, ACME: $ACME"
  rest=$(json_field "$REST" per_second)
  acme_rate=$(json_field "$ACME" per_second)
  ratio=$(python3 -c "print(f'{$rest / max($acme_rate, 1):.2f}')")
  ROWS+=("| $run | $rest | $(json_field "$REST" p99_ms) | $acme_rate | $(json_field "$ACME" p50_ms) | $(json_field "$ACME" p99_ms) | $(json_field "$ACME" failed) | $ratio |")
done

echo
echo "| round | REST certificates/s | REST p99 (ms) | ACME issuances/s | ACME p50 (ms) | ACME p99 (ms) | ACME failed | ACME cost ÷ REST cost |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${ROWS[@]}"
