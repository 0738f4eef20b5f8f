// Renewal, the installation check and reissue in Chromium: the operator's product opens renewal 90 days before
// expiry; a customer's certificate (HTTP-file validation) is renewed from its page with the same CSR and issued
// at once; its versions are listed; the installation check reads it from an `openssl s_server` on loopback
// (green); then it is reissued with an RSA key, the renewed certificate to be revoked three days later, which
// its page and the inventory say.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './a11y';
import { Signet, Smtp, acceptInvitation, createIssuer, createShopClient, customerOrdersShop, fileServer, freePort, hydrated, inviteShopCustomer, signIn } from './support';

const work = mkdtempSync(join(tmpdir(), 'signet-renewal-'));
const files = new Map<string, string>();
let smtp: Smtp;
let signet: Signet;
let web: Server;
let tls: ChildProcess | undefined;

function openssl(args: string[]): string {
  const r = spawnSync('openssl', args, { cwd: work, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `openssl s_server` on a free loopback port serving `cert` with `chain`; its port once it accepts. */
async function serveTls(cert: string, key: string, chain: string): Promise<number> {
  const port = await freePort();
  tls = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert, '-key', key, '-cert_chain', chain, '-www', '-quiet'],
    { cwd: work, stdio: 'ignore' });
  await expect.poll(() => new Promise<boolean>((ok) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); ok(true); });
    s.on('error', () => ok(false));
  }), { timeout: 10_000 }).toBe(true);
  return port;
}

test.beforeAll(async () => {
  smtp = await Smtp.start();
  const served = await fileServer(files);
  web = served.server;
  const dataDir = Signet.newDataDir();
  Signet.createOperator(dataDir, 'olga@signet.test', 'operator passphrase 1');
  signet = await Signet.start({
    smtp,
    dataDir,
    env: { SIGNET_DCV_HTTP_CONNECT: `127.0.0.1:${served.port}`, SIGNET_CHECK_TLS_CONNECT: '127.0.0.1' },
  });
});
test.afterAll(async () => {
  tls?.kill();
  await new Promise((ok) => web?.close(ok));
  await signet?.stop();
  await smtp?.stop();
});

