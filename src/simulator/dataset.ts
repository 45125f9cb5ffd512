/**
 * The seeded dataset behind the fixtures and the ERP simulator: what the ERP "knows" for one agent
 * account. It is the ground truth the parser tests compare against field by field, so every record
 * holds exactly the record fields of its export table (`recordFields`) with the values the parser
 * emits: numbers as numbers, dates `YYYY-MM-DD`, date-times `YYYY-MM-DDTHH:mm:ss`, booleans, `null` for
 * an empty cell, DDT tracking as `trackingCourier`/`trackingNumber`/`trackingUrl`.
 *
 * What a particular layout shows of it (hidden columns → `null`) is `projectRecords` in `layouts.ts`.
 */
import { EXPORT_TYPES, type ExportType } from '../exports/registry.js';
import type { ExportRecord } from '../parsers/types.js';
import { DAY_MS, addDays, isWeekend, isoDateTime, maxIso, minIso, toLocalMs } from './calendar.js';
import { trackingFor } from './formats.js';
import { GenerationContext, numberOf, recordKey, round2, textOf, type Dataset } from './generation-context.js';
import { INTERNAL_NOTES, SURNAMES, STREETS } from './italian-data.js';
import { createRandom, type Random } from './random.js';
import {
  clockTime, listPrice, newArticleProducts, newCreditNote, newCustomer, newDdt, newInvoice, newOrder, newPrice,
  numberDocuments, type DocumentDraft, type SalesStatus,
} from './record-factories.js';

export type { Dataset } from './generation-context.js';
export { recordKey } from './generation-context.js';

/** The present of a default dataset (the sample exports are of January 2026). */
export const DEFAULT_NOW = '2026-01-20T18:30:00';

/** The account a dataset belongs to when none is named. */
export const DEFAULT_ACCOUNT = 'default';

/** How large a dataset to generate. DDT and invoices follow from the orders (~1.6 DDT and ~0.6 invoices each). */
export interface DatasetOptions {
  seed: number | string;
  customers: number;
  products: number;
  prices: number;
  orders: number;
  /**
   * The agent account. Customers, orders, DDT and invoices are per account and seeded by `seed` and
   * `account`; products and prices are shared and seeded by `seed` alone (as in the ERP).
   */
  account?: string;
  /** The dataset's present, `YYYY-MM-DDTHH:mm:ss` (default `DEFAULT_NOW`). */
  now?: string;
}

/** Generates a consistent dataset: customers, their orders, the orders' DDT and invoices, products and prices. */
export function generateDataset(options: DatasetOptions): Dataset {
  const now = options.now ?? DEFAULT_NOW;
  const shared = new GenerationContext(createRandom(`${options.seed}/shared`), now);
  const products = generateProducts(shared, options.products);
  const prices = generatePrices(shared, products, options.prices);
  const own = new GenerationContext(createRandom(`${options.seed}/account/${options.account ?? DEFAULT_ACCOUNT}`), now);
  const customers = Array.from({ length: options.customers }, () => newCustomer(own));
  const orders = customers.length > 0 ? generateOrders(own, customers, options.orders) : [];
  const ddt = generateDdt(own, orders, customers);
  const invoices = generateInvoices(own, orders, ddt, customers);
  countOrders(customers, orders);
  return sortDataset({ customers, products, prices, orders, ddt, invoices });
}

function generateProducts(ctx: GenerationContext, count: number): ExportRecord[] {
  const products: ExportRecord[] = [];
  while (products.length < count) products.push(...newArticleProducts(ctx, count - products.length));
  return products;
}

/**
 * Price rows: the current list price of each product (a fifth with a quantity break at 10), then the
 * previous years' prices when more rows are asked for than products exist.
 */
