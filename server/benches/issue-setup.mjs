// Sets up a running Signet for the issuance benchmark through the same server functions the pages use:
// issuer, root and issuing CA, a product, a client, an API key, and one order validated by e-mail so that
// later orders for the same name reuse the validation and issue at once. With `acme` after the CSR file, also
// shop.example.com as the client's domain and an ACME external account binding for the client and the product.
// Prints what the load needs as JSON.
//   node issue-setup.mjs http://127.0.0.1:8080 operator@example.test 'operator passphrase' ./csr.pem [acme]
import { Session } from './session.mjs';
import { readFileSync } from 'node:fs';
const [base, email, password, csrFile, withAcme] = process.argv.slice(2);


const outbox = async (op, to, re) => {
  const [, mail] = await op.call('admin/mail', { status: '' });
  return mail.find((m) => m.to === to && re.test(m.body)).body.match(re)[1];
};
const operator = new Session(base);
await operator.call('auth/login', { email, password });
await operator.call('admin/create-issuer', { name: 'Bench Chamber', slug: 'bench', admin_email: 'admin@bench.test', admin_name: 'Bench Admin' });
await operator.call('ca/create-root', { common_name: 'Bench Root', organisation: 'Bench' });
const overview = await operator.call('ca/overview', {});
await operator.call('ca/create-intermediate', { issuer_id: overview.issuers_without_ca[0][0] });
await operator.call('products/save', {
  id: '', 'product[name]': 'TLS DV', 'product[profile]': 'server_dv', 'product[wildcard]': 'false', 'product[max_names]': '5',
  'product[validity_days]': '90', 'product[key_types][0]': 'p256', 'product[auto_approve]': 'true', 'product[active]': 'true',
});
const invite = await outbox(operator, 'admin@bench.test', /\/invite\/(\S+)/);
const admin = new Session(base);
await admin.call('auth/accept-invitation', { token: invite, name: 'Bench Admin', password: 'bench admin passphrase', confirm: 'bench admin passphrase' });
await admin.call('auth/login', { email: 'admin@bench.test', password: 'bench admin passphrase' });
await admin.call('clients/create', { 'client[name]': 'Shop d.o.o.', 'client[path]': 'shop', 'client[city]': 'Split', 'client[country]': 'HR', 'client[email]': 'info@shop.example.com', 'client[contact_person]': 'Iva' });
const client = (await admin.call('clients/list', { search: '', page: '1' })).items[0].id;
const key = await admin.call('api-keys/create', { name: 'bench' });
const product = (await admin.call('products/list', {}))[0].id;
const csr = readFileSync(csrFile, 'utf8');
const order = { client_id: client, product_id: product, validity_days: 90, names: ['shop.example.com'], csr, dcv_method: 'email' };
const first = await fetch(`${base}/api/v1/orders`, {
  method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(order),
});
if (first.status !== 201) throw new Error(`first order: ${first.status} ${await first.text()}`);
const token = await outbox(operator, 'admin@shop.example.com', /\/dcv\/(\S+)/);
await new Session(base).call('dcv/confirm', { token });
let acme;
if (withAcme === 'acme') {
  await admin.call('clients/add-domain', { client_id: client, host: 'shop.example.com', description: '' });
  const r = await fetch(`${base}/api/v1/acme/eab`, {
    method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_id: client, product_id: product, label: 'bench' }),
  });
  if (r.status !== 201) throw new Error(`ACME binding: ${r.status} ${await r.text()}`);
  acme = await r.json();
}
console.log(JSON.stringify({ key, order, acme }));