test('a customer renews a certificate, checks where it is installed and reissues it', async ({ page }) => {
  test.setTimeout(300_000);
  // Operator: the CA, and a product whose renewal opens 90 days before expiry (so at once for 90 days).
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await expect(page.getByRole('link', { name: 'Certificate authority', exact: true })).toBeVisible();
  await createIssuer(page, signet.url);
  await page.getByRole('link', { name: 'Certificate authority', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Common name *').fill('Signet Test Root');
  await page.getByRole('button', { name: 'Create root CA' }).click();
  await page.getByRole('button', { name: 'Create issuing CA for Chamber of Commerce Split' }).click();
  await expect(page.getByText('TLS issuing CA of Chamber of Commerce Split')).toBeVisible();
  await page.getByRole('link', { name: 'Products', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Product name').fill('TLS DV');
  // 90 days only: the wizard picks the longest validity, and the window must be open from issuance.
  await page.getByLabel('Validity choices (days, comma-separated)').fill('90');
  await page.getByLabel('Renewal opens (days before expiry)').fill('90');
  await page.getByRole('button', { name: 'Save product' }).click();
  await expect(page.getByRole('cell', { name: /^TLS DV/ })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();

  await acceptInvitation(page, smtp, signet.url, 'ana@smib.test', 'You are invited to Chamber of Commerce Split', 'ana passphrase 12');
  await createShopClient(page, signet.url);
  await inviteShopCustomer(page);
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The customer orders shop.example.com with a CSR made by openssl, validated by an HTTP file.
  await acceptInvitation(page, smtp, signet.url, 'iva@shop.example.com', 'You are invited to Chamber of Commerce Split', 'iva passphrase 12');
  await customerOrdersShop(page, work, files);

  // Renew from the certificate's page, with the same CSR: issued at once, the validation reused.
  await page.getByRole('link', { name: 'Certificate details', exact: true }).click();
  await hydrated(page);
  const renewal = page.locator('section', { has: page.getByRole('heading', { name: 'Renewal', exact: true }) });
  await expect(renewal).toContainText('Renewal is open until');
  await expect(renewal.getByLabel('The same CSR (same key)')).toBeChecked();
  await renewal.getByRole('button', { name: 'Renew', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Order SMIB-2026-00002/ })).toBeVisible();
  await hydrated(page);
  await expect(page.locator('h1 .badge')).toHaveText('Issued');
  await page.getByRole('link', { name: 'Certificate details', exact: true }).click();
  await hydrated(page);
  const renewedPath = new URL(page.url()).pathname;
  const renewedId = renewedPath.split('/').pop()!;
  const versions = page.locator('section', { has: page.getByRole('heading', { name: 'Versions', exact: true }) });
  await expect(versions.locator('tbody tr')).toHaveCount(2);
  await expect(versions).toContainText('(this one)');
  await expect(versions.getByRole('link', { name: 'SMIB-2026-00001' })).toBeVisible();

  // The installation check reads the renewed certificate from a TLS server: green.
  for (const [format, file] of [['pem', 'renewed.pem'], ['chain', 'chain.pem']]) {
    const r = await page.request.get(`${signet.url}/_app/downloads/${renewedId}/${format}`);
    expect(r.status()).toBe(200);
    writeFileSync(join(work, file), await r.body());
  }
  const chain = readFileSync(join(work, 'chain.pem'), 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/);
  writeFileSync(join(work, 'ca.pem'), chain.slice(1).join(''));
  const port = await serveTls('renewed.pem', 'shop.key', 'ca.pem');
  const check = page.locator('section', { has: page.getByRole('heading', { name: 'Installation check', exact: true }) });
  await expect(check.getByLabel('Host')).toHaveValue('shop.example.com');
  await check.getByLabel('Port').fill(String(port));
  await check.getByRole('button', { name: 'Check', exact: true }).click();
  const outcome = check.getByRole('status');
  await expect(outcome).toContainText('Green');
  await expect(outcome).toContainText('serves the newest certificate');

  // Reissue with an RSA key, the renewed certificate to be revoked in three days.
  openssl(['req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', 'rsa.key', '-subj', '/CN=shop.example.com/O=Shop d.o.o./C=HR',
    '-addext', 'subjectAltName=DNS:shop.example.com', '-out', 'rsa.csr']);
  const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  await page.getByRole('button', { name: 'Reissue…' }).click();
  await page.locator('#f-reissue-reason').selectOption({ label: 'Change of key type' });
  await page.locator('#f-reissue-csr').fill(readFileSync(join(work, 'rsa.csr'), 'utf8'));
  await page.getByLabel('Revoke it on a day (at most 30 days ahead)').check();
  await page.getByLabel('Revoke on').fill(day);
  await page.getByRole('button', { name: 'Reissue', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Order SMIB-2026-00003/ })).toBeVisible();
  await hydrated(page);
  await expect(page.locator('h1 .badge')).toHaveText('Issued');
  await expect(page.getByText('(Change of key type)').first()).toBeVisible();

  // The renewed certificate says when it will be revoked, and so does the inventory.
  await page.goto(`${signet.url}${renewedPath}`);
  await hydrated(page);
  await expect(page.getByRole('status').filter({ hasText: 'will be revoked on' })).toContainText(day);
  await page.getByRole('link', { name: 'TLS certificates', exact: true }).click();
  await hydrated(page);
  await expect(page.getByText(`to be revoked on ${day}`)).toBeVisible();

  // Second thoughts: the renewed certificate is kept after all.
  await page.goto(`${signet.url}${renewedPath}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Keep this certificate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'will be revoked on' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reissue…' })).toBeVisible();
});
