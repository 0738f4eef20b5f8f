# Shared by the benchmark scripts: the release build (as `make run` does it), a work folder cleaned up on exit,
# and a Signet started on a fresh data folder with an operator. Source it; then call `start_signet`.
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/signet-target}"
export LEPTOS_OUTPUT_NAME=signet

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

BIN=${SIGNET_BIN:-}
if [ -z "$BIN" ]; then
  say "building the release (as make run does)"
  export PATH="$HOME/.cache/signet-tools/node_modules/.bin:$PATH"
  cargo leptos build --release --frontend-only --split >&2
  cargo build --release -p server >&2
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
