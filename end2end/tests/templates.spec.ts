// What an issuer sends its clients: the operator edits the issuer's web certificate e-mail (a template with an
// error is refused with its line), the issuer reads it with the preview, uploads a file of the client's and
// sends the certificate e-mail with the printable certificate, the QR code and that file from a seal's page,
// extends the seal and sends the follow-up; then a newsletter to one industry, a one-click unsubscribe from a
// mail program, and the next newsletter skipping that client.
import { Page, request } from '@playwright/test';
import { test, expect } from './a11y';
import { Signet, Smtp, acceptInvitation, createIssuer, hydrated, signIn } from './support';

const CLIENT = 'Čokolada Đurđević & <Šime> d.o.o.';

let smtp: Smtp;
let signet: Signet;

test.beforeAll(async () => {
  smtp = await Smtp.start();
  const dataDir = Signet.newDataDir();
  Signet.createOperator(dataDir, 'olga@signet.test', 'operator passphrase 1');
  signet = await Signet.start({ smtp, dataDir });
});

test.afterAll(async () => {
  await signet?.stop();
  await smtp?.stop();
});

async function post(page: Page, endpoint: string, form: Record<string, string>) {
  const answer = await page.request.post(`${signet.url}/_sf/${endpoint}`, { form, maxRedirects: 0 });
  expect(answer.status(), `${endpoint}: ${await answer.text()}`).toBeLessThan(400);
  return answer.status() < 300 ? answer.json() : null;
}

/** The signed-in issuer admin adds the client, its domain and a seal; the seal's id. */
async function clientWithSeal(page: Page, typeId: string): Promise<string> {
  await post(page, 'clients/create', {
    'client[name]': CLIENT, 'client[path]': 'cokolada', 'client[city]': 'Split',
    'client[email]': 'zeljka@cokolada.test', 'client[contact_person]': 'Željka Ćorić',
  });
  const clients = await post(page, 'clients/list', { search: '', page: '1' });
  const clientId = clients.items[0].id;
  const domain = await post(page, 'clients/add-domain', { client_id: clientId, host: 'cokolada.test', description: '' });
  const today = new Date().toISOString().slice(0, 10);
  const nextYear = String(Number(today.slice(0, 4)) + 1) + today.slice(4);
  const seal = await post(page, 'seals/create', {
    client_id: clientId, 'seal[type_id]': typeId, 'seal[level]': 'Gold', 'seal[valid_from]': today,
    'seal[valid_to]': nextYear, 'seal[domains][0]': domain.id,
  });
  return seal.id;
}

