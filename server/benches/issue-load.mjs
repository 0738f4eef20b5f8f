// Places orders through the REST API as fast as CONCURRENCY clients can, for SECONDS, and counts the
// certificates issued (each answer must be 201 with status "issued").
//   node issue-load.mjs http://127.0.0.1:8080 '<setup json>' 10 32
const [base, setupJson, secondsArg, concurrencyArg] = process.argv.slice(2);
const { key, order } = JSON.parse(setupJson);
const seconds = Number(secondsArg ?? 10);
const concurrency = Number(concurrencyArg ?? 32);
const body = JSON.stringify({ ...order, dcv_method: 'dns' });
const end = Date.now() + seconds * 1000;
let issued = 0, failed = 0;
const latencies = [];
async function worker() {
  while (Date.now() < end) {
    const t = performance.now();
    const r = await fetch(`${base}/api/v1/orders`, {
      method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body,
    });
    const answer = await r.json();
    latencies.push(performance.now() - t);
    if (r.status === 201 && answer.status === 'issued') issued++;
    else { failed++; if (failed < 3) console.error(r.status, JSON.stringify(answer).slice(0, 300)); }
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
console.log(JSON.stringify({ issued, failed, seconds: elapsed.toFixed(1), per_second: (issued / elapsed).toFixed(0), p50_ms: p(0.5), p99_ms: p(0.99) }));
