// Every Signet page a test visits is checked by axe-core against WCAG 2 A and AA, and the test fails on any
// violation. Specs import `test` and `expect` from here instead of '@playwright/test'.
import { test as base, expect, Browser, BrowserContext, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Signet runs on 127.0.0.1 in the tests; the client websites of the seal tests (shop.test …) are not ours. */
function isSignet(url: string): boolean {
  try {
    return new URL(url).hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

class Checker {
  violations: string[] = [];
  private queue: Promise<void> = Promise.resolve();
  private watched = new WeakSet<object>();

  /** Checks the page as it is once this page's turn comes; checks run one after another. */
  check(page: Page) {
    this.queue = this.queue.then(async () => {
      const url = page.url();
      if (page.isClosed() || !isSignet(url)) return;
      try {
        await page.waitForLoadState('load', { timeout: 10_000 });
        // The e-mail previews are sandboxed frames without scripts: the template's HTML is not a Signet page, and
        // axe-core cannot run inside them.
        const results = await new AxeBuilder({ page }).withTags(TAGS).exclude('iframe.mail-preview').analyze();
        for (const v of results.violations) {
          const where = v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(' | ');
          const line = `${new URL(url).pathname}: ${v.id} (${v.impact}): ${v.help} — ${where}`;
          if (!this.violations.includes(line)) this.violations.push(line);
        }
      } catch {
        // The page moved on (or closed) while it was being checked; the page it moved to is checked in turn.
      }
    });
  }

  watchPage(page: Page) {
    if (this.watched.has(page)) return;
    this.watched.add(page);
    page.on('framenavigated', (frame) => frame === page.mainFrame() && this.check(page));
  }

  watchContext(context: BrowserContext) {
    if (this.watched.has(context)) return;
    this.watched.add(context);
    context.pages().forEach((p) => this.watchPage(p));
    context.on('page', (p) => this.watchPage(p));
  }

  /** Contexts the test makes itself (`browser.newContext()`, `browser.newPage()`) are watched too. */
  watchBrowser(browser: Browser): () => void {
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
      const context = await newContext(...args);
      this.watchContext(context);
      return context;
    };
    return () => {
      browser.newContext = newContext;
    };
  }

  /** The pages still open are checked as they are at the end, then every finding is reported. */
  async finish(contexts: BrowserContext[]) {
    for (const context of contexts) context.pages().forEach((p) => this.check(p));
    await this.queue;
  }
}

export const test = base.extend<{ accessibility: void }>({
  accessibility: [
    async ({ browser, context }, use) => {
      const checker = new Checker();
      const restore = checker.watchBrowser(browser);
      checker.watchContext(context);
      await use();
      await checker.finish(browser.contexts());
      restore();
      expect(checker.violations, 'axe-core found WCAG 2 A/AA violations on these pages').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