test('the operator edits a template, the issuer previews it and sends the certificate e-mail and the follow-up', async ({ page }) => {
  // Every preview makes a PDF in the debug build, and axe-core checks each page state: more than the default.
  test.setTimeout(300_000);
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await post(page, 'catalog/save-type', {
    id: '', 'cert_type[name]': 'Trusted Shop', 'cert_type[levels]': 'Gold', 'cert_type[seal_title]': 'Verified business',
    'cert_type[seal_color]': '#1f6f43', 'cert_type[seal_text_color]': '#ffffff',
  });
  const catalog = await post(page, 'catalog/list', {});
  await createIssuer(page, signet.url);

  // The operator opens the issuer's web certificate e-mail: the built-in version, with its variables.
  await page.getByRole('link', { name: 'Templates', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Whose templates').selectOption({ label: 'Chamber of Commerce Split' });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByText('In use: the built-in version')).toBeVisible();
  await hydrated(page);
  await expect(page.getByText('client.contact_person')).toBeVisible();
  // A subject with an error is refused with its line, and nothing is saved.
  await page.getByLabel('Subject', { exact: true }).fill('Your seal, {{ client.name ');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText(/Line 1: syntax error/)).toBeVisible();
  await page.getByLabel('Subject', { exact: true }).fill('Your {{ seal.type }} seal, {{ client.name }}');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByText('Your Verified business seal, Čokolada Đurđević & Šime <d.o.o.>')).toBeVisible();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved as a new version.')).toBeVisible();
  await expect(page.getByText('In use: version 1, this issuer\'s own.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();

  // The issuer's admin reads it, read-only, with the preview on sample data.
  await acceptInvitation(page, smtp, signet.url, 'ana@smib.test', 'You are invited to Chamber of Commerce Split', 'ana passphrase 12');
  const sealId = await clientWithSeal(page, catalog.types[0].id);
  await page.getByRole('link', { name: 'Templates', exact: true }).click();
  await expect(page.getByText('In use: version 1, this issuer\'s own.')).toBeVisible();
  await expect(page.getByText('Your Verified business seal, Čokolada Đurđević & Šime <d.o.o.>')).toBeVisible();

  // The client's own file, uploaded once on its page; a file that is not what its name says is refused.
  const clients = await post(page, 'clients/list', { search: '', page: '1' });
  await page.goto(`${signet.url}/clients/${clients.items[0].id}`);
  await hydrated(page);
  await page.getByLabel('Upload a file').setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('just text') });
  await expect(page.getByText("The file's type is not recognised", { exact: false })).toBeVisible();
  const brochure = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  await page.getByLabel('Upload a file').setInputFiles({ name: 'brochure.pdf', mimeType: 'application/pdf', buffer: brochure });
  await expect(page.getByRole('cell', { name: 'brochure.pdf', exact: true })).toBeVisible();

  // On the seal's page: the preview is the e-mail the client gets, with its attachments.
  await page.goto(`${signet.url}/seals/${sealId}`);
  await hydrated(page);
  await expect(page.getByText(`Your Trusted Shop seal, ${CLIENT}`)).toBeVisible();
  await expect(page.getByText(/^certificate-cokolada-durdevic-sime-d-o-o\.pdf \(\d+ KB\)$/)).toBeVisible();
  await expect(page.getByText(/^qr-code-cokolada-durdevic-sime-d-o-o\.png \(\d+ KB\)$/)).toBeVisible();
  await page.getByLabel('File: brochure.pdf').check();
  await expect(page.getByText(/^brochure\.pdf \(\d+ (B|bytes|KB)\)$/)).toBeVisible();
  await page.getByLabel('Personal message', { exact: true }).fill('Welcome to the programme!');
  await page.getByLabel('The personal message').check();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByText('The e-mail was queued')).toBeVisible();
  const first = await smtp.waitFor('zeljka@cokolada.test', 'Your Trusted Shop seal');
  expect(first.html).toContain('Čokolada Đurđević &amp; &lt;Šime&gt; d.o.o.');
  expect(first.text).toContain('Welcome to the programme!');
  expect(first.attachments.map((a) => [a.filename, a.contentType])).toEqual([
    ['certificate-cokolada-durdevic-sime-d-o-o.pdf', 'application/pdf'],
    ['qr-code-cokolada-durdevic-sime-d-o-o.png', 'image/png'],
    ['brochure.pdf', 'application/pdf'],
  ]);
  // The history below lists it (loaded again after the send).
  await expect(page.getByRole('cell', { name: 'zeljka@cokolada.test' })).toHaveCount(1);

  // "+ Extend" offers the follow-up, with the new dates; without the PDF only the QR code goes.
  await hydrated(page);
  await page.getByRole('button', { name: '+ Extend' }).click();
  await expect(page.getByText('The certificate was extended: send the client the follow-up e-mail')).toBeVisible();
  await expect(page.getByLabel('E-mail', { exact: true })).toHaveValue('followup_email');
  await page.getByLabel('Printable certificate (PDF)').uncheck();
  await expect(page.getByText(/^certificate-.*\.pdf \(\d+ KB\)$/)).toHaveCount(0);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const followUp = await smtp.waitFor('zeljka@cokolada.test', 'is valid until');
  expect(followUp.attachments.map((a) => a.filename)).toEqual(['qr-code-cokolada-durdevic-sime-d-o-o.png']);

  // The admin keeps a list of industries; two clients in Retail, one in Tourism.
  await page.getByRole('link', { name: 'Issuer profile' }).click();
  await hydrated(page);
  await page.getByLabel('Industries, one per line').fill('Retail\nTourism');
  await page.getByRole('button', { name: 'Save industries' }).click();
  await expect(page.getByText('Industries saved.')).toBeVisible();
  for (const [name, path, industry, email] of [
    ['Bura <Shop>', 'bura', 'Retail', 'bo@bura.test'],
    ['Konzum Lovran', 'konzum', 'Retail', 'desk@konzum.test'],
    ['Hotel Marjan', 'marjan', 'Tourism', 'desk@marjan.test'],
  ]) {
    await post(page, 'clients/create', { 'client[name]': name, 'client[path]': path, 'client[industry]': industry, 'client[email]': email });
  }

  // A newsletter to Retail: the count, the preview, then the confirmation before it goes.
  await page.getByRole('link', { name: 'Newsletter', exact: true }).click();
  await page.getByRole('link', { name: 'Write a newsletter' }).click();
  await hydrated(page);
  await page.getByLabel('Subject').fill('Seal styles');
  await page.getByLabel('Audience').selectOption({ label: 'Industry: Retail' });
  await expect(page.locator('#nl-count')).toHaveText('2 recipients');
  await page.locator('#nl-body').fill('Our seals now come in <three> styles.\n\nPick yours on the seal page.');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.frameLocator('iframe.mail-preview').getByText('Our seals now come in <three> styles.')).toBeVisible();
  await page.getByRole('button', { name: 'Send…' }).click();
  await page.getByRole('button', { name: 'Send to 2 recipients' }).click();
  await expect(page.getByRole('heading', { name: 'Seal styles' })).toBeVisible();
  const bura = await smtp.waitFor('bo@bura.test', 'Seal styles');
  await smtp.waitFor('desk@konzum.test', 'Seal styles');
  expect(bura.html).toContain('Dear Bura &lt;Shop&gt;');
  expect(bura.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  const unsubscribe = bura.headers['list-unsubscribe'].replace(/^<|>$/g, '');
  expect(unsubscribe.startsWith(`${signet.url}/unsubscribe/`)).toBeTruthy();
  expect(smtp.messages.filter((m) => m.subject.includes('Seal styles')).map((m) => m.to).sort()).toEqual(['bo@bura.test', 'desk@konzum.test']);

  // Bura's mail program unsubscribes with one click: a POST without any cookie of Signet's.
  const mailProgram = await request.newContext();
  const oneClick = await mailProgram.post(unsubscribe, { form: { 'List-Unsubscribe': 'One-Click' } });
  expect(oneClick.status()).toBe(200);
  expect(await oneClick.text()).toContain('You are unsubscribed');
  await mailProgram.dispose();

  // The next newsletter to Retail skips Bura, and its history says so.
  await page.goto(`${signet.url}/newsletters/new`);
  await hydrated(page);
  await page.getByLabel('Audience').selectOption({ label: 'Industry: Retail' });
  await expect(page.locator('#nl-count')).toHaveText('1 recipients · 1 unsubscribed (skipped)');
  await page.getByLabel('Subject').fill('Winter hours');
  await page.locator('#nl-body').fill('Closed on the 25th.');
  await page.getByRole('button', { name: 'Send…' }).click();
  await page.getByRole('button', { name: 'Send to 1 recipients' }).click();
  await expect(page.getByRole('heading', { name: 'Winter hours' })).toBeVisible();
  await expect(page.getByRole('row', { name: /Bura <Shop>.*Unsubscribed: skipped/ })).toBeVisible();
  await smtp.waitFor('desk@konzum.test', 'Winter hours');
  expect(smtp.messages.some((m) => m.to === 'bo@bura.test' && m.subject.includes('Winter hours'))).toBeFalsy();
  await page.getByRole('link', { name: '← Newsletters' }).click();
  await expect(page.getByRole('row', { name: /Seal styles.*Industry: Retail/ })).toBeVisible();
});
