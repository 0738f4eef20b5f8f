// ACME in the portal: the issuer admin opens ACME, creates a binding for a client and a product and sees the key
// ID, the HMAC key (once) and the certbot command; certbot uses them against the running binary (http-01 with
// its standalone server on the port Signet's HTTP connect setting points at); the ACME page then lists the
// account under the binding, the order appears in TLS orders under the client, and revoking the binding locks
// certbot out.
import { test, expect } from './a11y';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Signet, Smtp, acceptInvitation, createCaAndProduct, createIssuer, createShopClient, freePort, hydrated, signIn } from './support';

const work = mkdtempSync(join(tmpdir(), 'signet-acme-'));
const tools = process.env.SIGNET_PYTHON_TOOLS ?? join(process.env.HOME ?? '', '.cache/signet-tools/venv/bin');

let smtp: Smtp;
let signet: Signet;
let certbotPort: number;

test.beforeAll(async () => {
  smtp = await Smtp.start();
  certbotPort = await freePort();
  const dataDir = Signet.newDataDir();
  Signet.createOperator(dataDir, 'olga@signet.test', 'operator passphrase 1');
  signet = await Signet.start({
    smtp,
    dataDir,
    env: { SIGNET_DCV_HTTP_CONNECT: `127.0.0.1:${certbotPort}`, SIGNET_PKI_URL: 'http://pki.signet.example.com' },
  });
});
test.afterAll(async () => {
  await signet?.stop();
  await smtp?.stop();
});

/** certbot against the running Signet, with its own folders; exit status and everything it printed. */
function certbot(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(resolve(tools, 'certbot'), [
    ...args, '--server', `${signet.url}/acme/directory`, '--non-interactive',
    '--config-dir', join(work, 'config'), '--work-dir', join(work, 'work'), '--logs-dir', join(work, 'logs'),
  ], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

test('an issuer admin makes an ACME binding; certbot registers with it and gets a certificate shown in the portal', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await expect(page.getByRole('link', { name: 'Certificate authority', exact: true })).toBeVisible();
  await createIssuer(page, signet.url);
  await createCaAndProduct(page);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await acceptInvitation(page, smtp, signet.url, 'ana@smib.test', 'You are invited to Chamber of Commerce Split', 'ana passphrase 12');
  await createShopClient(page, signet.url);
  // The client's domain: what its ACME servers may order names of.
  await page.getByRole('link', { name: 'Clients', exact: true }).click();
  await page.getByRole('link', { name: 'Shop d.o.o.' }).click();
  await hydrated(page);
  const added = await page.request.post(`${signet.url}/_sf/clients/add-domain`, {
    form: { client_id: page.url().split('/').pop()!, host: 'shop.example.com', description: '' },
  });
  expect(added.ok()).toBeTruthy();

  await page.getByRole('link', { name: 'ACME', exact: true }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'ACME', level: 1 })).toBeVisible();
  await expect(page.getByTestId('acme-directory')).toHaveText(`${signet.url}/acme/directory`);
  await expect(page.getByText('No bindings yet.')).toBeVisible();
  await page.getByLabel('Client', { exact: true }).selectOption({ label: 'Shop d.o.o.' });
  await page.getByLabel('Product', { exact: true }).selectOption({ label: 'TLS DV' });
  await page.getByLabel('Label', { exact: true }).fill('web servers in Split');
  await page.getByRole('button', { name: 'Create binding' }).click();
  await expect(page.getByText('Copy the HMAC key now: it is not shown again.')).toBeVisible();
  const kid = (await page.getByTestId('acme-kid').textContent())!.trim();
  const hmac = (await page.getByTestId('acme-hmac').textContent())!.trim();
  await expect(page.getByText(`--eab-kid ${kid} --eab-hmac-key ${hmac}`)).toBeVisible();
  const row = page.locator('tbody tr', { hasText: kid });
  await expect(row).toContainText('Shop d.o.o.');
  await expect(row).toContainText('web servers in Split');
  await expect(row).toContainText('none yet');

  const got = certbot(['certonly', '--standalone', '--http-01-address', '127.0.0.1', '--http-01-port', String(certbotPort),
    '-d', 'shop.example.com', '--agree-tos', '-m', 'ops@shop.example.com', '--eab-kid', kid, '--eab-hmac-key', hmac]);
  expect(got.status, got.output).toBe(0);

  // The account under its binding, and the order under the client like any other.
  await page.reload();
  await hydrated(page);
  await expect(page.locator('tbody tr', { hasText: kid })).toContainText('ops@shop.example.com (valid)');
  await page.getByRole('link', { name: 'TLS orders', exact: true }).click();
  await hydrated(page);
  const order = page.locator('tbody tr', { hasText: 'shop.example.com' });
  await expect(order).toContainText('Shop d.o.o.');
  await expect(order).toContainText('Issued');

  // Revoked, the binding locks its accounts out.
  await page.getByRole('link', { name: 'ACME', exact: true }).click();
  await hydrated(page);
  await page.getByRole('button', { name: `Revoke ${kid}` }).click();
  await expect(page.locator('tbody tr', { hasText: kid })).toContainText('Revoked');
  const refused = certbot(['certonly', '--standalone', '--http-01-address', '127.0.0.1', '--http-01-port', String(certbotPort),
    '-d', 'www.shop.example.com']);
  expect(refused.status).not.toBe(0);
  expect(refused.output).toContain('binding of this account was revoked');
});
