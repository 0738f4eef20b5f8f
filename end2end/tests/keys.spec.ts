// Keys made in the browser: the order wizard's "Generate in my browser" (with a record of every request the
// page makes, which must never carry the private key), the PKCS#12 export after issuance, the invitation
// link for someone without an account, and the self-signed tool. openssl checks every file the browser saves.
import { Page, Request } from '@playwright/test';
import { test, expect } from './a11y';
import { Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Signet, Smtp, acceptInvitation, createCaAndProduct, createIssuer, createShopClient, fileServer, hydrated, link, signIn } from './support';

const work = mkdtempSync(join(tmpdir(), 'signet-keys-'));
const files = new Map<string, string>();
let smtp: Smtp;
let signet: Signet;
let web: Server;

function openssl(args: string[], input?: string): string {
  const r = spawnSync('openssl', args, { cwd: work, encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test.beforeAll(async () => {
  smtp = await Smtp.start();
  const files_ = await fileServer(files);
  web = files_.server;
  const webPort = files_.port;
  const dataDir = Signet.newDataDir();
  Signet.createOperator(dataDir, 'olga@signet.test', 'operator passphrase 1');
  signet = await Signet.start({
    smtp,
    dataDir,
    env: { SIGNET_DCV_HTTP_CONNECT: `127.0.0.1:${webPort}`, SIGNET_PKI_URL: 'http://pki.signet.example.com' },
  });
});
test.afterAll(async () => {
  await new Promise((ok) => web?.close(ok));
  await signet?.stop();
  await smtp?.stop();
});

/** Operator: root, the issuer's issuing CA and a product; the issuer admin's account and a client. */
async function setUp(page: Page) {
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await expect(page.getByRole('link', { name: 'Certificate authority', exact: true })).toBeVisible();
  await createIssuer(page, signet.url);
  await createCaAndProduct(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await acceptInvitation(page, smtp, signet.url, 'ana@smib.test', 'You are invited to Chamber of Commerce Split', 'ana passphrase 12');
  await createShopClient(page, signet.url);
}

/** The wizard up to the CSR step, for `names`. */
async function wizardToCsr(page: Page, names: string) {
  await page.goto(`${signet.url}/orders/new`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('#f-technical-email').fill('it@shop.example.com');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Domain names (one per line)').fill(names);
  await page.getByRole('button', { name: 'Next' }).click();
}

/** Fills the key form of the KeyMaker and generates; returns the saved key file's path. */
async function generateAndSave(page: Page, keyType: string, password: string, file: string): Promise<string> {
  await page.getByLabel('Key type').selectOption({ label: keyType });
  await page.getByLabel('Password for the key file').fill(password);
  await page.getByLabel('Password again').fill(password);
  await page.getByRole('button', { name: 'Generate key and CSR' }).click();
  await expect(page.getByText('Save your private key now.')).toBeVisible({ timeout: 60_000 });
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: /^Save the private key/ }).click();
  const path = join(work, file);
  await (await download).saveAs(path);
  await page.getByLabel('I have saved the private key file and I know its password.').check();
  return path;
}

/** Every way the private key could appear in a request: PEM markers, its PKCS#8 DER, its private value. */
function keyNeedles(keyPath: string, password: string): string[] {
  const der = spawnSync('openssl', ['pkey', '-in', keyPath, '-passin', `pass:${password}`, '-outform', 'DER'], { cwd: work });
  expect(der.status).toBe(0);
  const bytes = der.stdout as Buffer;
  const text = openssl(['pkey', '-in', keyPath, '-passin', `pass:${password}`, '-noout', '-text']);
  // The private scalar (EC) or exponent (RSA), as openssl prints it: hex bytes after "priv:" / "privateExponent:".
  const secret = (text.split(/priv:|privateExponent:/)[1] ?? '').split(/\n\S/)[0].replace(/[\s:]/g, '');
  expect(secret.length).toBeGreaterThan(60);
  const b64 = bytes.toString('base64');
  return ['PRIVATE KEY', b64.slice(0, 64), b64.slice(-64), b64.slice(0, 64).replace(/\+/g, '-').replace(/\//g, '_'),
    bytes.toString('hex').slice(0, 64), secret.slice(0, 48), Buffer.from(secret.slice(0, 48), 'hex').toString('base64').slice(0, 40)];
}

function leaks(requests: { url: string; body: Buffer }[], needles: string[], rawDer: Buffer): string[] {
  const found: string[] = [];
  for (const r of requests) {
    const body = r.body.toString('latin1');
    let decoded = body;
    try { decoded = decodeURIComponent(body.replace(/\+/g, ' ')); } catch { /* binary */ }
    for (const n of needles) {
      for (const hay of [r.url, body, decoded]) {
        if (hay.toLowerCase().includes(n.toLowerCase())) found.push(`${n} in ${r.url}`);
      }
    }
    if (r.body.length && r.body.indexOf(rawDer.subarray(0, 48)) >= 0) found.push(`raw DER in ${r.url}`);
  }
  return found;
}

test('keys made in the browser: order, no key leak, PKCS#12, invitation link, self-signed tool', async ({ page }) => {
  test.setTimeout(300_000);
  await setUp(page);

  // --- The wizard generates the key in the browser; every request is recorded. ---
  const recorded: { url: string; body: Buffer }[] = [];
  const record = (r: Request) => recorded.push({ url: r.url(), body: r.postDataBuffer() ?? Buffer.alloc(0) });
  page.on('request', record);
  await wizardToCsr(page, 'shop.example.com\nwww.shop.example.com');
  await page.getByLabel('Generate the key and CSR in my browser').check();
  await expect(page.locator('#kg-cn')).toHaveValue('shop.example.com');
  await expect(page.locator('#kg-o')).toHaveValue('Shop d.o.o.');
  await expect(page.locator('#kg-c')).toHaveValue('HR');
  await page.locator('#kg-ou').fill('Web');
  // Mismatched passwords are refused before anything is made.
  await page.getByLabel('Password for the key file').fill('shop key pass 1');
  await page.getByLabel('Password again').fill('something else');
  await page.getByRole('button', { name: 'Generate key and CSR' }).click();
  await expect(page.getByText('The two passwords differ.')).toBeVisible();
  const keyPath = await generateAndSave(page, 'ECDSA P-256', 'shop key pass 1', 'shop.key');
  await page.getByRole('button', { name: 'Use this CSR' }).click();
  await expect(page.getByText('The CSR passes the checks.')).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Method for shop.example.com').selectOption('http');
  await page.getByLabel('Method for www.shop.example.com').selectOption('http');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  await expect(page.getByRole('heading', { name: /Order SMIB-2026-00001/ })).toBeVisible();
  await hydrated(page);
  page.off('request', record);

  // The key file: encrypted PKCS#8 that openssl opens with the password and only with it.
  const keyFile = readFileSync(keyPath, 'utf8');
  expect(keyFile).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  expect(openssl(['pkey', '-in', 'shop.key', '-passin', 'pass:shop key pass 1', '-noout', '-text'])).toContain('NIST CURVE: P-256');
  expect(spawnSync('openssl', ['pkey', '-in', 'shop.key', '-passin', 'pass:wrong', '-noout'], { cwd: work }).status).not.toBe(0);
  // No request carried the key in any form.
  const der = spawnSync('openssl', ['pkey', '-in', keyPath, '-passin', 'pass:shop key pass 1', '-outform', 'DER'], { cwd: work }).stdout as Buffer;
  expect(recorded.some((r) => r.url.includes('/_sf/orders/create'))).toBeTruthy();
  expect(recorded.some((r) => r.body.toString().includes('BEGIN+CERTIFICATE+REQUEST') || r.body.toString().includes('BEGIN%20CERTIFICATE%20REQUEST') || r.body.toString().includes('BEGIN CERTIFICATE REQUEST'))).toBeTruthy();
  expect(leaks(recorded, keyNeedles(keyPath, 'shop key pass 1'), der)).toEqual([]);
  expect(recorded.some((r) => r.body.includes(Buffer.from(keyFile)))).toBeFalsy();

  // Validation by HTTP files, then issuance.
  for (const name of ['shop.example.com', 'www.shop.example.com']) {
    const row = page.locator('tr', { has: page.getByRole('cell', { name, exact: true }) });
    files.set((await row.locator('code').innerText()).replace('http://', ''), (await row.locator('pre').innerText()).trim());
  }
  await page.getByRole('button', { name: 'Check now' }).click();
  await expect(page.locator('h1 .badge')).toHaveText('Issued');
  await hydrated(page);

  // PKCS#12 from the saved key file and the issued chain, made in the browser.
  await page.getByText('Make a .p12 / .pfx file with your private key').click();
  await page.getByLabel('Your private key file').setInputFiles(keyPath);
  await page.getByLabel('Key file password').fill('not the password');
  await page.getByLabel('New export password').fill('export pass 12');
  await page.getByLabel('Export password again').fill('export pass 12');
  await page.getByRole('button', { name: 'Build the .p12 file' }).click();
  await expect(page.getByText('The password is wrong, or the file is not the key file you saved.')).toBeVisible();
  await page.getByLabel('Key file password').fill('shop key pass 1');
  await page.getByLabel('New export password').fill('export pass 12');
  await page.getByLabel('Export password again').fill('export pass 12');
  const p12download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Build the .p12 file' }).click();
  await (await p12download).saveAs(join(work, 'shop.p12'));
  await expect(page.getByText('shop.example.com.p12 is saved.')).toBeVisible();
  const info = openssl(['pkcs12', '-in', 'shop.p12', '-passin', 'pass:export pass 12', '-noenc', '-info']);
  expect(info).toContain('-----BEGIN PRIVATE KEY-----');
  expect(info.match(/-----BEGIN CERTIFICATE-----/g)!.length).toBeGreaterThanOrEqual(2);
  const leafPem = openssl(['pkcs12', '-in', 'shop.p12', '-passin', 'pass:export pass 12', '-nokeys', '-clcerts']);
  expect(openssl(['x509', '-noout', '-pubkey'], leafPem)).toBe(openssl(['pkey', '-in', 'shop.key', '-passin', 'pass:shop key pass 1', '-pubout']));
  // Chromium's certificate store on Linux is NSS: its own PKCS#12 import reads the file where the tools exist.
  if (spawnSync('pk12util', ['-h']).error === undefined) {
    const db = mkdtempSync(join(tmpdir(), 'signet-nss-'));
    expect(spawnSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']).status).toBe(0);
    const imported = spawnSync('pk12util', ['-i', join(work, 'shop.p12'), '-d', `sql:${db}`, '-W', 'export pass 12'], { encoding: 'utf8' });
    expect(imported.stdout + imported.stderr).toContain('PKCS12 IMPORT SUCCESSFUL');
  }

  // --- The invitation link: a second order waits for its CSR; someone without an account makes it. ---
  await wizardToCsr(page, 'intranet.shop.example.com');
  await page.getByLabel('Skip: submit the CSR later').check();
  for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  await expect(page.getByRole('heading', { name: /Order SMIB-2026-00002/ })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Their name').fill('Marko Admin');
  await page.getByLabel('Their e-mail').fill('marko@shop.example.com');
  await page.getByRole('button', { name: 'Send the invitation link' }).click();
  await expect(page.getByText(/waiting \(until/)).toBeVisible();
  const mail = await smtp.waitFor('marko@shop.example.com', 'SMIB-2026-00002');
  const inviteUrl = link(mail.text, `${signet.url}/csr-invite/`);

  const stranger = await page.context().browser()!.newContext({ acceptDownloads: true });
  const guest = await stranger.newPage();
  const guestRequests: { url: string; body: Buffer }[] = [];
  guest.on('request', (r) => guestRequests.push({ url: r.url(), body: r.postDataBuffer() ?? Buffer.alloc(0) }));
  await guest.goto(inviteUrl);
  await hydrated(guest);
  await expect(guest.getByRole('heading', { name: 'Make the key and CSR for order SMIB-2026-00002' })).toBeVisible();
  await expect(guest.getByText('intranet.shop.example.com').first()).toBeVisible();
  const guestKey = await generateAndSave(guest, 'RSA 2048', 'marko key pass', 'intranet.key');
  await guest.getByRole('button', { name: 'Send the CSR' }).click();
  await expect(guest.getByText('Thank you: the CSR is with the order.')).toBeVisible();
  expect(openssl(['pkey', '-in', 'intranet.key', '-passin', 'pass:marko key pass', '-noout', '-text'])).toContain('Private-Key: (2048 bit');
  const guestDer = spawnSync('openssl', ['pkey', '-in', guestKey, '-passin', 'pass:marko key pass', '-outform', 'DER'], { cwd: work }).stdout as Buffer;
  expect(leaks(guestRequests, keyNeedles(guestKey, 'marko key pass'), guestDer)).toEqual([]);
  // The link works once.
  await guest.goto(inviteUrl);
  await expect(guest.getByRole('heading', { name: 'This invitation link has already been used' })).toBeVisible();
  await stranger.close();
  await page.reload();
  await expect(page.getByText(/^used /)).toBeVisible();
  await expect(page.locator('h1 .badge')).not.toHaveText('Draft (CSR missing)');

  // --- "Submit the CSR later" from the order's page, generated in the browser there. ---
  await wizardToCsr(page, 'mail.shop.example.com');
  await page.getByLabel('Skip: submit the CSR later').check();
  for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  await expect(page.getByRole('heading', { name: /Order SMIB-2026-00003/ })).toBeVisible();
  await hydrated(page);
  await expect(page.locator('h1 .badge')).toHaveText('Draft (CSR missing)');
  await page.getByLabel('Generate the key and CSR in my browser').check();
  await expect(page.locator('#kg-cn')).toHaveValue('mail.shop.example.com');
  await generateAndSave(page, 'ECDSA P-384', 'mail key pass 1', 'mail.key');
  await page.getByRole('button', { name: 'Submit this CSR' }).click();
  await expect(page.getByText('The CSR passes the checks.')).toBeVisible();
  await expect(page.locator('h1 .badge')).not.toHaveText('Draft (CSR missing)');
  expect(openssl(['pkey', '-in', 'mail.key', '-passin', 'pass:mail key pass 1', '-noout', '-text'])).toContain('NIST CURVE: P-384');

  // --- The self-signed tool, with an RSA 4096 key: the page keeps drawing while the key is made. ---
  await page.getByRole('link', { name: 'Self-signed certificates', exact: true }).click();
  await hydrated(page);
  await page.locator('#ss-cn').fill('intranet.example.com');
  await page.locator('#ss-c').fill('HR');
  await page.locator('#ss-st').fill('Splitsko-dalmatinska');
  await page.locator('#ss-l').fill('Split');
  await page.locator('#ss-o').fill('Shop d.o.o.');
  await page.locator('#ss-ou').fill('IT');
  await page.locator('#ss-email').fill('it@shop.example.com');
  await page.getByLabel('Key type').selectOption({ label: 'RSA 4096' });
  await page.getByLabel('Start date').fill('2026-01-01');
  await page.getByLabel('Expiry date').fill('2027-06-30');
  await page.getByLabel('Password for the key file').fill('self signed pass');
  await page.getByLabel('Password again').fill('self signed pass');
  // The progress texts seen while the certificate is made. (Whether the page keeps drawing meanwhile, and its
  // longest pause, is measured by server/benches/keygen-browser.sh: on a loaded machine it is a matter of timing.)
  await page.evaluate(() => {
    const w = window as any;
    w.__steps = [];
    new MutationObserver(() => {
      const s = document.querySelector('.keygen-progress li.current strong')?.textContent ?? 'done';
      if (w.__steps.at(-1) !== s) w.__steps.push(s);
    }).observe(document.body, { subtree: true, childList: true });
  });
  await page.getByRole('button', { name: 'Create certificate' }).click();
  await expect(page.getByText('Save the key file now.')).toBeVisible({ timeout: 120_000 });
  const steps = await page.evaluate(() => (window as any).__steps as string[]);
  expect(steps).toContain('Generating the key pair');
  const certDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save the certificate (.crt)' }).click();
  await (await certDownload).saveAs(join(work, 'self.crt'));
  const selfKey = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save the private key (.key)' }).click();
  await (await selfKey).saveAs(join(work, 'self.key'));
  const text = openssl(['x509', '-in', 'self.crt', '-noout', '-subject', '-dates', '-ext', 'subjectAltName']);
  expect(text).toContain('notBefore=Jan  1 00:00:00 2026 GMT');
  expect(text).toContain('notAfter=Jun 30 00:00:00 2027 GMT');
  expect(text).toMatch(/C ?= ?HR, ST ?= ?Splitsko-dalmatinska, L ?= ?Split, O ?= ?Shop d\.o\.o\., OU ?= ?IT, CN ?= ?intranet\.example\.com/);
  expect(text).toContain('DNS:intranet.example.com');
  expect(openssl(['x509', '-in', 'self.crt', '-noout', '-text'])).toContain('Public-Key: (4096 bit)');
  expect(openssl(['pkey', '-in', 'self.key', '-passin', 'pass:self signed pass', '-pubout'])).toBe(openssl(['x509', '-in', 'self.crt', '-noout', '-pubkey']));
  // Kept for its expiry (the certificate only).
  await expect(page.getByText('Signet now watches intranet.example.com')).toBeVisible();
  await expect(page.getByRole('cell', { name: /^intranet\.example\.com/ })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'self-signed' })).toBeVisible();
});

test('the CSR generator works for anyone, without an account', async ({ browser }) => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${signet.url}/tools/csr`);
  await hydrated(page);
  await page.locator('#kg-cn').fill('blog.example.org');
  await page.locator('#kg-c').fill('FR');
  await page.getByLabel('Other names in the certificate (optional, one per line)').fill('www.blog.example.org');
  await generateAndSave(page, 'ECDSA P-256', 'blog key pass', 'blog.key');
  await page.getByRole('button', { name: 'Show the CSR' }).click();
  const csr = await page.getByLabel('Your CSR').inputValue();
  const text = openssl(['req', '-noout', '-verify', '-text'], csr);
  expect(text).toContain('DNS:blog.example.org, DNS:www.blog.example.org');
  expect(openssl(['req', '-noout', '-pubkey'], csr)).toBe(openssl(['pkey', '-in', 'blog.key', '-passin', 'pass:blog key pass', '-pubout']));
  const slowWarning = page.getByText("your browser's own key generator is not available");
  await expect(slowWarning).toHaveCount(0);

  // Where the browser's own generator is missing (plain HTTP; forced here), an RSA choice warns before the click.
  await page.goto(`${signet.url}/tools/csr?engine=wasm`);
  await hydrated(page);
  await page.getByLabel('Key type').selectOption({ label: 'RSA 2048' });
  await expect(slowWarning).toBeVisible();
  await page.getByLabel('Key type').selectOption({ label: 'ECDSA P-256' });
  await expect(slowWarning).toHaveCount(0);
  await context.close();
});