function generatePrices(ctx: GenerationContext, products: ExportRecord[], count: number): ExportRecord[] {
  const random = ctx.random;
  const prices: ExportRecord[] = [];
  const order = random.shuffle(products);
  const thisYear = Number(ctx.now.slice(0, 4));
  for (let age = 0; prices.length < count && order.length > 0; age++) {
    const year = thisYear - age;
    const validFrom = `${year}-01-01`;
    const validTo = age === 0 ? (null as string | null) : `${year}-12-31`;
    for (const product of order) {
      if (prices.length >= count) break;
      const unitPrice = round2(listPrice(random, product) * (1 - age * 0.04));
      const withBreak = prices.length + 2 <= count && random.chance(0.2);
      const base = { validFrom, validTo, quantityFrom: 1, quantityTo: withBreak ? 9 : null, unitPrice };
      const first = newPrice(ctx, product, base);
      if (first) prices.push(first);
      if (withBreak) {
        const second = newPrice(ctx, product, { ...base, quantityFrom: 10, quantityTo: null, unitPrice: unitPrice * 0.9 });
        if (second) prices.push(second);
      }
    }
  }
  return prices;
}

/** Creation times, oldest first: weekdays, working hours, spread over a span that grows with the count. */
function creationTimes(random: Random, now: string, count: number): string[] {
  const nowMs = toLocalMs(now);
  const spanDays = Math.min(3650, Math.max(90, Math.round(count * 1.2)));
  const times: string[] = [];
  for (let i = 0; i < count; i++) {
    let day = toLocalMs(now.slice(0, 10)) - random.int(0, spanDays - 1) * DAY_MS;
    while (isWeekend(day)) day -= DAY_MS;
    let ms = toLocalMs(`${isoDateTime(day).slice(0, 10)}T${clockTime(random)}`);
    if (ms > nowMs) ms -= DAY_MS * (isWeekend(ms - DAY_MS) ? 3 : 1);
    times.push(isoDateTime(ms));
  }
  return times.sort();
}

function statusByAge(random: Random, ageDays: number): SalesStatus {
  if (ageDays < 2) return random.weighted<SalesStatus>([['Ordine aperto', 60], ['Consegnato', 40]]);
  if (ageDays < 12) return random.weighted<SalesStatus>([['Ordine aperto', 10], ['Consegnato', 55], ['Fatturato', 35]]);
  // Many delivered orders wait for a deferred invoice: the sample export has ~1,000 orders, ~200 invoices.
  return random.weighted<SalesStatus>([['Ordine aperto', 4], ['Consegnato', 30], ['Fatturato', 66]]);
}

/** Orders of the account's customers; a few customers order most (squared distribution). */
function generateOrders(ctx: GenerationContext, customers: ExportRecord[], count: number): ExportRecord[] {
  const random = ctx.random;
  const byPopularity = random.shuffle(customers);
  // The newest 2 % (at least one) are still pending in the agent app: no order number yet.
  const newestPending = count - Math.max(1, Math.round(count * 0.02));
  return creationTimes(random, ctx.now, count).map((createdAt, i) => {
    const customer = byPopularity[Math.floor(byPopularity.length * random.next() ** 2)] as ExportRecord;
    const age = (toLocalMs(ctx.now) - toLocalMs(createdAt)) / DAY_MS;
    const forced = i >= newestPending;
    const status = forced ? 'Ordine aperto' : statusByAge(random, age);
    const pending = forced || (status === 'Ordine aperto' && age < 5 && random.chance(0.6));
    return newOrder(ctx, customer, { createdAt, status, pending });
  });
}

/** Delivery dates of an order's DDT: 0–4 of them within a week of creation, never after today. */
function ddtDates(ctx: GenerationContext, order: ExportRecord): string[] {
  const random = ctx.random;
  const status = order.salesStatus as SalesStatus;
  if (order.orderNumber === null) return [];
  const count = status === 'Ordine aperto'
    ? (random.chance(0.1) ? 1 : 0)
    : random.weighted([[0, 4], [1, 50], [2, 26], [3, 12], [4, 8]] as const);
  const created = String(order.createdAt).slice(0, 10);
  const today = ctx.now.slice(0, 10);
  return Array.from({ length: count }, () => minIso(today, addDays(created, random.int(0, 6)))).sort();
}

