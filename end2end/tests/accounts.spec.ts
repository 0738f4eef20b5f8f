// Sign-in safety: hydration, where one is signed in (and ending another device's session), lockout after 5
// wrong passwords, password reset through a real SMTP server.
import { test, expect } from './a11y';
import { Signet, Smtp, hydrated, link, signIn } from './support';

const EMAIL = 'olga@signet.test';
const PASSWORD = 'operator passphrase 1';
let smtp: Smtp;
let signet: Signet;

test.beforeAll(async () => {
  smtp = await Smtp.start();
  const dataDir = Signet.newDataDir();
  Signet.createOperator(dataDir, EMAIL, PASSWORD);
  signet = await Signet.start({ smtp, dataDir });
});
test.afterAll(async () => {
  await signet?.stop();
  await smtp?.stop();
});

test('the page hydrates: "Show password" only works with the Wasm running', async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith('/pkg/signet.wasm') && r.status() === 200);
  await page.goto(`${signet.url}/login`);
  await wasm;
  await hydrated(page);
  const password = page.getByLabel('Password *');
  await password.fill('secret');
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide password' }).click();
  await expect(password).toHaveAttribute('type', 'password');
});

test('"Your account" lists where you are signed in, and ending the phone\'s session signs the phone out', async ({ page, browser }) => {
  const phoneContext = await browser.newContext({
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  });
  const phone = await phoneContext.newPage();
  await signIn(phone, signet.url, EMAIL, PASSWORD);
  await expect(phone.getByRole('heading', { name: 'Instance overview' })).toBeVisible();
  await signIn(page, signet.url, EMAIL, PASSWORD);
  await expect(page.getByRole('heading', { name: 'Instance overview' })).toBeVisible();

  await page.goto(`${signet.url}/account`);
  await hydrated(page);
  const sessions = page.getByRole('region', { name: 'Where you are signed in' });
  await expect(sessions.getByText('This browser', { exact: true })).toBeVisible();
  await expect(sessions.getByRole('cell', { name: 'Safari on iPhone', exact: true })).toBeVisible();
  await sessions.getByRole('button', { name: 'End session on Safari on iPhone from 127.0.0.1' }).click();
  await expect(sessions.getByRole('cell', { name: 'Safari on iPhone', exact: true })).toHaveCount(0);
  await expect(sessions.getByText('This browser', { exact: true })).toBeVisible();

  // The phone's next page is the sign-in page; this browser is still signed in.
  await phone.goto(`${signet.url}/account`);
  await expect(phone).toHaveURL(/\/login$/);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await phoneContext.close();
});

test('five wrong passwords lock the account; the message does not tell whether the e-mail exists', async ({ page }) => {
  await page.goto(`${signet.url}/login`);
  await hydrated(page);
  for (let i = 1; i <= 4; i++) {
    await page.getByLabel('E-mail').fill(EMAIL);
    await page.getByLabel('Password *').fill(`wrong password ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('The e-mail and password do not match.')).toBeVisible();
  }
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByLabel('Password *').fill('wrong password 5');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('sign-in is locked for 15 minutes')).toBeVisible();

  // Now even the right password is refused, with the same words.
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByLabel('Password *').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('sign-in is locked for 15 minutes')).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  // An address without an account gets exactly the same treatment.
  for (let i = 1; i <= 5; i++) {
    await page.getByLabel('E-mail').fill('nobody@signet.test');
    await page.getByLabel('Password *').fill(`guess ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText(i < 5 ? 'The e-mail and password do not match.' : 'sign-in is locked for 15 minutes')).toBeVisible();
  }

  // The owner is told by e-mail.
  await smtp.waitFor(EMAIL, 'Your Signet account was locked');
});

test('a password reset link arrives by e-mail, works once, and lifts the lock', async ({ page }) => {
  await page.goto(`${signet.url}/forgot-password`);
  await hydrated(page);
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account exists for that e-mail')).toBeVisible();

  const mail = await smtp.waitFor(EMAIL, 'Reset your Signet password');
  const resetLink = link(mail.text, `${signet.url}/reset-password/`);
  await page.goto(resetLink);
  await hydrated(page);
  await page.getByLabel('New password *', { exact: true }).fill('short');
  await page.getByLabel('Repeat the new password *', { exact: true }).focus();
  await expect(page.getByText('Use at least 12 characters.')).toBeVisible();
  await page.getByLabel('New password *', { exact: true }).fill('a brand new passphrase');
  await page.getByLabel('Repeat the new password *', { exact: true }).fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Save password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();

  // The link works once.
  await page.goto(resetLink);
  await hydrated(page);
  await page.getByLabel('New password *', { exact: true }).fill('another new passphrase');
  await page.getByLabel('Repeat the new password *', { exact: true }).fill('another new passphrase');
  await page.getByRole('button', { name: 'Save password' }).click();
  await expect(page.getByText('This link is not valid any more')).toBeVisible();

  // The old password is gone, the new one works although the account was locked.
  await signIn(page, signet.url, EMAIL, PASSWORD);
  await expect(page.getByText('The e-mail and password do not match.')).toBeVisible();
  await signIn(page, signet.url, EMAIL, 'a brand new passphrase');
  await expect(page.getByRole('heading', { name: 'Instance overview' })).toBeVisible();
});
