// Test harness: the real signet binary on a free port with a fresh data folder, and a real SMTP server.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { createServer as createHttpServer, Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { expect, Page } from '@playwright/test';

export const BIN = resolve(process.env.SIGNET_BIN ?? '../target/debug/signet');

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

export interface Attachment { filename: string; contentType: string; size: number }
/** `headers` has each header's raw value by lower-case name (the first one of each name). */
export interface Mail { to: string; subject: string; text: string; html: string; attachments: Attachment[]; headers: Record<string, string> }

export class Smtp {
  messages: Mail[] = [];
  private constructor(public port: number, private server: SMTPServer) {}

  static async start(): Promise<Smtp> {
    const port = await freePort();
    let smtp: Smtp;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        simpleParser(stream).then((m) => {
          const to = session.envelope.rcptTo.map((r) => r.address).join(',');
          const attachments = m.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, size: a.size }));
          const headers: Record<string, string> = {};
          for (const h of m.headerLines) headers[h.key] ??= h.line.slice(h.line.indexOf(':') + 1).trim();
          smtp.messages.push({ to, subject: m.subject ?? '', text: m.text ?? '', html: m.html || '', attachments, headers });
          done();
        }, done);
      },
    });
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
    smtp = new Smtp(port, server);
    return smtp;
  }

  /** Waits for a message to `to` whose subject contains `subject`, and returns it. */
  async waitFor(to: string, subject: string): Promise<Mail> {
    let found: Mail | undefined;
    await expect
      .poll(() => (found = this.messages.find((m) => m.to === to && m.subject.includes(subject))), {
        timeout: 30_000,
        message: `an e-mail to ${to} about "${subject}"`,
      })
      .toBeTruthy();
    return found!;
  }

  async stop() {
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

/** The first link in a text that starts with `prefix`. */
export function link(text: string, prefix: string): string {
  const m = text.match(new RegExp(prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + '[^\\s]+'));
  if (!m) throw new Error(`no link starting with ${prefix} in:\n${text}`);
  return m[0];
}

export class Signet {
  url = '';
  setupUrl?: string;
  private output = '';
  private constructor(private child: ChildProcess, public dataDir: string) {}

  /** Creates an operator from the command line (the scripted-install path) before the server starts. */
  static createOperator(dataDir: string, email: string, password: string) {
    const r = spawnSync(BIN, ['admin', 'create-operator', '--email', email, '--name', 'Olga Operator', '--data-dir', dataDir], {
      input: password + '\n',
      encoding: 'utf8',
      env: { ...process.env, SIGNET_LOG: 'warn' },
    });
    if (r.status !== 0) throw new Error(`create-operator failed: ${r.stderr}`);
  }

  static newDataDir(): string {
    return mkdtempSync(join(tmpdir(), 'signet-e2e-'));
  }

  static async start(opts: { smtp?: Smtp; dataDir?: string; env?: Record<string, string> } = {}): Promise<Signet> {
    const port = await freePort();
    const dataDir = opts.dataDir ?? Signet.newDataDir();
    const url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SIGNET_LISTEN: `127.0.0.1:${port}`,
      SIGNET_DATA_DIR: dataDir,
      SIGNET_PUBLIC_URL: url,
      SIGNET_MAIL_FROM: 'Signet <signet@signet.test>',
      SIGNET_LOG: 'warn',
    };
    if (opts.smtp) env.SIGNET_SMTP_URL = `smtp://127.0.0.1:${opts.smtp.port}?tls=none`;
    Object.assign(env, opts.env ?? {});
    const child = spawn(BIN, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const s = new Signet(child, dataDir);
    s.url = url;
    child.stdout!.on('data', (d) => (s.output += d.toString()));
    child.stderr!.on('data', (d) => (s.output += d.toString()));
    await expect
      .poll(async () => {
        if (child.exitCode !== null) throw new Error(`signet exited: ${s.output}`);
        try {
          return (await fetch(`${url}/healthz`)).status;
        } catch {
          return 0;
        }
      }, { timeout: 30_000 })
      .toBe(200);
    const m = s.output.match(/http:\/\/\S+\/setup\/\S+/);
    s.setupUrl = m?.[0];
    return s;
  }

  async stop() {
    this.child.kill('SIGTERM');
    await new Promise((ok) => this.child.once('exit', ok));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Waits until the Wasm has hydrated the page (the client marks <body> once it runs). */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });
}