/**
 * DDT of the orders (1:N), plus ~3 % orphans whose order number is not in the order list (an order older
 * than the export's range). Sets each delivered order's completion date to its last delivery.
 */
function generateDdt(ctx: GenerationContext, orders: ExportRecord[], customers: ExportRecord[]): ExportRecord[] {
  const random = ctx.random;
  const drafts: DocumentDraft[] = [];
  for (const order of orders) {
    const dates = ddtDates(ctx, order);
    for (const date of dates) drafts.push({ record: newDdt(ctx, order, date), date, prefix: 'DDT' });
    if (order.salesStatus !== 'Ordine aperto') {
      const last = dates[dates.length - 1] ?? minIso(ctx.now.slice(0, 10), addDays(String(order.createdAt), 2));
      order.completionDate = last;
    }
  }
  const oldest = String(orders[0]?.createdAt ?? ctx.now);
  const orphanCount = orders.length > 0 ? Math.max(1, Math.round(drafts.length * 0.03)) : 0;
  for (let i = 0; i < orphanCount; i++) {
    const customer = random.pick(customers);
    const orphanOrder: ExportRecord = {
      // An order number of the year before the oldest order: never one of the listed orders.
      orderNumber: `ORD/${String(Number(oldest.slice(2, 4)) - 1).padStart(2, '0')}${random.digits(6)}`,
      customerAccount: customer.accountNumber,
      customerName: customer.name,
      deliveryName: customer.name,
      deliveryAddress: `${random.pick(STREETS)}, ${random.int(1, 99)}, ${String(customer.postalCode)} ${String(customer.city)} ${random.pick(['MI', 'RM', 'TO'])}`,
      customerReference: null,
    };
    const date = minIso(ctx.now.slice(0, 10), addDays(oldest, random.int(0, 20)));
    drafts.push({ record: newDdt(ctx, orphanOrder, date), date, prefix: 'DDT' });
  }
  return numberDocuments(ctx, 'ddt', drafts);
}

/** One invoice per invoiced order (quantity = its DDT quantities) and credit notes for ~10 % of them. */
function generateInvoices(ctx: GenerationContext, orders: ExportRecord[], ddt: ExportRecord[], customers: ExportRecord[]): ExportRecord[] {
  const random = ctx.random;
  const today = ctx.now.slice(0, 10);
  const quantities = new Map<string, number>();
  for (const d of ddt) {
    const number = textOf(d, 'orderNumber');
    if (number) quantities.set(number, (quantities.get(number) ?? 0) + (numberOf(d, 'quantity') ?? 0));
  }
  const byAccount = new Map(customers.map((c) => [String(c.accountNumber), c]));
  const drafts: DocumentDraft[] = [];
  for (const order of orders) {
    if (order.salesStatus !== 'Fatturato' || order.orderNumber === null) continue;
    const invoiceDate = minIso(today, addDays(String(order.completionDate ?? order.createdAt), random.int(0, 4)));
    const invoice = newInvoice(ctx, {
      order,
      customer: byAccount.get(String(order.customerAccount)),
      invoiceDate,
      quantity: quantities.get(String(order.orderNumber)) ?? random.int(1, 20),
    });
    drafts.push({ record: invoice, date: invoiceDate, prefix: 'CF1' });
    // A free-of-charge order's invoice is zero: nothing to credit.
    if (Number(invoice.salesBalance) > 0 && random.chance(0.1)) {
      const date = minIso(today, addDays(invoiceDate, random.int(3, 40)));
      drafts.push({ record: newCreditNote(ctx, invoice, date), date, prefix: 'NC' });
    }
  }
  return numberDocuments(ctx, 'invoices', drafts);
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

const erpNumber = (r: ExportRecord): number => Number(String(r.erpId).replace(/\./g, ''));
const desc = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);
const asc = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The ERP list order of each export: documents newest first, master data by name or code. */
const LIST_ORDER: Readonly<Record<ExportType, (a: ExportRecord, b: ExportRecord) => number>> = {
  customers: (a, b) => String(a.name).localeCompare(String(b.name), 'it') || erpNumber(a) - erpNumber(b),
  products: (a, b) => asc(String(a.productId), String(b.productId)),
  prices: (a, b) => asc(String(a.productId), String(b.productId)) || asc(String(a.validFrom), String(b.validFrom)) || Number(a.quantityFrom) - Number(b.quantityFrom),
  orders: (a, b) => desc(String(a.createdAt), String(b.createdAt)) || erpNumber(b) - erpNumber(a),
  ddt: (a, b) => desc(String(a.deliveryDate), String(b.deliveryDate)) || desc(String(a.ddtNumber), String(b.ddtNumber)),
  invoices: (a, b) => desc(String(a.invoiceDate), String(b.invoiceDate)) || desc(String(a.invoiceNumber), String(b.invoiceNumber)),
};

