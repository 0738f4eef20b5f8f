// A signed-in browser for the benchmark scripts: same-origin form posts to Signet's server functions, with
// the session cookie kept between calls.
export class Session {
  constructor(base) { this.base = base; this.cookie = ''; }
  /** Retries what the server could not do at the moment (a write conflict under load answers 500). */
  async call(endpoint, form, attempt = 1) {
    try {
      return await this.once(endpoint, form);
    } catch (e) {
      if (attempt >= 3 || !String(e.message).includes(' 500 ')) throw e;
      return this.call(endpoint, form, attempt + 1);
    }
  }
  async once(endpoint, form) {
    const r = await fetch(`${this.base}/_sf/${endpoint}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: this.cookie, Accept: 'application/json' },
      body: new URLSearchParams(form),
      redirect: 'manual',
    });
    const set = r.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    const text = await r.text();
    if (r.status >= 400) throw new Error(`${endpoint}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
}
