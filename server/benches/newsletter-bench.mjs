// The newsletter benchmark's client (see newsletter-load.sh), through the server functions the pages use.
//   node newsletter-bench.mjs seed   BASE OPERATOR PASSWORD COUNT   → issuer, COUNT clients with an address, one seal
//   node newsletter-bench.mjs pdf    BASE SEAL_ID N                 → median ms of N certificate PDFs
//   node newsletter-bench.mjs send   BASE                           → seconds to queue a newsletter to every client,
//                                                                     then seconds until the SMTP server took all
// Prints one JSON line per command.
import { Session } from './session.mjs';
const [command, base, ...rest] = process.argv.slice(2);
const ADMIN = { email: 'admin@bench.test', password: 'bench admin passphrase' };
const CONCURRENCY = 16;

async function signedInAdmin() {
  const admin = new Session(base);
  await admin.call('auth/login', ADMIN);
  return admin;
}

async function seed(email, password, count) {
  const operator = new Session(base);
  await operator.call('auth/login', { email, password });
  await operator.call('admin/create-issuer', { name: 'Bench Chamber', slug: 'bench', admin_email: ADMIN.email, admin_name: 'Bench Admin' });
  await operator.call('catalog/save-type', {
    id: '', 'cert_type[name]': 'Bench Seal', 'cert_type[levels]': 'Gold', 'cert_type[seal_title]': 'Verified business',
    'cert_type[seal_color]': '#1f6f43', 'cert_type[seal_text_color]': '#ffffff',
  });
  const [, mail] = await operator.call('admin/mail', { status: '' });
  const invite = mail.find((m) => m.to === ADMIN.email).body.match(/\/invite\/(\S+)/)[1];
  await new Session(base).call('auth/accept-invitation', { token: invite, name: 'Bench Admin', password: ADMIN.password, confirm: ADMIN.password });
  const admin = await signedInAdmin();
  let next = 0;
  async function worker() {
    while (next < count) {
      const n = next++;
      const form = {
        'client[name]': `Klijent ${n} d.o.o. – Čakovec`, 'client[path]': `client-${n}`, 'client[city]': 'Split',
        'client[industry]': n % 2 ? 'Retail' : 'Tourism', 'client[email]': `owner${n}@client${n}.bench.test`,
        'client[contact_person]': `Željka ${n}`,
      };
      try {
        await admin.call('clients/create', form);
      } catch (e) {
        // A create retried after a conflict may have gone through the first time.
        const found = (await admin.call('clients/list', { search: `client-${n}`, page: '1' })).items.some((c) => c.path === `client-${n}`);
        if (!found) throw e;
      }
      if ((n + 1) % 2000 === 0) process.stderr.write(`seeded ${n + 1} clients\n`);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const client = (await admin.call('clients/list', { search: 'client-0', page: '1' })).items.find((c) => c.path === 'client-0');
  const catalog = await admin.call('catalog/list', {});
  const today = catalog.today;
  const domain = await admin.call('clients/add-domain', { client_id: client.id, host: 'shop0.bench.test', description: 'Web shop' });
  const seal = await admin.call('seals/create', {
    client_id: client.id, 'seal[type_id]': catalog.types[0].id, 'seal[level]': 'Gold', 'seal[valid_from]': today,
    'seal[valid_to]': String(Number(today.slice(0, 4)) + 1) + today.slice(4), 'seal[domains][0]': domain.id,
  });
  console.log(JSON.stringify({ seal: seal.id }));
}

async function pdf(sealId, n) {
  const admin = await signedInAdmin();
  const times = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const r = await fetch(`${base}/_app/seals/${sealId}/certificate.pdf`, { headers: { Cookie: admin.cookie } });
    const body = new Uint8Array(await r.arrayBuffer());
    if (r.status !== 200 || body[0] !== 0x25) throw new Error(`certificate.pdf: ${r.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ median_ms: +times[Math.floor(n / 2)].toFixed(1), p90_ms: +times[Math.floor(n * 0.9)].toFixed(1), n }));
}

async function send() {
  const admin = await signedInAdmin();
  const draft = {
    'draft[subject]': 'Bench newsletter', 'draft[industry]': '',
    'draft[body]': 'Our seals now come in three styles.\n\nPick yours on the seal page, and tell us what you think.',
  };
  const audience = await admin.call('newsletters/audience', { industry: '' });
  const started = performance.now();
  const id = await admin.call('newsletters/send', draft);
  const queued = (performance.now() - started) / 1000;
  let sent = 0;
  while (sent < audience.recipients) {
    await new Promise((ok) => setTimeout(ok, 500));
    const list = await admin.call('newsletters/list', {});
    sent = list.find((n) => n.id === id).sent;
  }
  const delivered = (performance.now() - started) / 1000;
  console.log(JSON.stringify({
    recipients: audience.recipients, queue_s: +queued.toFixed(2), delivered_s: +delivered.toFixed(1),
    per_second: Math.round(audience.recipients / (delivered - queued)),
  }));
}

if (command === 'seed') await seed(rest[0], rest[1], Number(rest[2]));
else if (command === 'pdf') await pdf(rest[0], Number(rest[1]));
else if (command === 'send') await send();
else throw new Error(`unknown command ${command}`);