function sortDataset(dataset: Dataset): Dataset {
  for (const type of EXPORT_TYPES) dataset[type].sort(LIST_ORDER[type]);
  return dataset;
}

/** How much of a dataset `mutateDataset` changes, adds and removes (shares of each export's records). */
export interface MutationOptions {
  seed: number | string;
  /** Share of the remaining records that get one field changed. */
  changeShare: number;
  /** New records, as a share of each export's original count. */
  addShare: number;
  /** Share of each export's records removed. */
  removeShare: number;
}

/** A change to one record; false when it does not apply (the next one is tried). */
type Change = (ctx: GenerationContext, record: ExportRecord) => boolean;

const touchProduct = (ctx: GenerationContext, record: ExportRecord): void => {
  record.modifiedAt = isoDateTime(toLocalMs(ctx.now) - ctx.random.int(60, 3600) * 1000);
  record.modifiedBy = 'sync.batch';
};

/** Realistic edits per export, the way records change between two exports. */
const CHANGES: Readonly<Record<ExportType, readonly Change[]>> = {
  customers: [
    (ctx, r) => ((r.phone = `02 ${ctx.random.digits(8)}`), true),
    (ctx, r) => ((r.street = `${ctx.random.pick(STREETS)}, ${ctx.random.int(181, 250)}`), true),
    (ctx, r) => ((r.attentionTo = `Sig.ra ${ctx.random.pick(SURNAMES)} ${r.attentionTo === null ? 'Anna' : 'Paola'}`), true),
    (ctx, r) => ((r.orderCount = (numberOf(r, 'orderCount') ?? 0) + 1), (r.lastOrderDate = ctx.now.slice(0, 10)), true),
  ],
  products: [
    (ctx, r) => ((r.purchasePrice = round2((numberOf(r, 'purchasePrice') ?? 0) * 1.05 + 0.01)), touchProduct(ctx, r), true),
    (ctx, r) => ((r.stopped = !r.stopped), (r.orderable = !r.stopped), touchProduct(ctx, r), true),
    (ctx, r) => ((r.lineDiscount = r.lineDiscount === 'SC10' ? 'SC15' : 'SC10'), touchProduct(ctx, r), true),
  ],
  prices: [
    (_ctx, r) => ((r.unitPrice = round2((numberOf(r, 'unitPrice') ?? 0) * 1.03 + 0.01)), true),
    (ctx, r) => ((r.validTo = r.validTo === null ? addDays(ctx.now, 30) : addDays(String(r.validTo), 365)), true),
  ],
  orders: [
    (ctx, r) => advanceOrder(ctx, r),
    (ctx, r) => ((r.deliveryDate = addDays(String(r.deliveryDate ?? r.createdAt), ctx.random.int(1, 3))), true),
    (ctx, r) => ((r.customerReference = `Rif. ${ctx.random.int(401, 999)}/${ctx.now.slice(2, 4)}`), true),
  ],
  ddt: [
    (ctx, r) => {
      if (r.trackingNumber !== null) return false;
      const tracking = trackingFor('FEDEX', `7${ctx.random.digits(11)}`);
      Object.assign(r, { trackingCourier: tracking.courier, trackingNumber: tracking.number, trackingUrl: tracking.url, deliveryMethod: 'FedEx' });
      return true;
    },
    (ctx, r) => ((r.attentionTo = `Sig. ${ctx.random.pick(SURNAMES)} ${r.attentionTo === null ? 'Luca' : 'Marco'}`), true),
    (ctx, r) => ((r.quantity = (numberOf(r, 'quantity') ?? 0) + ctx.random.int(1, 5)), true),
  ],
  invoices: [
    (ctx, r) => {
      if (r.closedDate !== null) return false;
      const today = ctx.now.slice(0, 10);
      Object.assign(r, {
        settledAmount: r.invoiceAmount, remainingAmount: 0, closedDate: today, lastSettlementDate: today,
        lastPaymentId: `PAG-${today.slice(2, 4)}-${ctx.random.digits(6)}`, daysPastDue: 0,
      });
      return true;
    },
    (ctx, r) => ((r.customerReference = `Rif. amministrazione ${ctx.random.int(1, 99)}`), true),
  ],
};

