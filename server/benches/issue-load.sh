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

start_signet
# The CSR both sides sign: P-256, one name.
rest_issuance_setup

say "warming up (3 s), then REST issuance for $SECONDS_PER_RUN s with $CONCURRENCY concurrent clients"
rest_load 3 >/dev/null
REST=$(rest_load "$SECONDS_PER_RUN")
say "REST: $REST"

say "openssl x509 -req: $OPENSSL_COUNT certificates from the same CSR with a P-256 CA key, 2 processes at a time"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$WORK/ca.key" -subj "/CN=Bench CA" -days 365 -out "$WORK/ca.pem" 2>/dev/null
START=$(date +%s.%N)
seq "$OPENSSL_COUNT" | xargs -P 2 -I{} openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
  -set_serial 0x{}$RANDOM -days 90 -copy_extensions copy -out /dev/null 2>/dev/null
OPENSSL_RATE=$(python3 -c "print(round($OPENSSL_COUNT / ($(date +%s.%N) - $START)))")

per_second=$(json_field "$REST" per_second)
p99=$(json_field "$REST" p99_ms)
echo
echo "| signer | certificates per second | p99 (ms) |"
echo "| --- | ---: | ---: |"
echo "| Signet REST API (order in, DCV reused, lint, sign, store; $CONCURRENCY clients) | $per_second | $p99 |"
echo "| openssl x509 -req (a process per certificate, 2 at a time, nothing stored) | $OPENSSL_RATE | – |"
