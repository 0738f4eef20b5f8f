// Fills a running Signet with an issuer, a certificate type and N clients (each with a domain and a seal
// certificate), through the same server functions the pages use. Prints the ids the load test needs as JSON.
//   node seed.mjs http://127.0.0.1:8080 operator@example.test 'operator passphrase' 10000
import { Session } from './session.mjs';
const [base, email, password, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 10000);
const CONCURRENCY = 16;


const operator = new Session(base);
await operator.call('auth/login', { email, password });
await operator.call('admin/create-issuer', {
  name: 'Bench Chamber', slug: 'bench', admin_email: 'admin@bench.test', admin_name: 'Bench Admin',
});
await operator.call('catalog/save-type', {
  id: '', 'cert_type[name]': 'Bench Seal', 'cert_type[levels]': 'Gold', 'cert_type[seal_title]': 'Verified business',
  'cert_type[seal_color]': '#1f6f43', 'cert_type[seal_text_color]': '#ffffff',
});
// The admin's invitation is in the outbox (no SMTP in the benchmark): accept it.
const [, mail] = await operator.call('admin/mail', { status: '' });
const invite = mail.find((m) => m.to === 'admin@bench.test').body.match(/\/invite\/(\S+)/)[1];
const admin = new Session(base);
await admin.call('auth/accept-invitation', { token: invite, name: 'Bench Admin', password: 'bench admin passphrase', confirm: 'bench admin passphrase' });
await admin.call('auth/login', { email: 'admin@bench.test', password: 'bench admin passphrase' });
const catalog = await admin.call('catalog/list', {});
const typeId = catalog.types.find((t) => t.name === 'Bench Seal').id;
const today = catalog.today;
const nextYear = String(Number(today.slice(0, 4)) + 1) + today.slice(4);

let next = 0;
let first = null;
async function worker() {
  while (next < count) {
    const n = next++;
    const path = `client-${n}`;
    let client;
    try {
      client = await admin.call('clients/create', { 'client[name]': `Client ${n} d.o.o.`, 'client[path]': path, 'client[city]': 'Split' });
    } catch (e) {
      // A retried create may have gone through the first time: find it.
      client = (await admin.call('clients/list', { search: path, page: '1' })).items.find((c) => c.path === path);
      if (!client) throw e;
    }
    const domain = await admin.call('clients/add-domain', { client_id: client.id, host: `shop${n}.bench.test`, description: `Web shop ${n}` });
    const seal = await admin.call('seals/create', {
      client_id: client.id, 'seal[type_id]': typeId, 'seal[level]': 'Gold', 'seal[valid_from]': today,
      'seal[valid_to]': nextYear, 'seal[domains][0]': domain.id,
    });
    if (n === 0) first = { seal: seal.id, path, host: `shop${n}.bench.test` };
    if ((n + 1) % 1000 === 0) process.stderr.write(`seeded ${n + 1} clients\n`);
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
console.log(JSON.stringify(first));
