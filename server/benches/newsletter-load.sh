#!/usr/bin/env bash
# Newsletter benchmark (a script, not a test), on the release build: a newsletter to 10,000 clients — the time
# to queue it (one rendered copy per client, with its unsubscribe link) and the rate at which the outbox hands
# the copies to a local SMTP server (aiosmtpd, discarding) — beside Python's smtplib sending the same number of
# messages of the same size to the same server over one connection, in the same run; and the median time to
# make one printable certificate (PDF) over HTTP.
#
#   server/benches/newsletter-load.sh          # CLIENTS=10000 PDFS=50
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CLIENTS=${CLIENTS:-10000}
PDFS=${PDFS:-50}
source "$ROOT/server/benches/common.sh"
PY=${SIGNET_PYTHON_TOOLS:-$HOME/.cache/signet-tools/venv/bin}/python

SMTP_PORT=$(free_port)
"$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink &
PIDS+=($!)

# Seeded without SMTP (the admin's invitation is read from the outbox), then restarted with it.
start_signet
say "seeding $CLIENTS clients with an e-mail address"
SEED=$(node "$ROOT/server/benches/newsletter-bench.mjs" seed "$BASE" operator@bench.test 'bench operator passphrase' "$CLIENTS")
SEAL=$(json_field "$SEED" seal)
say "the printable certificate, $PDFS times"
PDF=$(node "$ROOT/server/benches/newsletter-bench.mjs" pdf "$BASE" "$SEAL" "$PDFS")
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
say "restarting signet at $BASE with SMTP at 127.0.0.1:$SMTP_PORT and no sending limit"
SIGNET_DATA_DIR="$WORK/data" SIGNET_LISTEN="127.0.0.1:$PORT" SIGNET_PUBLIC_URL="$BASE" SIGNET_LOG=warn \
  SIGNET_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT?tls=none" SIGNET_NEWSLETTER_RATE=1000000 "$BIN" >"$WORK/signet2.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.2; done
say "a newsletter to every client"
SEND=$(node "$ROOT/server/benches/newsletter-bench.mjs" send "$BASE")

say "baseline: smtplib, $CLIENTS messages of the same size over one connection"
BASELINE=$("$PY" - "$SMTP_PORT" "$CLIENTS" <<'PY'
import smtplib, sys, time
from email import policy
from email.message import EmailMessage
port, n = int(sys.argv[1]), int(sys.argv[2])
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "bench@bench.test", "owner@client.bench.test", "Bench newsletter"
m.set_content("Our seals now come in three styles.\n" * 8)
m.add_alternative("\n".join(["<p>Our seals now come in three styles.</p>"] * 20), subtype="html")
raw = m.as_bytes(policy=policy.SMTP)
start = time.time()
with smtplib.SMTP("127.0.0.1", port) as s:
    for _ in range(n):
        s.sendmail("bench@bench.test", ["owner@client.bench.test"], raw)
print(round(n / (time.time() - start)))
PY
)

echo
echo "| what | figure | target |"
echo "| --- | ---: | ---: |"
echo "| queue a newsletter to $(json_field "$SEND" recipients) clients | $(json_field "$SEND" queue_s) s | < 5 s |"
echo "| Signet's outbox to a local SMTP server | $(json_field "$SEND" per_second) messages/s | |"
echo "| smtplib to the same server, one connection (baseline) | $BASELINE messages/s | |"
echo "| one printable certificate (PDF) over HTTP, median of $PDFS | $(json_field "$PDF" median_ms) ms (p90 $(json_field "$PDF" p90_ms) ms) | < 50 ms |"
