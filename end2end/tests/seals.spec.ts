// The trust-seal story: an issuer adds a client in three steps, copies the seal snippet into the client's web
// site, and the seal shows there and nowhere else. A visitor clicks it, sees the verification, and goes back
// to the site. A copy on another site shows nothing and lands in the copy-attempt log.
// Two host names, shop.test and copy.test, resolve to 127.0.0.1 inside Chromium only.
import { Page } from '@playwright/test';
import { test, expect } from './a11y';
import { createServer, Server } from 'node:http';
import { Signet, Smtp, acceptInvitation, createIssuer, freePort, hydrated, link, signIn } from './support';
import { chromiumArgs, executablePath } from '../chromium';

const HOSTILE_NAME = `<script>alert("name")</script> Žutić & "Sons" d.o.o.`;
const HOSTILE_DESCRIPTION = `<img src=x onerror=alert('description')> Web shop`;

test.use({
  launchOptions: {
    executablePath,
    args: [...chromiumArgs, '--host-resolver-rules=MAP shop.test 127.0.0.1, MAP copy.test 127.0.0.1'],
  },
});

let smtp: Smtp;
let signet: Signet;
let sites: Server;
let sitePort: number;
let snippet = '';

test.beforeAll(async () => {
  smtp = await Smtp.start();
  const dataDir = Signet.newDataDir();
  Signet.createOperator(dataDir, 'olga@signet.test', 'operator passphrase 1');
  signet = await Signet.start({ smtp, dataDir });
  // The client's web site and a copycat, one local server answering for both host names.
  sitePort = await freePort();
  sites = createServer((req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html><head><title>${host}</title></head><body><h1>Welcome to ${host}</h1>
      <p>Our seal:</p>${snippet}<p>Footer of ${host}</p></body></html>`);
  });
  await new Promise<void>((ok) => sites.listen(sitePort, '127.0.0.1', ok));
});
test.afterAll(async () => {
  await new Promise((ok) => sites?.close(ok));
  await signet?.stop();
  await smtp?.stop();
});

/** Any alert() means hostile input ran as code somewhere. */
function forbidDialogs(page: Page) {
  page.on('dialog', async (d) => {
    await d.dismiss();
    throw new Error(`a dialog opened: ${d.message()}`);
  });
}

test('a client in three steps, the seal on its site only, verification, and the copy-attempt log', async ({ page, context }) => {
  forbidDialogs(page);
  context.on('page', forbidDialogs);

  // The operator sets up the certificate type (issuers only read it) and creates the issuer.
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await page.getByRole('link', { name: 'Certificate types' }).click();
  await hydrated(page);
  await page.getByLabel('Name *').fill('Trusted Shop');
  await page.getByLabel('Levels (one per line, optional)').fill('Silver\nGold');
  await page.getByLabel('Seal subtitle').fill('Trusted shop');
  await page.getByRole('button', { name: 'Save type' }).click();
  await expect(page.getByRole('cell', { name: 'Trusted Shop', exact: true })).toBeVisible();
  await createIssuer(page, signet.url);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await acceptInvitation(page, smtp, signet.url, 'ana@smib.test', 'You are invited to Chamber of Commerce Split', 'ana passphrase 12');

  // Step 1 :: Create client, from the dashboard's "+ Add client".
  await page.getByRole('link', { name: '+ Add client' }).click();
  await hydrated(page);
  await expect(page.getByText('Step 1 :: Create client')).toBeVisible();
  await page.getByLabel('Company name *').fill(HOSTILE_NAME);
  await expect(page.getByLabel('Verified page path *')).toHaveValue(/^script-alert-name-script-zutic-sons/);
  await page.getByLabel('Verified page path *').fill('zutic sons');
  await expect(page.getByText("Use only letters A–Z, digits 0–9 and '-'")).toBeVisible();
  await page.getByLabel('Verified page path *').fill('zutic');
  await page.getByLabel('City').fill('Split');
  await page.getByRole('button', { name: 'Save & add domain' }).click();

  // Step 2 :: Add domain, one and then another, then on to the certificate.
  await expect(page.getByText('Step 2 :: Add domain')).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Domain *').fill('https://shop.test/about');
  await page.getByLabel('Description').fill(HOSTILE_DESCRIPTION);
  await page.getByRole('button', { name: 'Save & add additional domain' }).click();
  await expect(page.getByText('Enter the domain name only, without http://').first()).toBeVisible();
  await page.getByLabel('Domain *').fill('shop.test');
  await page.getByRole('button', { name: 'Save & add additional domain' }).click();
  await expect(page.getByText('The domain was added.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Domains added' })).toBeVisible();
  await page.getByLabel('Domain *').fill('www.shop.test');
  await page.getByLabel('Description').fill('');
  await page.getByRole('button', { name: 'Save & add certificate' }).click();

  // Step 3 :: Add certificate: today to +1 year, both domains.
  await expect(page.getByText('Step 3 :: Add certificate')).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Level').selectOption('Gold');
  await expect(page.getByLabel('shop.test', { exact: true })).toBeChecked();
  await page.getByRole('button', { name: 'Save certificate' }).click();

  // The client's page, with the hostile name shown as text.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(HOSTILE_NAME);
  await expect(page.getByRole('cell', { name: 'Valid', exact: true })).toBeVisible();
  await expect(page.getByText(HOSTILE_DESCRIPTION)).toBeVisible();
  await page.getByRole('link', { name: 'View & edit' }).click();
  await expect(page.getByRole('heading', { name: 'Seal code' })).toBeVisible();
  snippet = await page.locator('textarea.snippet').nth(1).inputValue();
  // "+ Extend" adds a year to valid-to, and the history keeps both steps.
  await hydrated(page);
  const validTo = await page.getByRole('row', { name: /^Valid to/ }).getByRole('cell').textContent();
  await page.getByRole('button', { name: '+ Extend' }).click();
  await expect(page.getByText('The certificate was extended by one year.')).toBeVisible();
  const nextYear = String(Number(validTo!.slice(0, 4)) + 1) + validTo!.slice(4);
  await expect(page.getByRole('row', { name: /^Valid to/ }).getByRole('cell')).toHaveText(nextYear);
  await expect(page.getByRole('cell', { name: 'extended', exact: true })).toBeVisible();
  expect(snippet).toMatch(/^<script src="http:\/\/127\.0\.0\.1:\d+\/seal\/[a-z0-9]{20}\.js" data-style="classic" async><\/script>$/);

  // The certificate list and the client list show the name as text too.
  await page.getByRole('link', { name: 'Certificates', exact: true }).click();
  await expect(page.getByRole('link', { name: HOSTILE_NAME })).toBeVisible();
  await page.getByRole('link', { name: 'Clients', exact: true }).click();
  await expect(page.getByRole('link', { name: HOSTILE_NAME })).toBeVisible();

  // A visitor on the client's site sees the seal, drawn in Signet's frame.
  const visitor = await context.newPage();
  await visitor.goto(`http://shop.test:${sitePort}/`);
  const seal = visitor.frameLocator('iframe[title^="Verified business"]').getByRole('link');
  await expect(seal).toContainText('Verified business');
  await expect(seal).toContainText('Chamber of Commerce Split');

  // A click opens the verification page through a secure coded link …
  const [verification] = await Promise.all([visitor.waitForEvent('popup'), seal.click()]);
  await expect(verification).toHaveURL(new RegExp(`^${signet.url}/c/`));
  await expect(verification.getByRole('heading', { level: 1 })).toHaveText(HOSTILE_NAME);
  await expect(verification.getByText('is verified by Chamber of Commerce Split')).toBeVisible();
  // … whose "See the verified page" shows the company data and its commercial websites …
  await verification.getByRole('link', { name: 'See the verified page' }).click();
  await expect(verification.getByRole('heading', { name: 'Commercial websites' })).toBeVisible();
  await expect(verification.getByText(HOSTILE_DESCRIPTION)).toBeVisible();
  await verification.goBack();
  // … and "Back to website" returns to the client's site.
  await verification.getByRole('link', { name: 'Back to website' }).click();
  await expect(verification).toHaveURL(`http://shop.test:${sitePort}/`);
  await expect(verification.getByRole('heading', { name: 'Welcome to shop.test' })).toBeVisible();

  // The same snippet on another site shows nothing …
  const copycat = await context.newPage();
  const report = copycat.waitForRequest((r) => r.url().includes('/seen?u='));
  await copycat.goto(`http://copy.test:${sitePort}/`);
  await expect(copycat.getByRole('heading', { name: 'Welcome to copy.test' })).toBeVisible();
  await report;
  await expect(copycat.locator('iframe')).toHaveCount(0);
  // … and appears in the issuer's copy-attempt log.
  await page.getByRole('link', { name: 'Copy attempts' }).click();
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByRole('cell', { name: 'copy.test', exact: true }).count();
    }, { timeout: 15_000 })
    .toBe(1);
  await expect(page.getByRole('cell', { name: `http://copy.test:${sitePort}/` })).toBeVisible();
});
