#!/usr/bin/env bash
# Issuance benchmark (a script, not a test): certificates issued per second through the REST API on a release
# build (CSR in, certificate linted, signed and stored), beside `openssl x509 -req` signing the same CSR with a
# P-256 CA key, in the same run, on the same machine.
#
#   server/benches/issue-load.sh            # SECONDS_PER_RUN=15 CONCURRENCY=32 OPENSSL_COUNT=1000
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
CONCURRENCY=${CONCURRENCY:-32}
OPENSSL_COUNT=${OPENSSL_COUNT:-1000}
source "$ROOT/server/benches/common.sh"

# The CSR both sides sign: P-256, one name.
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$WORK/leaf.key" \
  -subj "/CN=shop.example.com" -addext "subjectAltName=DNS:shop.example.com" -out "$WORK/leaf.csr" 2>/dev/null

start_signet
SETUP=$(node "$ROOT/server/benches/issue-setup.mjs" "$BASE" operator@bench.test 'bench operator passphrase' "$WORK/leaf.csr")

# The load comes from wrk when it is installed (Debian: apt install wrk): it needs a fraction of the CPU a Node
# client needs, and the cores are shared with Signet. Without wrk, the Node client does the same.
node -e 'const s = JSON.parse(process.argv[1]); console.log(JSON.stringify({ ...s.order, dcv_method: "dns" }))' \
  "$SETUP" >"$WORK/order.json"
KEY=$(node -e 'console.log(JSON.parse(process.argv[1]).key)' "$SETUP")
load() {
  if command -v wrk >/dev/null; then
    SIGNET_KEY=$KEY SIGNET_ORDER=$WORK/order.json wrk -t1 -c"$CONCURRENCY" -d"$1s" \
      -s "$ROOT/server/benches/issue-load.lua" "$BASE" | grep '^{'
  else
    node "$ROOT/server/benches/issue-load.mjs" "$BASE" "$SETUP" "$1" "$CONCURRENCY"
  fi
}

say "warming up (3 s), then REST issuance for $SECONDS_PER_RUN s with $CONCURRENCY concurrent clients"
load 3 >/dev/null
REST=$(load "$SECONDS_PER_RUN")
say "REST: $REST"

say "openssl x509 -req: $OPENSSL_COUNT certificates from the same CSR with a P-256 CA key, 2 processes at a time"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$WORK/ca.key" -subj "/CN=Bench CA" -days 365 -out "$WORK/ca.pem" 2>/dev/null
START=$(date +%s.%N)
seq "$OPENSSL_COUNT" | xargs -P 2 -I{} openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
  -set_serial 0x{}$RANDOM -days 90 -copy_extensions copy -out /dev/null 2>/dev/null
OPENSSL_RATE=$(python3 -c "print(round($OPENSSL_COUNT / ($(date +%s.%N) - $START)))")

per_second=$(node -e "console.log(JSON.parse(process.argv[1]).per_second)" "$REST")
p99=$(node -e "console.log(JSON.parse(process.argv[1]).p99_ms)" "$REST")
echo
echo "| signer | certificates per second | p99 (ms) |"
echo "| --- | ---: | ---: |"
echo "| Signet REST API (order in, DCV reused, lint, sign, store; $CONCURRENCY clients) | $per_second | $p99 |"
echo "| openssl x509 -req (a process per certificate, 2 at a time, nothing stored) | $OPENSSL_RATE | – |"
