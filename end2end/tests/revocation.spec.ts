// Revocation in Chromium: a customer's certificate is issued (HTTP-file validation, no approval mode), found in
// the TLS certificates inventory, opened on its details page and revoked there for key compromise. The contacts
// get an e-mail, and openssl, as a relying party, sees the revocation in OCSP (POST and the cacheable GET form)
// and in the issuing CA's CRL, which makes `openssl verify -crl_check` refuse the certificate.
import { Page } from '@playwright/test';
import { test, expect } from './a11y';
import { Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Signet, Smtp, acceptInvitation, createCaAndProduct, createIssuer, createShopClient, customerOrdersShop, fileServer, hydrated, inviteShopCustomer, signIn } from './support';

const PKI_URL = 'http://pki.signet.example.com';
const work = mkdtempSync(join(tmpdir(), 'signet-revocation-'));
const files = new Map<string, string>();

let smtp: Smtp;
let signet: Signet;
let web: Server;

/** openssl in the work folder; its exit status, stdout and stderr. */
function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { cwd: work, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function openssl(args: string[]): string {
  const r = run(args);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** GETs a public file of Signet (no cookies, as a relying party would) into the work folder. */
async function save(url: string, file: string) {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  writeFileSync(join(work, file), Buffer.from(await res.arrayBuffer()));
  return res;
}

/** What `check` returns, or the text of what it threw: expect.poll gives up at the first thrown error. */
function attempt(check: () => string): string {
  try {
    return check();
  } catch (e) {
    return String(e);
  }
}

test.beforeAll(async () => {
  smtp = await Smtp.start();
  // The customer's web server for HTTP-file validation.
  const files_ = await fileServer(files);
  web = files_.server;
  const webPort = files_.port;
  const dataDir = Signet.newDataDir();
  Signet.createOperator(dataDir, 'olga@signet.test', 'operator passphrase 1');
  signet = await Signet.start({
    smtp,
    dataDir,
    env: { SIGNET_DCV_HTTP_CONNECT: `127.0.0.1:${webPort}`, SIGNET_PKI_URL: PKI_URL },
  });
});
test.afterAll(async () => {
  await new Promise((ok) => web?.close(ok));
  await signet?.stop();
  await smtp?.stop();
});

/** The inventory's row of the certificate for shop.example.com (its common-name cell is a link). */
function shopRow(page: Page) {
  return page.locator('tbody tr', { has: page.getByRole('link', { name: 'shop.example.com', exact: true }) });
}

/** Submits the inventory's filter form and waits for the list it asks for. */
async function filter(page: Page, expectedUrl: RegExp) {
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(page).toHaveURL(expectedUrl);
  await hydrated(page);
}

test('a customer revokes a certificate; OCSP and the CRL say so to openssl', async ({ page }) => {
  test.setTimeout(240_000);
  // Operator: the root, the issuer's issuing CA, and a product.
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await expect(page.getByRole('link', { name: 'Certificate authority', exact: true })).toBeVisible();
  await createIssuer(page, signet.url);
  await createCaAndProduct(page);
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Issuer admin (no approval mode): a client and its customer.
  await acceptInvitation(page, smtp, signet.url, 'ana@smib.test', 'You are invited to Chamber of Commerce Split', 'ana passphrase 12');
  await createShopClient(page, signet.url);
  await inviteShopCustomer(page);
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Customer: one name, a CSR made by openssl, validated by an HTTP file; issued at once.
  await acceptInvitation(page, smtp, signet.url, 'iva@shop.example.com', 'You are invited to Chamber of Commerce Split', 'iva passphrase 12');
  const orderUrl = await customerOrdersShop(page, work, files);

  // The order page links to the certificate's own page.
  const detailsLink = page.getByRole('link', { name: 'Certificate details', exact: true });
  await expect(detailsLink).toHaveAttribute('href', /^\/certificates\/[^/?#]+$/);
  const detailsPath = (await detailsLink.getAttribute('href'))!;
  const certId = detailsPath.split('/').pop()!;

  // The leaf as the customer downloads it, and what openssl reads from it.
  const leaf = await page.request.get(`${signet.url}/_app/downloads/${certId}/pem`);
  expect(leaf.status()).toBe(200);
  writeFileSync(join(work, 'leaf.pem'), await leaf.body());
  const serial = openssl(['x509', '-in', 'leaf.pem', '-noout', '-serial']).trim().replace(/^serial=/, '');
  expect(serial).toMatch(/^[0-9A-F]{16,42}$/);
  const sha256 = openssl(['x509', '-in', 'leaf.pem', '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
  const crlUrl = openssl(['x509', '-in', 'leaf.pem', '-noout', '-ext', 'crlDistributionPoints']).match(/URI:(\S+\.crl)/)?.[1] ?? '';
  expect(crlUrl.startsWith(`${PKI_URL}/pki/`)).toBeTruthy();
  const caSlug = crlUrl.slice(`${PKI_URL}/pki/`.length, -'.crl'.length);
  expect(openssl(['x509', '-in', 'leaf.pem', '-noout', '-ext', 'authorityInfoAccess'])).toContain(`OCSP - URI:${PKI_URL}/ocsp`);

  // The inventory: the row, found by a search for the serial as openssl prints it.
  await page.getByRole('link', { name: 'TLS certificates', exact: true }).click();
  await expect(page).toHaveURL(`${signet.url}/certificates`);
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'TLS certificates', exact: true })).toHaveAttribute('href', '/certificates');
  await expect(page.getByRole('heading', { level: 1, name: 'TLS certificates' })).toBeVisible();
  await expect(shopRow(page).locator('.badge')).toHaveText('Valid');
  await page.getByLabel('Search', { exact: true }).fill('no-such-name.example.org');
  await filter(page, /[?&]q=no-such-name\.example\.org/);
  await expect(page.getByText('No certificates match.')).toBeVisible();
  await expect(shopRow(page)).toHaveCount(0);
  await page.getByLabel('Search', { exact: true }).fill(serial);
  await filter(page, new RegExp(`[?&]q=${serial}`));
  await expect(shopRow(page).locator('.badge')).toHaveText('Valid');
  await expect(shopRow(page).getByRole('link', { name: 'SMIB-2026-00001' })).toBeVisible();
  await shopRow(page).getByRole('link', { name: 'shop.example.com', exact: true }).click();

  // The details page.
  await expect(page).toHaveURL(`${signet.url}${detailsPath}`);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('shop.example.com');
  await expect(page.locator('h1 .badge')).toHaveText('Valid');
  const facts = page.locator('dl');
  for (const label of ['Serial', 'SHA-256', 'Key type']) await expect(facts.locator('dt').getByText(label, { exact: true })).toBeVisible();
  await expect(facts.getByText(serial, { exact: true })).toBeVisible();
  await expect(facts.getByText(sha256, { exact: true })).toBeVisible();
  await expect(facts.getByText('ECDSA P-256', { exact: true })).toBeVisible();
  await expect(facts).toContainText(crlUrl);
  // Its chain links to the CA certificates: the issuing CA first, the root last.
  const chain = await page.getByRole('link', { name: /^[\w.-]+\.crt$/ }).evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  expect(chain[0]).toBe(`/pki/${caSlug}.crt`);
  expect(chain.length).toBeGreaterThanOrEqual(2);
  const rootPath = chain[chain.length - 1]!;
  expect(rootPath).toMatch(/^\/pki\/[\w-]+\.crt$/);

  // The CA certificates as relying parties fetch them; before revocation, OCSP says good.
  await save(`${signet.url}/pki/${caSlug}.crt`, 'ca.crt');
  openssl(['x509', '-inform', 'DER', '-in', 'ca.crt', '-out', 'ca.pem']);
  await save(`${signet.url}${rootPath}`, 'root.crt');
  openssl(['x509', '-inform', 'DER', '-in', 'root.crt', '-out', 'root.pem']);
  expect(openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', 'leaf.pem'])).toContain('leaf.pem: OK');
  const ocspArgs = ['ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-url', `${signet.url}/ocsp`, '-resp_text',
    '-CAfile', 'root.pem', '-verify_other', 'ca.pem'];
  const before = run(ocspArgs);
  expect(before.stdout).toContain('leaf.pem: good');
  expect(before.stderr).toContain('Response verify OK');

  // "Revoke": a customer's reasons (not the CA's own), an optional comment, a confirmation that names it.
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  const reason = page.getByRole('combobox', { name: 'Reason', exact: true });
  await expect(reason).toBeVisible();
  await expect(reason.locator('option', { hasText: 'Key compromise' })).toHaveCount(1);
  await expect(reason.locator('option', { hasText: 'Superseded' })).toHaveCount(1);
  await expect(reason.locator('option', { hasText: 'Privilege withdrawn' })).toHaveCount(0);
  const confirmation = page.locator('form', { has: page.getByRole('button', { name: 'Revoke this certificate' }) });
  await expect(confirmation).toContainText('shop.example.com');
  await expect(confirmation).toContainText(serial);
  await reason.selectOption({ label: 'Key compromise' });
  await page.getByLabel('Comment (optional)').fill('Server was compromised');
  await page.getByRole('button', { name: 'Revoke this certificate' }).click();
  await expect(page.locator('h1 .badge')).toHaveText('Revoked');
  const revokedNotice = page.getByRole('status').filter({ hasText: 'Revoked' });
  await expect(revokedNotice).toContainText('Key compromise');
  await expect(revokedNotice).toContainText('Server was compromised');
  await expect(page.getByRole('button', { name: 'Revoke', exact: true })).toHaveCount(0);

  // The contacts are told.
  const mail = await smtp.waitFor('iva@shop.example.com', 'was revoked');
  expect(mail.subject).toBe('The certificate for shop.example.com was revoked (order SMIB-2026-00001)');
  expect(mail.text).toContain('Reason: Key compromise');
  expect(mail.text).toContain('Comment: Server was compromised');
  expect(mail.text).toContain(`Serial number: ${serial}`);
  expect(mail.text).toContain(`${signet.url}/certificates/${certId}`);
  await smtp.waitFor('info@shop.example.com', 'was revoked');

  // The order page says so too.
  await page.goto(orderUrl);
  await hydrated(page);
  await expect(page.getByRole('status').filter({ hasText: 'Revoked' })).toContainText('Key compromise');

  // OCSP by POST (openssl's own client), with the response verified up to the root.
  await expect
    .poll(() => attempt(() => run(ocspArgs).stdout), { timeout: 20_000, message: 'OCSP says revoked' })
    .toContain('leaf.pem: revoked');
  const after = run(ocspArgs);
  expect(after.status).toBe(0);
  expect(after.stderr).toContain('Response verify OK');
  expect(after.stdout).toContain('Reason: keyCompromise');
  expect(after.stdout).toContain('Cert Status: revoked');

  // OCSP by GET: the base64 of the DER request, URL-encoded, in the path; a cacheable answer.
  openssl(['ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-no_nonce', '-reqout', 'req.der']);
  const encoded = encodeURIComponent(readFileSync(join(work, 'req.der')).toString('base64'));
  const got = await fetch(`${signet.url}/ocsp/${encoded}`);
  expect(got.status).toBe(200);
  expect(got.headers.get('content-type')).toBe('application/ocsp-response');
  expect(got.headers.get('cache-control') ?? '').toMatch(/max-age=\d+/);
  writeFileSync(join(work, 'resp.der'), Buffer.from(await got.arrayBuffer()));
  const fromGet = openssl(['ocsp', '-respin', 'resp.der', '-resp_text', '-noverify', '-issuer', 'ca.pem', '-cert', 'leaf.pem']);
  expect(fromGet).toContain('Cert Status: revoked');
  expect(fromGet).toContain('leaf.pem: revoked');
  expect(fromGet).toContain('Reason: keyCompromise');

  // The CRL (DER, signed by the issuing CA) lists the serial; openssl verify with the CRL refuses the leaf.
  await expect
    .poll(async () => {
      try {
        await save(`${signet.url}/pki/${caSlug}.crl`, 'ca.crl');
        return openssl(['crl', '-inform', 'DER', '-in', 'ca.crl', '-noout', '-text']);
      } catch (e) {
        return String(e);
      }
    }, { timeout: 20_000, message: 'the CRL lists the serial' })
    .toContain(`Serial Number: ${serial}`);
  const crlText = openssl(['crl', '-inform', 'DER', '-in', 'ca.crl', '-noout', '-text']);
  expect(crlText).toContain('Key Compromise');
  expect(run(['crl', '-inform', 'DER', '-in', 'ca.crl', '-CAfile', 'ca.pem', '-noout']).stderr).toContain('verify OK');
  openssl(['crl', '-inform', 'DER', '-in', 'ca.crl', '-outform', 'PEM', '-out', 'ca.crl.pem']);
  const refused = run(['verify', '-crl_check', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', '-CRLfile', 'ca.crl.pem', 'leaf.pem']);
  expect(refused.status).not.toBe(0);
  expect(refused.stdout + refused.stderr).toContain('certificate revoked');

  // The inventory's state filter: among the revoked, not among the valid.
  await page.getByRole('link', { name: 'TLS certificates', exact: true }).click();
  await hydrated(page);
  const state = page.getByRole('combobox', { name: 'State', exact: true });
  await state.selectOption({ label: 'Revoked' });
  await filter(page, /[?&]state=revoked/);
  await expect(shopRow(page).locator('.badge')).toHaveText('Revoked');
  await page.getByRole('combobox', { name: 'State', exact: true }).selectOption({ label: 'Valid' });
  await filter(page, /[?&]state=valid/);
  await expect(page.getByText('No certificates match.')).toBeVisible();
  await expect(shopRow(page)).toHaveCount(0);

  // A certificate made elsewhere is handed in and watched in the same inventory.
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'other.key',
    '-subj', '/CN=intranet.shop.example.com', '-addext', 'subjectAltName=DNS:intranet.shop.example.com', '-days', '20', '-out', 'other.pem']);
  await page.goto(`${signet.url}/certificates`);
  await hydrated(page);
  await page.getByText('+ Watch a certificate').click();
  await page.getByLabel('Certificate and chain (PEM or PKCS#7)').fill(readFileSync(join(work, 'other.pem'), 'utf8'));
  await page.getByRole('button', { name: 'Watch it' }).click();
  const watchedRow = page.locator('tbody tr', { has: page.getByRole('link', { name: 'intranet.shop.example.com', exact: true }) });
  await expect(watchedRow).toContainText('Watched');
  await expect(watchedRow.locator('.badge')).toHaveText('Expiring in 30 days');
  await watchedRow.getByRole('link', { name: 'intranet.shop.example.com', exact: true }).click();
  await hydrated(page);
  await expect(page.locator('dl')).toContainText('Watched (handed in by iva@shop.example.com)');
  await expect(page.getByRole('button', { name: 'Revoke', exact: true })).toHaveCount(0);
});
