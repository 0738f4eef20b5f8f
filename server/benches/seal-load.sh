#!/usr/bin/env bash
# Load benchmark of the public trust-seal endpoints (a script, not a test).
#
# Builds the release binary (as `make run` does), starts it on a fresh data folder, seeds CLIENTS clients
# (each with a domain and a seal certificate), then runs wrk with 64 connections against
#   1. the seal script        GET /seal/{id}.js
#   2. the seal frame         GET /seal/{id}/frame?style=classic&origin=…
#   3. a verified page        GET /v/{issuer}/{path}
#   4. the seal script again while copy reports from ever-new hosts flood /seal/{id}/seen
# and each of 1–3 beside Debian's nginx serving a static file of exactly the same bytes, in the same run.
# Prints a Markdown table (requests per second and p99 latency).
#
#   server/benches/seal-load.sh            # CLIENTS=10000 DURATION=15s by default
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CLIENTS=${CLIENTS:-10000}
DURATION=${DURATION:-15s}
CONNECTIONS=64
source "$ROOT/server/benches/common.sh"

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  say "installing wrk and nginx from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

start_signet

say "seeding $CLIENTS clients, each with a domain and a seal certificate"
START=$(date +%s)
IDS=$(node "$ROOT/server/benches/seed.mjs" "$BASE" operator@bench.test 'bench operator passphrase' "$CLIENTS")
say "seeded in $(( $(date +%s) - START )) s: $IDS"
SEAL=$(node -e "console.log(JSON.parse(process.argv[1]).seal)" "$IDS")
CLIENT_PATH=$(node -e "console.log(JSON.parse(process.argv[1]).path)" "$IDS")
HOST=$(node -e "console.log(JSON.parse(process.argv[1]).host)" "$IDS")

SCRIPT="/seal/$SEAL.js"
FRAME="/seal/$SEAL/frame?style=classic&origin=https%3A%2F%2F$HOST"
PAGE="/v/bench/$CLIENT_PATH"

# nginx serves the very same bytes as static files.
mkdir -p "$WORK/www" "$WORK/nginx"
curl -fs "$BASE$SCRIPT" -o "$WORK/www/script.js"
curl -fs "$BASE$FRAME" -o "$WORK/www/frame.html"
curl -fs "$BASE$PAGE" -o "$WORK/www/page.html"
NPORT=$(free_port)
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type application/octet-stream;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$NPORT; root $WORK/www; }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
sleep 0.5

# wrk's summary: requests per second and the 99th percentile latency.
measure() {
  local out rps p99
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$1")
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  echo "$rps $p99"
}

cat >"$WORK/flood.lua" <<'EOF'
-- Copy reports from a new host on every request.
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "?u=https%3A%2F%2Fcopy" .. counter .. "-" .. math.random(1e9) .. ".example%2F")
end
EOF

say "measuring ($DURATION each, $CONNECTIONS connections)"
SIZE() { stat -c %s "$WORK/www/$1"; }
read -r s_rps s_p99 < <(measure "$BASE$SCRIPT")
read -r n_s_rps n_s_p99 < <(measure "http://127.0.0.1:$NPORT/script.js")
read -r f_rps f_p99 < <(measure "$BASE$FRAME")
read -r n_f_rps n_f_p99 < <(measure "http://127.0.0.1:$NPORT/frame.html")
read -r v_rps v_p99 < <(measure "$BASE$PAGE")
read -r n_v_rps n_v_p99 < <(measure "http://127.0.0.1:$NPORT/page.html")
wrk -t1 -c16 -d"$DURATION" -s "$WORK/flood.lua" "$BASE/seal/$SEAL/seen" >"$WORK/flood.txt" &
FLOOD=$!
read -r c_rps c_p99 < <(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE$SCRIPT" | awk '/^Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 } END { print r, p }')
wait "$FLOOD"
flood_rps=$(awk '/^Requests\/sec/ { print $2 }' "$WORK/flood.txt")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cat <<EOF

| endpoint (bytes) | Signet req/s | Signet p99 | nginx req/s | nginx p99 | Signet / nginx |
| --- | ---: | ---: | ---: | ---: | ---: |
| seal script ($(SIZE script.js) B) | $s_rps | $s_p99 | $n_s_rps | $n_s_p99 | $(ratio "$s_rps" "$n_s_rps") |
| seal frame ($(SIZE frame.html) B) | $f_rps | $f_p99 | $n_f_rps | $n_f_p99 | $(ratio "$f_rps" "$n_f_rps") |
| verified page, $CLIENTS clients ($(SIZE page.html) B) | $v_rps | $v_p99 | $n_v_rps | $n_v_p99 | $(ratio "$v_rps" "$n_v_rps") |
| seal script during a copy-report flood ($flood_rps reports/s, wrk -t1) | $c_rps | $c_p99 | | | |

EOF
