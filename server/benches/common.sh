# Shared by the benchmark scripts: the release build (as `make run` does it), a work folder cleaned up on exit,
# and a Signet started on a fresh data folder with an operator. Source it; then call `start_signet`.
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/signet-target}"
export LEPTOS_OUTPUT_NAME=signet

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

BIN=${SIGNET_BIN:-}
if [ -z "$BIN" ]; then
  say "building the release (as make run does, with whatever it needs installed first)"
  "$(dirname "${BASH_SOURCE[0]}")/../../.ci/signet.sh" build >&2
  BIN="$CARGO_TARGET_DIR/release/signet"
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# Starts signet on a free port with a fresh data folder (embedded SurrealKV) and the operator
# operator@bench.test / 'bench operator passphrase'; sets BASE.
start_signet() {
  local port
  port=$(free_port)
  BASE="http://127.0.0.1:$port"
  say "starting signet at $BASE"
  printf 'bench operator passphrase\n' | "$BIN" admin create-operator --email operator@bench.test --name Operator --data-dir "$WORK/data" >/dev/null
  SIGNET_DATA_DIR="$WORK/data" SIGNET_LISTEN="127.0.0.1:$port" SIGNET_PUBLIC_URL="$BASE" SIGNET_LOG=warn "$BIN" >"$WORK/signet.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.2; done
}

# The REST issuance set-up of issue-load.sh and acme-load.sh: a P-256 CSR for shop.example.com
# ($WORK/leaf.csr), then issuer, CA, product, client and API key with shop.example.com validated once (SETUP,
# KEY, $WORK/order.json). Arguments go to issue-setup.mjs after the CSR (`acme` for an ACME binding too).
rest_issuance_setup() {
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$WORK/leaf.key" \
    -subj "/CN=shop.example.com" -addext "subjectAltName=DNS:shop.example.com" -out "$WORK/leaf.csr" 2>/dev/null
  SETUP=$(node "$ROOT/server/benches/issue-setup.mjs" "$BASE" operator@bench.test 'bench operator passphrase' \
    "$WORK/leaf.csr" "$@")
  node -e 'const s = JSON.parse(process.argv[1]); console.log(JSON.stringify({ ...s.order, dcv_method: "dns" }))' \
    "$SETUP" >"$WORK/order.json"
  KEY=$(node -e 'console.log(JSON.parse(process.argv[1]).key)' "$SETUP")
}

# REST issuance for $1 seconds with $CONCURRENCY connections; prints one JSON line (per_second, p50_ms, p99_ms).
# The load comes from wrk when it is installed (Debian: apt install wrk): it needs a fraction of the CPU a Node
# client needs, and the cores are shared with Signet. Without wrk, the Node client does the same.
rest_load() {
  if command -v wrk >/dev/null; then
    SIGNET_KEY=$KEY SIGNET_ORDER=$WORK/order.json wrk -t1 -c"$CONCURRENCY" -d"$1s" \
      -s "$ROOT/server/benches/issue-load.lua" "$BASE" | grep '^{'
  else
    node "$ROOT/server/benches/issue-load.mjs" "$BASE" "$SETUP" "$1" "$CONCURRENCY"
  fi
}

# A field of a JSON line: json_field "$LINE" per_second
json_field() { node -e "console.log(JSON.parse(process.argv[1])[process.argv[2]])" "$1" "$2"; }