/** Moves an order one step along its life: open → delivered → invoiced. */
function advanceOrder(ctx: GenerationContext, order: ExportRecord): boolean {
  const today = ctx.now.slice(0, 10);
  if (order.salesStatus === 'Ordine aperto') {
    if (order.orderNumber === null) order.orderNumber = ctx.nextDocumentNumber('ORD', String(order.createdAt), 12);
    Object.assign(order, {
      salesStatus: 'Consegnato', documentStatus: 'Documento di trasporto', transferStatus: 'Trasferito',
      transferDate: order.transferDate ?? today, completionDate: today, quote: false,
    });
    return true;
  }
  if (order.salesStatus === 'Consegnato') {
    Object.assign(order, { salesStatus: 'Fatturato', documentStatus: 'Fattura', remainingSalesFinancial: '0,00 €', completionDate: order.completionDate ?? today });
    return true;
  }
  return false;
}

/** Adds `count` new records of an export to a dataset being mutated. */
type Adder = (ctx: GenerationContext, dataset: Dataset, count: number) => ExportRecord[];

const withNumber = (orders: ExportRecord[]): ExportRecord[] => orders.filter((o) => o.orderNumber !== null);

/** New records per export: new customers and articles, new price periods, fresh orders and their documents. */
const ADDERS: Readonly<Record<ExportType, Adder>> = {
  customers: (ctx, _d, count) => Array.from({ length: count }, () => newCustomer(ctx)),
  products: (ctx, _d, count) => generateProducts(ctx, count),
  prices: (ctx, dataset, count) => {
    const added: ExportRecord[] = [];
    const today = ctx.now.slice(0, 10);
    for (let attempt = 0; added.length < count && attempt < count * 5 && dataset.products.length > 0; attempt++) {
      const product = ctx.random.pick(dataset.products);
      const price = newPrice(ctx, product, { validFrom: today, validTo: null, quantityFrom: 1, quantityTo: null, unitPrice: listPrice(ctx.random, product) });
      if (price) added.push(price);
    }
    return added;
  },
  orders: (ctx, dataset, count) => {
    if (dataset.customers.length === 0) return [];
    const latest = String(dataset.orders[0]?.createdAt ?? `${addDays(ctx.now, -1)}T08:00:00`);
    const span = Math.max(60, Math.floor((toLocalMs(ctx.now) - toLocalMs(latest)) / 1000));
    const times = Array.from({ length: count }, () => isoDateTime(toLocalMs(latest) + ctx.random.int(30, span) * 1000)).sort();
    return times.map((createdAt) => {
      const status = ctx.random.weighted<SalesStatus>([['Ordine aperto', 70], ['Consegnato', 30]]);
      return newOrder(ctx, ctx.random.pick(dataset.customers), { createdAt, status, pending: status === 'Ordine aperto' && ctx.random.chance(0.5) });
    });
  },
  ddt: (ctx, dataset, count) => {
    const candidates = withNumber(dataset.orders);
    if (candidates.length === 0) return [];
    const today = ctx.now.slice(0, 10);
    const drafts = Array.from({ length: count }, () => ({ record: newDdt(ctx, ctx.random.pick(candidates), today), date: today, prefix: 'DDT' }));
    return numberDocuments(ctx, 'ddt', drafts);
  },
  invoices: (ctx, dataset, count) => {
    const invoiced = new Set(dataset.invoices.map((i) => String(i.orderNumber)));
    const candidates = ctx.random.shuffle(withNumber(dataset.orders).filter((o) => !invoiced.has(String(o.orderNumber))));
    const today = ctx.now.slice(0, 10);
    const byAccount = new Map(dataset.customers.map((c) => [String(c.accountNumber), c]));
    const drafts = candidates.slice(0, count).map((order) => ({
      record: newInvoice(ctx, { order, customer: byAccount.get(String(order.customerAccount)), invoiceDate: today, quantity: ctx.random.int(1, 30) }),
      date: today,
      prefix: 'CF1',
    }));
    return numberDocuments(ctx, 'invoices', drafts);
  },
};

