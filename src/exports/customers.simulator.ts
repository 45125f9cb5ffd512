/**
 * The simulator's `customers`: dental studios, laboratories and clinics with realistic Italian codes,
 * their layouts (the real export of January 2026 and the older nine-page one) and their footer.
 */
import type { ExportTable } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { formatMoney } from '../simulator/formats.js';
import { type GenerationContext, numberOf, round2 } from '../simulator/generation-context.js';
import { fiscalCode, sdiCode, vatNumber } from '../simulator/italian-codes.js';
import {
  CITIES, CLINIC_NAMES, CUSTOMER_DESCRIPTIONS, DELIVERY_TERMS, FEMALE_NAMES, MALE_NAMES, STREETS, SURNAMES, type City,
} from '../simulator/italian-data.js';
import { CENTER as C, columnsOf } from '../simulator/layout-columns.js';
import type { Layout } from '../simulator/layout-types.js';
import type { Random } from '../simulator/random.js';
import { maxIso } from '../simulator/calendar.js';
import { erpNumber, streetAddress } from '../simulator/record-helpers.js';
import type { SimulatorHooks } from '../simulator/simulator-hooks.js';

/** The secondary code a customer takes: its account number. */
const ACCOUNT_NUMBERS = 'customers.accountNumber';

interface Person {
  surname: string;
  name: string;
  female: boolean;
}

function person(random: Random): Person {
  const female = random.chance(0.4);
  return { surname: random.pick(SURNAMES), name: random.pick(female ? FEMALE_NAMES : MALE_NAMES), female };
}

