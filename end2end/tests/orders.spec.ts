// The TLS order story in Chromium: the operator sets up the CA and a product; the issuer admin turns on
// approval mode and invites a customer of a client; the customer orders a certificate for three names with a
// CSR made by openssl and proves control by an HTTP file (local web server), a DNS TXT record (local DNS
// server) and an e-mailed link (real SMTP server); the admin approves; the certificate is issued and every
// download verifies with openssl.
import { Page } from '@playwright/test';
import { test, expect } from './a11y';
import { Server } from 'node:http';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Signet, Smtp, acceptInvitation, createCaAndProduct, createIssuer, createShopClient, fileServer, freePort, hydrated, inviteShopCustomer, link, signIn } from './support';

const tools = process.env.SIGNET_PYTHON_TOOLS ?? join(homedir(), '.cache/signet-tools/venv/bin');
const work = mkdtempSync(join(tmpdir(), 'signet-orders-'));
const files = new Map<string, string>();
const dnsRecords = join(work, 'dns.json');

let smtp: Smtp;
let signet: Signet;
let web: Server;
let dns: ChildProcess;

function openssl(args: string[]): string {
  const r = spawnSync('openssl', args, { cwd: work, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test.beforeAll(async () => {
  smtp = await Smtp.start();
  // The customer's web server for HTTP-file validation.
  const files_ = await fileServer(files);
  web = files_.server;
  const webPort = files_.port;
  // The customer's DNS server for TXT validation.
  const dnsPort = await freePort();
  writeFileSync(dnsRecords, '{}');
  dns = spawn(join(tools, 'python'), [resolve('../server/tests/support/dns_server.py'), '--port', String(dnsPort), '--records', dnsRecords], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ok) => dns.stdout!.once('data', () => ok()));
  const dataDir = Signet.newDataDir();
  Signet.createOperator(dataDir, 'olga@signet.test', 'operator passphrase 1');
  signet = await Signet.start({
    smtp,
    dataDir,
    env: {
      SIGNET_DCV_HTTP_CONNECT: `127.0.0.1:${webPort}`,
      SIGNET_DCV_DNS_SERVER: `127.0.0.1:${dnsPort}`,
      SIGNET_PKI_URL: 'http://pki.signet.example.com',
    },
  });
});
test.afterAll(async () => {
  dns?.kill();
  await new Promise((ok) => web?.close(ok));
  await signet?.stop();
  await smtp?.stop();
});

/** The row of the domain-validation table for one name. */
function dcvRow(page: Page, name: string) {
  return page.locator('tr', { has: page.getByRole('cell', { name, exact: true }) });
}

test('a customer orders a certificate, proves control three ways, and downloads what openssl verifies', async ({ page }) => {
  test.setTimeout(180_000);
  // Operator: the root, the issuer's issuing CA, and a product.
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await expect(page.getByRole('link', { name: 'Certificate authority', exact: true })).toBeVisible();
  await createIssuer(page, signet.url);
  await createCaAndProduct(page);
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Issuer admin: approval mode, a client, and its customer.
  await acceptInvitation(page, smtp, signet.url, 'ana@smib.test', 'You are invited to Chamber of Commerce Split', 'ana passphrase 12');
  await page.getByRole('link', { name: 'Issuer profile', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Orders need approval').check();
  await expect(page.getByText('Approval mode saved.')).toBeVisible();
  await createShopClient(page, signet.url);
  await inviteShopCustomer(page);
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Customer: the order wizard.
  await acceptInvitation(page, smtp, signet.url, 'iva@shop.example.com', 'You are invited to Chamber of Commerce Split', 'iva passphrase 12');
  await page.getByRole('link', { name: 'New order', exact: true }).click();
  await hydrated(page);
  await expect(page.getByText('Step 1 :: Product')).toBeVisible();
  await page.getByLabel('Validity').selectOption('199');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('E-mail').first()).toHaveValue('info@shop.example.com');
  await page.locator('#f-technical-email').fill('iva@shop.example.com');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Domain names (one per line)').fill('shop.example.com\nwww.shop.example.com\nmail.shop.example.com');
  await page.getByRole('button', { name: 'Next' }).click();
  // A CSR for only two of the names (a warning, not an error), made by openssl.
  openssl(['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', 'shop.key',
    '-subj', '/CN=shop.example.com/O=Shop d.o.o./C=HR', '-addext', 'subjectAltName=DNS:shop.example.com,DNS:www.shop.example.com', '-out', 'shop.csr']);
  await page.getByLabel('CSR', { exact: true }).fill('-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----');
  await page.getByRole('button', { name: 'Check CSR' }).click();
  await expect(page.getByText('This is a private key, not a CSR.')).toBeVisible();
  await page.getByLabel('CSR', { exact: true }).fill(readFileSync(join(work, 'shop.csr'), 'utf8'));
  await page.getByRole('button', { name: 'Check CSR' }).click();
  await expect(page.getByText('The CSR passes the checks.')).toBeVisible();
  await expect(page.getByText('does not name mail.shop.example.com')).toBeVisible();
  await expect(page.locator('tr.same', { hasText: 'Shop d.o.o.' })).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Method for shop.example.com').selectOption('http');
  await page.getByLabel('Method for mail.shop.example.com').selectOption('email');
  await page.getByLabel('Address for mail.shop.example.com').selectOption('hostmaster');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('shop.example.com: HTTP file; www.shop.example.com: DNS TXT record; mail.shop.example.com: E-mail')).toBeVisible();
  await page.getByRole('button', { name: 'Submit order' }).click();

  // The status page: pending approval, with what to publish.
  await expect(page.getByRole('heading', { name: /Order SMIB-2026-00001/ })).toBeVisible();
  await hydrated(page);
  const orderUrl = page.url();
  await expect(page.locator('h1 .badge')).toHaveText('Pending approval');
  const httpRow = dcvRow(page, 'shop.example.com');
  const url = (await httpRow.locator('code').innerText()).replace('http://', '');
  files.set(url, (await httpRow.locator('pre').innerText()).trim());
  const dnsRow = dcvRow(page, 'www.shop.example.com');
  writeFileSync(dnsRecords, JSON.stringify({ [await dnsRow.locator('code').innerText()]: [(await dnsRow.locator('pre').innerText()).trim()] }));
  const tracking = await page.getByRole('link', { name: /^\/track\// }).getAttribute('href');

  // The e-mailed link: the recipient confirms without an account.
  const dcvMail = await smtp.waitFor('hostmaster@mail.shop.example.com', 'Confirm the certificate for mail.shop.example.com');
  const confirm = await page.context().newPage();
  await confirm.goto(link(dcvMail.text, `${signet.url}/dcv/`));
  await hydrated(confirm);
  await expect(confirm.getByRole('heading', { name: 'Confirm the certificate for mail.shop.example.com' })).toBeVisible();
  await confirm.getByRole('button', { name: 'I confirm' }).click();
  await expect(confirm.getByRole('heading', { name: 'Thank you' })).toBeVisible();
  await confirm.close();

  // "Check now": HTTP and DNS pass; the order still waits for approval.
  await page.reload();
  await hydrated(page);
  await page.getByRole('button', { name: 'Check now' }).click();
  await expect(dcvRow(page, 'www.shop.example.com').getByText('Validated')).toBeVisible();
  await expect(dcvRow(page, 'shop.example.com').getByText('Validated')).toBeVisible();
  await expect(page.locator('h1 .badge')).toHaveText('Pending approval');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The approver's e-mail and queue.
  await smtp.waitFor('ana@smib.test', 'Order SMIB-2026-00001 waits for your approval');
  await signIn(page, signet.url, 'ana@smib.test', 'ana passphrase 12');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.getByRole('link', { name: 'Approvals', exact: true }).click();
  await page.getByRole('link', { name: 'SMIB-2026-00001' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.locator('h1 .badge')).toHaveText('Issued');
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The customer downloads every format; openssl reads and verifies them.
  await smtp.waitFor('iva@shop.example.com', 'is issued');
  await signIn(page, signet.url, 'iva@shop.example.com', 'iva passphrase 12');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.goto(orderUrl);
  await hydrated(page);
  for (const [name, file] of [['Certificate (PEM)', 'leaf.pem'], ['Full chain (PEM)', 'chain.pem'], ['DER (.cer)', 'leaf.cer'], ['PKCS#7 (.p7b)', 'leaf.p7b'], ['Root CA', 'root.pem']]) {
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name, exact: true }).click();
    await (await download).saveAs(join(work, file));
  }
  expect(openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', '-purpose', 'sslserver', 'leaf.pem'])).toContain('leaf.pem: OK');
  expect(openssl(['x509', '-in', 'leaf.pem', '-noout', '-ext', 'subjectAltName'])).toContain('DNS:shop.example.com, DNS:www.shop.example.com, DNS:mail.shop.example.com');
  expect(openssl(['x509', '-inform', 'DER', '-in', 'leaf.cer', '-noout', '-serial'])).toMatch(/^serial=/);
  expect(openssl(['pkcs7', '-in', 'leaf.p7b', '-print_certs', '-noout']).match(/subject=/g)?.length).toBe(3);
  expect(openssl(['pkey', '-in', 'shop.key', '-pubout'])).toBe(openssl(['x509', '-in', 'leaf.pem', '-noout', '-pubkey']));

  // The tracking link shows the order to anyone who has it, read-only.
  const anonymous = await page.context().browser()!.newContext();
  const viewer = await anonymous.newPage();
  await viewer.goto(`${signet.url}${tracking}`);
  await expect(viewer.getByRole('heading', { name: /Order SMIB-2026-00001/ })).toBeVisible();
  await expect(viewer.locator('h1 .badge')).toHaveText('Issued');
  await expect(viewer.getByRole('button', { name: 'Check now' })).toHaveCount(0);
  await anonymous.close();
});
