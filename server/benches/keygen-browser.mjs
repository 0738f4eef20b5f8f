// Time to key + CSR in headless Chromium (the page's own figure, from the click to the signed CSR), for each
// key type and both key generators (WebCrypto, and the Rust code compiled to Wasm), median of RUNS runs; and the
// longest time the page drew no frame meanwhile (a page frozen by the key generation draws nothing until it ends).
//   node server/benches/keygen-browser.mjs BASE RUNS  → JSON lines {engine, key, median_ms, pause_ms, runs}
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../end2end/package.json', import.meta.url));
const { chromium } = require('@playwright/test');

const [base, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 10);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

for (const engine of ['webcrypto', 'wasm']) {
  for (const key of ['ECDSA P-256', 'ECDSA P-384', 'RSA 2048', 'RSA 3072', 'RSA 4096']) {
    const times = [];
    const pauses = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(`${base}/tools/csr?engine=${engine}`);
      await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
      await page.locator('#kg-cn').fill('shop.example.com');
      await page.getByLabel('Key type').selectOption({ label: key });
      await page.getByLabel('Password for the key file').fill('benchmark password');
      await page.getByLabel('Password again').fill('benchmark password');
      await page.evaluate(() => {
        window.__frames = [];
        const tick = () => { window.__frames.push(performance.now()); requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
      });
      await page.getByRole('button', { name: 'Generate key and CSR' }).click();
      const figure = page.locator('[data-keygen-ms]');
      await figure.waitFor({ timeout: 300_000 });
      times.push(Number(await figure.getAttribute('data-keygen-ms')));
      pauses.push(await page.evaluate(() => {
        const f = window.__frames;
        let longest = 0;
        for (let i = 1; i < f.length; i++) longest = Math.max(longest, f[i] - f[i - 1]);
        return longest;
      }));
    }
    const round = (x) => Math.round(x * 10) / 10;
    console.log(JSON.stringify({ engine, key, median_ms: round(median(times)), pause_ms: round(median(pauses)), runs }));
  }
}
await browser.close();