export async function signIn(page: Page, base: string, email: string, password: string) {
  if (!(page as any).__consoleHooked) {
    (page as any).__consoleHooked = true;
    // Browser errors (a panic in the Wasm, say) show up in the test output.
    page.on('console', (m) => m.type() === 'error' && console.log(`[browser] ${m.text()}`));
    page.on('pageerror', (e) => console.log(`[browser] ${page.url()}: ${e.message}`));
    page.on('response', (r) => r.status() >= 500 && console.log(`[browser] ${r.status()} from ${r.url()}`));
  }
  await page.goto(`${base}/login`);
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password *').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Follows the account invitation mailed to `email`, sets the password and signs in. */
export async function acceptInvitation(page: Page, smtp: Smtp, base: string, email: string, subject: string, password: string) {
  const invitation = await smtp.waitFor(email, subject);
  await page.goto(link(invitation.text, `${base}/invite/`));
  await hydrated(page);
  await page.getByLabel('New password *', { exact: true }).fill(password);
  await page.getByLabel('Repeat the new password *', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.getByText('Your account is ready')).toBeVisible();
  await signIn(page, base, email, password);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** The signed-in operator creates the issuer "Chamber of Commerce Split" (admin ana@smib.test). */
export async function createIssuer(page: Page, base: string) {
  const created = await page.request.post(`${base}/_sf/admin/create-issuer`, {
    form: { name: 'Chamber of Commerce Split', slug: 'smib', admin_email: 'ana@smib.test', admin_name: 'Ana Admin' },
  });
  expect(created.ok()).toBeTruthy();
}

/** The signed-in operator creates the root, the issuer's issuing CA and the product "TLS DV" (90 or 199 days). */
export async function createCaAndProduct(page: Page) {
  await page.getByRole('link', { name: 'Certificate authority', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Common name *').fill('Signet Test Root');
  await page.getByRole('button', { name: 'Create root CA' }).click();
  await page.getByRole('button', { name: 'Create issuing CA for Chamber of Commerce Split' }).click();
  await expect(page.getByText('TLS issuing CA of Chamber of Commerce Split')).toBeVisible();
  await expect(page.getByText('S/MIME issuing CA of Chamber of Commerce Split')).toBeVisible();
  await page.getByRole('link', { name: 'Products', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Product name').fill('TLS DV');
  await page.getByLabel('Validity choices (days, comma-separated)').fill('90, 199');
  await page.getByRole('button', { name: 'Save product' }).click();
  await expect(page.getByRole('cell', { name: /^TLS DV/ })).toBeVisible();
}

/** The signed-in issuer admin adds the client "Shop d.o.o." (path `shop`). */
export async function createShopClient(page: Page, base: string) {
  const client = await page.request.post(`${base}/_sf/clients/create`, {
    form: {
      'client[name]': 'Shop d.o.o.', 'client[path]': 'shop', 'client[city]': 'Split', 'client[country]': 'HR',
      'client[email]': 'info@shop.example.com', 'client[contact_person]': 'Iva Ivić',
    },
    maxRedirects: 0,
  });
  expect(client.status()).toBeLessThan(400);
}

/** The customer's web server for HTTP-file validation: answers what the test put in `files` (keyed by host and
 * path, e.g. `shop.example.com/.well-known/pki-validation/x.txt`), 404 otherwise. */
export async function fileServer(files: Map<string, string>): Promise<{ server: Server; port: number }> {
  const port = await freePort();
  const server = createHttpServer((req, res) => {
    const body = files.get(`${(req.headers.host ?? '').split(':')[0]}${req.url}`);
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/plain' });
    res.end(body ?? '');
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return { server, port };
}

/** The issuer admin invites Iva Ivić as a customer of Shop d.o.o. (the client `createShopClient` made). */
export async function inviteShopCustomer(page: Page) {
  await page.getByRole('link', { name: 'Clients', exact: true }).click();
  await page.getByRole('link', { name: 'Shop d.o.o.' }).click();
  await hydrated(page);
  await page.getByLabel('Customer name *').fill('Iva Ivić');
  await page.getByLabel('Customer e-mail *').fill('iva@shop.example.com');
  await page.getByRole('button', { name: 'Invite customer' }).click();
  await expect(page.getByText('The invitation was sent.')).toBeVisible();
}

/** The signed-in customer orders `shop.example.com` in the wizard with a P-256 CSR made by openssl (key in
 * `work/shop.key`), validated by an HTTP file served from `files`; waits until it is issued. The order's URL. */
export async function customerOrdersShop(page: Page, work: string, files: Map<string, string>): Promise<string> {
  await page.getByRole('link', { name: 'New order', exact: true }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('#f-technical-email').fill('iva@shop.example.com');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Domain names (one per line)').fill('shop.example.com');
  await page.getByRole('button', { name: 'Next' }).click();
  const csr = spawnSync('openssl', ['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-keyout', 'shop.key', '-subj', '/CN=shop.example.com/O=Shop d.o.o./C=HR', '-addext',
    'subjectAltName=DNS:shop.example.com', '-out', 'shop.csr'], { cwd: work, encoding: 'utf8' });
  if (csr.status !== 0) throw new Error(`openssl req: ${csr.stderr}`);
  await page.getByLabel('CSR', { exact: true }).fill(readFileSync(join(work, 'shop.csr'), 'utf8'));
  await page.getByRole('button', { name: 'Check CSR' }).click();
  await expect(page.getByText('The CSR passes the checks.')).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Method for shop.example.com').selectOption('http');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Submit order' }).click();
  await expect(page.getByRole('heading', { name: /Order SMIB-2026-00001/ })).toBeVisible();
  await hydrated(page);
  const orderUrl = page.url();
  const dcv = page.locator('tr', { has: page.getByRole('cell', { name: 'shop.example.com', exact: true }) });
  files.set((await dcv.locator('code').innerText()).replace('http://', ''), (await dcv.locator('pre').innerText()).trim());
  await page.getByRole('button', { name: 'Check now' }).click();
  await expect(page.locator('h1 .badge')).toHaveText('Issued');
  await hydrated(page);
  return orderUrl;
}