/** Lower-case ASCII of a name for e-mail and web addresses (`D'Angelo` → `dangelo`). */
function slug(text: string): string {
  return text.normalize('NFD').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

function phone(random: Random, city: City): string {
  const local = random.digits(10 - city.area.length);
  return random.chance(0.3) ? `+39 ${city.area} ${local}` : `${city.area} ${local}`;
}

function birthDate(random: Random): string {
  return `${random.int(1950, 1992)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
}

type CustomerKind = 'studio' | 'doctor' | 'lab' | 'clinic' | 'associated' | 'centre';

/** A customer's name and the host part of its e-mail and web addresses. */
function customerName(random: Random, kind: CustomerKind, owner: Person): { name: string; host: string } {
  const title = owner.female ? 'Dott.ssa' : 'Dr.';
  const surname = slug(owner.surname);
  switch (kind) {
    case 'studio':
      return { name: `Studio Dentistico ${title} ${owner.surname} ${owner.name}`, host: `studio${surname}` };
    case 'doctor':
      return { name: `${title} ${owner.surname} ${owner.name}`, host: `${slug(owner.name)}.${surname}` };
    case 'lab':
      return random.chance(0.3)
        ? { name: `Laboratorio Odontotecnico ${owner.surname} & ${random.pick(SURNAMES)} S.n.c.`, host: `lab${surname}` }
        : { name: `Laboratorio Odontotecnico ${owner.surname} S.r.l.`, host: `lab${surname}` };
    case 'clinic': {
      const clinic = random.pick(CLINIC_NAMES);
      return { name: `Clinica Dentale ${clinic} S.r.l.`, host: `clinica${slug(clinic)}` };
    }
    case 'associated':
      return { name: `Studio Associato Dott. ${owner.surname} e ${random.pick(SURNAMES)}`, host: `associati${surname}` };
    case 'centre': {
      const centre = random.pick(CLINIC_NAMES);
      return { name: `Centro Odontoiatrico ${centre}`, host: `centro${slug(centre)}` };
    }
  }
}

/** A new customer (dental studio, laboratory or clinic) with unused `erpId` and `accountNumber`. */
export function newCustomer(ctx: GenerationContext): ExportRecord {
  const random = ctx.random;
  const kind = random.weighted<CustomerKind>([['studio', 40], ['doctor', 8], ['lab', 22], ['clinic', 10], ['associated', 10], ['centre', 10]]);
  const owner = person(random);
  const individual = kind === 'studio' || kind === 'doctor';
  const city = random.pick(CITIES);
  const vat = vatNumber(random);
  const { name, host } = customerName(random, kind, owner);
  const pec = random.chance(0.85) ? `${host}@${random.pick(['pec.it', 'legalmail.it', 'pec.odontoiatri.it'])}` : null;
  const previousOrderCount1 = random.int(0, 40);
  const previousOrderCount2 = random.int(0, 40);
  const values = {
    erpId: ctx.randomErpId('customers'),
    accountNumber: newAccountNumber(ctx),
    name,
    vatNumber: random.chance(0.6) ? `IT${vat}` : vat,
    pec,
    sdi: random.chance(0.1) ? null : pec && random.chance(0.3) ? '0000000' : sdiCode(random),
    fiscalCode: random.chance(0.1)
      ? null
      : individual
        ? fiscalCode({ ...owner, birthDate: birthDate(random), cadastral: random.pick(CITIES).cadastral })
        : vat,
    deliveryTerms: random.chance(0.7) ? random.pick(DELIVERY_TERMS) : null,
    street: streetAddress(random),
    postalCode: city.postalCode,
    city: city.name,
    phone: random.chance(0.9) ? phone(random, city) : null,
    mobile: random.chance(0.5) ? `+39 3${random.digits(2)} ${random.digits(7)}` : null,
    url: random.chance(0.4) ? `www.${random.chance(0.3) ? `studiodentistico${slug(owner.surname)}` : host}.it` : null,
    attentionTo: random.chance(0.5) ? `${individual ? (owner.female ? 'Dott.ssa' : 'Dott.') : 'Sig.'} ${owner.name} ${owner.surname}` : null,
    lastOrderDate: null,
    orderCount: 0,
    // Despite its header, the real export's `TIPO DI CLIENTE` holds an amount, mostly empty (ERP-EXPORTS §5).
    customerType: random.chance(0.3) ? formatMoney(random.int(1000, 400000) / 100) : null,
    previousOrderCount1,
    previousSales1: previousOrderCount1 === 0 ? 0 : round2(previousOrderCount1 * random.int(4000, 60000) / 100),
    previousOrderCount2,
    previousSales2: previousOrderCount2 === 0 ? 0 : round2(previousOrderCount2 * random.int(4000, 60000) / 100),
    description: random.chance(0.3) ? random.pick(CUSTOMER_DESCRIPTIONS) : null,
    type: individual ? 'Persona' : 'Organizzazione',
    externalAccountNumber: random.chance(0.2) ? `EXT${random.digits(5)}` : null,
    ourAccountNumber: random.chance(0.25) ? `F-${random.digits(5)}` : null,
  };
  const record = ctx.record('customers', values);
  ctx.register('customers', record);
  return record;
}

/** `count` new customers. */
function newCustomers(ctx: GenerationContext, count: number): ExportRecord[] {
  return Array.from({ length: count }, () => newCustomer(ctx));
}

/** An unused account number: 6 digits with a leading zero (`049421`) or 7 digits (`1002241`). */
function newAccountNumber(ctx: GenerationContext): string {
  for (;;) {
    const candidate = ctx.random.chance(0.5) ? `0${ctx.random.digits(5)}` : `100${ctx.random.digits(4)}`;
    if (!ctx.codes(ACCOUNT_NUMBERS).has(candidate)) {
      ctx.codes(ACCOUNT_NUMBERS).add(candidate);
      return candidate;
    }
  }
}

/** Sets each customer's order count and last order date from the orders. */
function countOrders(customers: ExportRecord[], orders: ExportRecord[]): void {
  const stats = new Map<string, { count: number; last: string }>();
  for (const order of orders) {
    const account = String(order.customerAccount);
    const entry = stats.get(account) ?? { count: 0, last: '' };
    entry.count++;
    entry.last = maxIso(entry.last, String(order.createdAt).slice(0, 10));
    stats.set(account, entry);
  }
  for (const customer of customers) {
    const entry = stats.get(String(customer.accountNumber));
    customer.orderCount = entry?.count ?? 0;
    customer.lastOrderDate = entry?.last ?? null;
  }
}

function customersLayouts(table: ExportTable): Layout[] {
  const { f } = columnsOf(table);
  // The real export of 19 January 2026, header for header (ERP-EXPORTS §5): colons, a typographic
  // apostrophe, `INDIRIZZO LOGISTICO CAP`, the last order date on page 4, `VENDITE PRECEDENTE` twice on page 6.
  const real8 = [
    [f('ID', 'erpId', 60), f('PROFILO CLIENTE:', 'accountNumber', 70), f('NOME', 'name', 130), f('PARTITA IVA:', 'vatNumber', 80, { headerAlign: C })],
    [f('PEC:', 'pec', 140), f('SDI:', 'sdi', 50, { headerAlign: C }), f('CODICE FISCALE:', 'fiscalCode', 95), f('TERMINI DI CONSEGNA', 'deliveryTerms', 90)],
    [f('VIA:', 'street', 110), f('INDIRIZZO LOGISTICO CAP', 'postalCode', 60), f('CITTÀ', 'city', 90)],
    [f('TELEFONO:', 'phone', 80), f('CELLULARE:', 'mobile', 80), f('URL:', 'url', 80), f('ALL’ATTENZIONE DI:', 'attentionTo', 110), f("DATA DELL'ULTIMO ORDINE", 'lastOrderDate', 80)],
    [f('CONTEGGI DEGLI ORDINI EFFETTIVI', 'orderCount', 80), f('TIPO DI CLIENTE', 'customerType', 100), f('CONTEGGIO DEGLI ORDINI PRECEDENTE', 'previousOrderCount1', 90)],
    [f('VENDITE PRECEDENTE', 'previousSales1', 90), f('CONTEGGIO DEGLI ORDINI PRECEDENTE 2', 'previousOrderCount2', 90), f('VENDITE PRECEDENTE', 'previousSales2', 90)],
    [f('DESCRIZIONE:', 'description', 130), f('TYPE:', 'type', 80), f('NUMERO DI CONTO ESTERNO', 'externalAccountNumber', 90)],
    [f('IL NOSTRO NUMERO DI CONTO', 'ourAccountNumber', 100)],
  ];
  const first7 = [
    [f('ID', 'erpId', 60), f('PROFILO CLIENTE', 'accountNumber', 70), f('NOME', 'name', 130), f('PARTITA IVA', 'vatNumber', 80, { headerAlign: C })],
    [f('PEC', 'pec', 140), f('SDI', 'sdi', 50, { headerAlign: C }), f('CODICE FISCALE', 'fiscalCode', 95), f('TERMINI DI CONSEGNA', 'deliveryTerms', 90)],
    [f('VIA', 'street', 110), f('CAP', 'postalCode', 45), f('CITTÀ', 'city', 90)],
    [f('TELEFONO', 'phone', 80), f('CELLULARE', 'mobile', 80), f('URL', 'url', 80), f("ALL'ATTENZIONE DI", 'attentionTo', 110)],
    [f("DATA DELL'ULTIMO ORDINE", 'lastOrderDate', 80), f('CONTEGGI DEGLI ORDINI EFFETTIVI', 'orderCount', 80), f('TIPO DI CLIENTE', 'customerType', 100)],
    [f('CONTEGGIO DEGLI ORDINI PRECEDENTE', 'previousOrderCount1', 90), f('VENDITE PRECEDENTE', 'previousSales1', 90)],
    [f('CONTEGGIO DEGLI ORDINI PRECEDENTE 2', 'previousOrderCount2', 90), f('VENDITE PRECEDENTE', 'previousSales2', 90)],
  ];
  const description = f('DESCRIZIONE', 'description', 130);
  const kind = f('TYPE', 'type', 80);
  const pages9 = [...first7, [description, kind, f('NUMERO DI CONTO ESTERNO', 'externalAccountNumber', 90)], [f('IL NOSTRO NUMERO DI CONTO', 'ourAccountNumber', 100)]];
  return [
    { type: 'customers', variant: '8p', title: 'Clienti', moneyStyle: 'euro', pages: real8 },
    { type: 'customers', variant: '9p', title: 'Clienti', moneyStyle: 'euro', pages: pages9 },
    // Layout drift: the user hid the PEC and phone columns.
    {
      type: 'customers', variant: 'hidden-pec-phone', title: 'Clienti', moneyStyle: 'euro',
      pages: pages9.map((page) => page.filter((c) => c.header !== 'PEC' && c.header !== 'TELEFONO')),
    },
  ];
}

/** The customers' simulator data, given their parse table (the layouts' columns are checked against it). */
export function customersSimulator(table: ExportTable): SimulatorHooks {
  return {
    layouts: customersLayouts(table),
    defaultVariant: '9p',
    // Count under `ID` and the six figures of pages 5 and 6 summed (`TIPO DI CLIENTE` included: it holds an amount).
    footer: [
      { field: 'erpId', kind: 'Count' },
      ...['orderCount', 'customerType', 'previousOrderCount1', 'previousSales1', 'previousOrderCount2', 'previousSales2'].map((field) => ({ field, kind: 'Sum' as const })),
    ],
    dataset: {
      generate: (ctx, _dataset, options) => newCustomers(ctx, options.customers),
      complete: (customers, dataset) => countOrders(customers, dataset.orders),
      listOrder: (a, b) => String(a.name).localeCompare(String(b.name), 'it') || erpNumber(a) - erpNumber(b),
      changes: [
        (ctx, r) => ((r.phone = `02 ${ctx.random.digits(8)}`), true),
        (ctx, r) => ((r.street = `${ctx.random.pick(STREETS)}, ${ctx.random.int(181, 250)}`), true),
        (ctx, r) => ((r.attentionTo = `Sig.ra ${ctx.random.pick(SURNAMES)} ${r.attentionTo === null ? 'Anna' : 'Paola'}`), true),
        (ctx, r) => ((r.orderCount = (numberOf(r, 'orderCount') ?? 0) + 1), (r.lastOrderDate = ctx.now.slice(0, 10)), true),
      ],
      add: (ctx, _dataset, count) => newCustomers(ctx, count),
      register: (ctx, record) => void ctx.codes(ACCOUNT_NUMBERS).add(String(record.accountNumber)),
    },
  };
}