/**
 * A changed copy of a dataset, as the ERP would export it some days later: per export, `removeShare`
 * of the records removed, `changeShare` of the rest edited (at least one field differs), and
 * `addShare` × the original count added with fresh keys (removed keys are never reused). The copy's
 * present moves one to three days past its newest order. The input is not modified.
 */
export function mutateDataset(dataset: Dataset, options: MutationOptions): Dataset {
  const random = createRandom(`mutate/${options.seed}`);
  const copy = structuredClone(dataset);
  const newest = copy.orders.reduce((max, o) => maxIso(max, String(o.createdAt)), DEFAULT_NOW);
  const now = isoDateTime(toLocalMs(newest) + random.int(1, 3) * DAY_MS);
  const ctx = new GenerationContext(random, now);
  ctx.registerDataset(copy);
  for (const type of EXPORT_TYPES) {
    const original = copy[type].length;
    const doomed = new Set(random.shuffle(copy[type]).slice(0, Math.round(original * options.removeShare)));
    copy[type] = copy[type].filter((record) => !doomed.has(record));
    for (const record of random.shuffle(copy[type]).slice(0, Math.round(copy[type].length * options.changeShare))) {
      const changes = random.shuffle(CHANGES[type]);
      changes.some((change) => change(ctx, record));
    }
    copy[type].push(...ADDERS[type](ctx, copy, Math.round(original * options.addShare)));
  }
  return sortDataset(copy);
}

/**
 * Adds an `extra` entry to every record, as the parser reports a column the export table does not know
 * (`{ "NOTE INTERNE": "…" }`, keyed by the normalised header). Every record gets a non-empty value so
 * that the ground truth does not depend on how the parser reports an empty unknown cell.
 */
export function withExtraColumn(records: readonly ExportRecord[], header: string, seed: number | string): ExportRecord[] {
  const random = createRandom(`extra/${seed}/${header}`);
  return records.map((record) => ({ ...record, extra: { ...record.extra, [header]: random.pick(INTERNAL_NOTES) } }));
}

/** Keys that appear more than once in an export (empty for a valid dataset). */
export function duplicateKeys(type: ExportType, records: readonly ExportRecord[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const record of records) {
    const key = recordKey(type, record);
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  return duplicates;
}
