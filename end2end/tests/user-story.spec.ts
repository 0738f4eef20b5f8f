// The foundation's user story, as people do it: first-run setup, the operator creates an issuer, its admin
// accepts the e-mailed invitation, fills in the issuer profile and invites a colleague.
import { test, expect } from './a11y';
import { Signet, Smtp, hydrated, link, signIn } from './support';

let smtp: Smtp;
let signet: Signet;

test.beforeAll(async () => {
  smtp = await Smtp.start();
  signet = await Signet.start({ smtp });
});
test.afterAll(async () => {
  await signet?.stop();
  await smtp?.stop();
});

test('operator sets up, creates an issuer; its admin completes the profile and invites a colleague', async ({ page }) => {
  // 1. The printed one-time setup link creates the operator.
  expect(signet.setupUrl, 'start-up prints a setup link').toBeTruthy();
  await page.goto(signet.setupUrl!);
  await expect(page.getByRole('heading', { name: 'Set up Signet' })).toBeVisible();
  await page.getByLabel('Your name').fill('Olga Operator');
  await page.getByLabel('E-mail').fill('olga@signet.test');
  await page.getByLabel('New password *', { exact: true }).fill('operator passphrase 1');
  await page.getByLabel('Repeat the new password *', { exact: true }).fill('operator passphrase 1');
  await page.getByRole('button', { name: 'Create operator account' }).click();
  await expect(page.getByText('The operator account is ready')).toBeVisible();

  // The link works once.
  const again = await page.request.get(signet.setupUrl!);
  expect(await again.text()).toContain('This setup link is not valid');

  // 2. The operator signs in and creates the issuer with its first admin.
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await expect(page.getByRole('heading', { name: 'Instance overview' })).toBeVisible();
  await page.getByRole('link', { name: 'Issuers', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Issuer name').fill('Chamber of Commerce Split');
  // The slug follows the name as it is typed (a hydrated control).
  await expect(page.getByLabel('Short name (slug)')).toHaveValue('chamber-of-commerce-split');
  await page.getByLabel('Short name (slug)').fill('smib');
  await page.getByLabel("Admin's name").fill('Ana Admin');
  await page.getByLabel("Admin's e-mail").fill('ana@smib.test');
  await page.getByRole('button', { name: 'Create issuer' }).click();
  await expect(page.getByText('Issuer "Chamber of Commerce Split" was created')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'smib', exact: true })).toBeVisible();

  // A second issuer with the same slug is refused at the field.
  await page.getByLabel('Issuer name').fill('Another Chamber');
  await page.getByLabel('Short name (slug)').fill('smib');
  await page.getByLabel("Admin's name").fill('Someone');
  await page.getByLabel("Admin's e-mail").fill('someone@other.test');
  await page.getByRole('button', { name: 'Create issuer' }).click();
  await expect(page.getByText('Another issuer uses this short name already.')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // 3. The admin accepts the e-mailed invitation and chooses a password.
  const invitation = await smtp.waitFor('ana@smib.test', 'You are invited to Chamber of Commerce Split');
  await page.goto(link(invitation.text, `${signet.url}/invite/`));
  await expect(page.getByText('You are invited to work for Chamber of Commerce Split')).toBeVisible();
  await page.getByLabel('New password *', { exact: true }).fill('ana passphrase 22');
  await page.getByLabel('Repeat the new password *', { exact: true }).fill('ana passphrase 22');
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.getByText('Your account is ready')).toBeVisible();

  // 4. She signs in and fills in the issuer profile.
  await signIn(page, signet.url, 'ana@smib.test', 'ana passphrase 22');
  await expect(page.getByRole('heading', { name: 'Chamber of Commerce Split' })).toBeVisible();
  await expect(page.getByText('The issuer profile is missing')).toBeVisible();
  await page.getByRole('link', { name: 'Issuer profile', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('Address').fill('Obala kneza Branimira 1');
  await page.getByLabel('City').fill('Split');
  await page.getByLabel('Postal code').fill('21000');
  await page.getByLabel('Country').fill('Croatia');
  await page.getByLabel('Contact e-mail').fill('not-an-email');
  await page.getByLabel('Contact phone').focus();
  // Inline validation as she leaves the field.
  await expect(page.getByText('Enter a valid e-mail address')).toBeVisible();
  await page.getByLabel('Contact e-mail').fill('info@smib.test');
  await page.getByLabel('Contact phone').fill('+385 21 123 456');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('The issuer profile was saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('City')).toHaveValue('Split');

  // 5. She invites a colleague, who receives the invitation by e-mail.
  await hydrated(page);
  await page.getByLabel('Name *', { exact: true }).fill('Ivo User');
  await page.getByLabel('E-mail *', { exact: true }).fill('ivo@smib.test');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByText('The invitation was sent.')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'ivo@smib.test' })).toBeVisible();
  const colleague = await smtp.waitFor('ivo@smib.test', 'You are invited to Chamber of Commerce Split');
  expect(colleague.text).toContain('ana@smib.test invited you');

  // 6. The audit log shows what happened, with who and from where.
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await expect(page.getByRole('cell', { name: 'member.invite' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'issuer.update' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'auth.login' }).first(), "the admin's own sign-in").toBeVisible();
});

test('the app shell is usable at phone width', async ({ browser }) => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signIn(page, signet.url, 'ana@smib.test', 'ana passphrase 22');
  await expect(page.getByRole('button', { name: 'Menu' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Issuer profile', exact: true })).toBeHidden();
  await hydrated(page);
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('link', { name: 'Issuer profile', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Issuer profile' })).toBeVisible();
  const overflowing = await page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
  );
  expect(overflowing, 'nothing sticks out at phone width (tables scroll inside their frame)').toEqual([]);
  await page.screenshot({ path: 'test-results/phone-issuer-profile.png', fullPage: true });
  await page.close();
});

test('a person in two issuers picks one in the header ("Select issuer")', async ({ page }) => {
  await signIn(page, signet.url, 'olga@signet.test', 'operator passphrase 1');
  await expect(page.getByRole('heading', { name: 'Instance overview' })).toBeVisible();
  await page.goto(`${signet.url}/admin/issuers`);
  await hydrated(page);
  await page.getByLabel('Issuer name').fill('Second Chamber');
  await page.getByLabel("Admin's name").fill('Ana Admin');
  await page.getByLabel("Admin's e-mail").fill('ana@smib.test');
  await page.getByRole('button', { name: 'Create issuer' }).click();
  await expect(page.getByText('Issuer "Second Chamber" was created')).toBeVisible();
  // She has an account already, so the e-mail tells her to sign in rather than to choose a password.
  const added = await smtp.waitFor('ana@smib.test', 'You are invited to Second Chamber');
  expect(added.text).toContain('choose "Second Chamber" in the issuer selector');
  await page.getByRole('button', { name: 'Sign out' }).click();

  await signIn(page, signet.url, 'ana@smib.test', 'ana passphrase 22');
  await expect(page.getByRole('heading', { name: 'Chamber of Commerce Split' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Select issuer').selectOption({ label: 'Second Chamber' });
  await expect(page.getByRole('heading', { name: 'Second Chamber' })).toBeVisible();
  await expect(page.getByLabel('Select issuer')).toHaveValue(/.+/);
  // The shell re-renders for the newly chosen issuer; a click while it does so may land on the old link.
  await expect(async () => {
    await page.getByRole('link', { name: 'Issuer profile', exact: true }).click();
    await expect(page.getByLabel('Issuer name')).toHaveValue('Second Chamber', { timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
});
