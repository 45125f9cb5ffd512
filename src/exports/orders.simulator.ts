/** The simulator's `orders`: the account's orders over the years, a few customers ordering most. */
import type { ExportTable } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { DAY_MS, addDays, isWeekend, isoDateTime, maxIso, toLocalMs } from '../simulator/calendar.js';
import { formatMoney } from '../simulator/formats.js';
import { type GenerationContext, round2, textOf } from '../simulator/generation-context.js';
import { CITIES, SURNAMES } from '../simulator/italian-data.js';
import { CENTER as C, columnsOf } from '../simulator/layout-columns.js';
import type { Layout, LayoutColumn } from '../simulator/layout-types.js';
import type { Random } from '../simulator/random.js';
import { cityLine, clockTime, desc, erpNumber, streetAddress } from '../simulator/record-helpers.js';
import type { SimulatorHooks } from '../simulator/simulator-hooks.js';

/** Order statuses as the ERP prints them (`STATO DELLE VENDITE`). */
export type SalesStatus = 'Fatturato' | 'Consegnato' | 'Ordine aperto';

/** Where an order is delivered: the customer's address or another branch. */
interface Delivery {
  name: string;
  address: string;
}

function deliveryFor(random: Random, customer: ExportRecord): Delivery {
  const name = String(customer.name);
  if (random.chance(0.85) && customer.street && customer.postalCode && customer.city) {
    const city = CITIES.find((c) => c.postalCode === customer.postalCode) ?? random.pick(CITIES);
    return { name, address: `${String(customer.street)}, ${cityLine(city)}` };
  }
  const city = random.pick(CITIES);
  return { name: random.chance(0.5) ? name : `${name} sede di ${city.name}`, address: `${streetAddress(random)}, ${cityLine(city)}` };
}

/** The lifecycle facts an order is created with. */
export interface OrderFacts {
  createdAt: string;
  status: SalesStatus;
  /** A pending order not yet transferred to the ERP has no order number. */
  pending: boolean;
}

/** A new order of a customer. `completionDate` is set later, from its transport documents. */
export function newOrder(ctx: GenerationContext, customer: ExportRecord, facts: OrderFacts): ExportRecord {
  const random = ctx.random;
  const delivery = deliveryFor(random, customer);
  const createdDate = facts.createdAt.slice(0, 10);
  const freeOfCharge = random.chance(0.03);
  const grossAmount = round2(random.int(2500, 250000) / 100);
  const discountPercent = freeOfCharge ? 100 : random.weighted([[0, 30], [5, 15], [10, 20], [15, 10], [20, 8], [random.int(100, 3000) / 100, 17]] as const);
  const totalAmount = round2(grossAmount * (1 - discountPercent / 100));
  const open = facts.status === 'Ordine aperto';
  const record = ctx.record('orders', {
    erpId: ctx.nextSequentialErpId('orders', 20_000, 4),
    orderNumber: facts.pending ? null : ctx.nextDocumentNumber('ORD', createdDate, 12),
    customerAccount: textOf(customer, 'accountNumber'),
    customerName: textOf(customer, 'name'),
    deliveryName: delivery.name,
    deliveryAddress: delivery.address,
    createdAt: facts.createdAt,
    deliveryDate: random.chance(0.9) ? addDays(createdDate, random.int(1, 5)) : null,
    remainingSalesFinancial: formatMoney(facts.status === 'Fatturato' ? 0 : totalAmount),
    customerReference: random.chance(0.55) ? random.pick([`Rif. ${random.int(1, 400)}/${createdDate.slice(2, 4)}`, `Paziente ${random.pick(SURNAMES)}`, `Ordine agente ${random.int(10, 99)}`]) : null,
    salesStatus: facts.status,
    orderType: random.chance(0.93) ? 'Ordine di vendita' : 'Giornale',
    documentStatus: facts.status === 'Fatturato' ? 'Fattura' : facts.status === 'Consegnato' ? 'Documento di trasporto' : random.pick(['Nessuno', 'Conferma']),
    salesOrigin: random.pick(['Agente', 'Telefono', 'E-mail', 'Web shop']),
    transferStatus: facts.pending ? 'In attesa' : 'Trasferito',
    transferDate: facts.pending ? null : createdDate,
    completionDate: null,
    quote: open && random.chance(0.15),
    discountPercent,
    grossAmount,
    totalAmount,
    freeOfCharge,
  });
  ctx.register('orders', record);
  return record;
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

/** The orders that have an order number (transferred to the ERP): the ones DDT and invoices refer to. */
export const withOrderNumber = (orders: ExportRecord[]): ExportRecord[] => orders.filter((o) => o.orderNumber !== null);

function ordersLayouts(table: ExportTable): Layout[] {
  const { f, extra } = columnsOf(table);
  const page1 = [f('ID', 'erpId', 60), f('ID DI VENDITA', 'orderNumber', 80), f('PROFILO CLIENTE:', 'customerAccount', 72), f('NOME VENDITE:', 'customerName', 120)];
  const pages = [
    page1,
    [f('NOME DI CONSEGNA', 'deliveryName', 130), f('INDIRIZZO DI CONSEGNA', 'deliveryAddress', 150)],
    [f('DATA DI CREAZIONE', 'createdAt', 90, { headerAlign: C }), f('DATA DI CONSEGNA', 'deliveryDate', 70), f('RIMANI VENDITE FINANZIARIE', 'remainingSalesFinancial', 90)],
    [f('RIFERIMENTO CLIENTE', 'customerReference', 110), f('STATO DELLE VENDITE', 'salesStatus', 80), f('TIPO DI ORDINE', 'orderType', 80), f('STATO DEL DOCUMENTO', 'documentStatus', 110)],
    [f('ORIGINE VENDITE:', 'salesOrigin', 80), f('STATO DEL TRASFERIMENTO', 'transferStatus', 90, { headerAlign: C }), f('DATA DI TRASFERIMENTO', 'transferDate', 80)],
    [f('DATA DI COMPLETAMENTO', 'completionDate', 80), f('PREVENTIVO:', 'quote', 60, { headerAlign: C }), f('APPLICA SCONTO %:', 'discountPercent', 75), f('IMPORTO LORDO:', 'grossAmount', 85)],
    [f('IMPORTO TOTALE', 'totalAmount', 85), f('ORDINE OMAGGIO:', 'freeOfCharge', 72)],
  ];
  const withNotes = pages.map((page, i) => (i === 3 ? [...page, extra('NOTE INTERNE', 140)] : page));
  const withoutOrderNumber = pages.map((page, i) => (i === 0 ? page.filter((c) => c.header !== 'ID DI VENDITA') : page));
  // Layout drift (ERP-EXPORTS §1, issue 13): the user hid `RIFERIMENTO CLIENTE`, or the ERP printed it as
  // `RIF. CLIENTE`, a header the table does not know (its text goes to `extra`: see `withRenamedColumn`).
  const reference = (replacement: LayoutColumn[]) =>
    pages.map((page) => page.flatMap((c) => (c.header === 'RIFERIMENTO CLIENTE' ? replacement : [c])));
  return [
    { type: 'orders', variant: '7p', title: 'Ordini', moneyStyle: 'euro', pages },
    { type: 'orders', variant: 'extra-column', title: 'Ordini', moneyStyle: 'euro', pages: withNotes },
    { type: 'orders', variant: 'missing-required', title: 'Ordini', moneyStyle: 'euro', pages: withoutOrderNumber },
    { type: 'orders', variant: 'hidden-reference', title: 'Ordini', moneyStyle: 'euro', pages: reference([]) },
    { type: 'orders', variant: 'renamed-reference', title: 'Ordini', moneyStyle: 'euro', pages: reference([extra('RIF. CLIENTE', 110)]) },
  ];
}

/** The orders' simulator data, given their parse table. */
export function ordersSimulator(table: ExportTable): SimulatorHooks {
  return {
    layouts: ordersLayouts(table),
    // Count under `ID`, both amounts summed (ERP-EXPORTS §1).
    footer: [{ field: 'erpId', kind: 'Count' }, { field: 'grossAmount', kind: 'Sum' }, { field: 'totalAmount', kind: 'Sum' }],
    dataset: {
      generate: (ctx, dataset, options) => (dataset.customers.length > 0 ? generateOrders(ctx, dataset.customers, options.orders) : []),
      listOrder: (a, b) => desc(String(a.createdAt), String(b.createdAt)) || erpNumber(b) - erpNumber(a),
      changes: [
        (ctx, r) => advanceOrder(ctx, r),
        (ctx, r) => ((r.deliveryDate = addDays(String(r.deliveryDate ?? r.createdAt), ctx.random.int(1, 3))), true),
        (ctx, r) => ((r.customerReference = `Rif. ${ctx.random.int(401, 999)}/${ctx.now.slice(2, 4)}`), true),
      ],
      add: (ctx, dataset, count) => {
        if (dataset.customers.length === 0) return [];
        const latest = String(dataset.orders[0]?.createdAt ?? `${addDays(ctx.now, -1)}T08:00:00`);
        const span = Math.max(60, Math.floor((toLocalMs(ctx.now) - toLocalMs(latest)) / 1000));
        const times = Array.from({ length: count }, () => isoDateTime(toLocalMs(latest) + ctx.random.int(30, span) * 1000)).sort();
        return times.map((createdAt) => {
          const status = ctx.random.weighted<SalesStatus>([['Ordine aperto', 70], ['Consegnato', 30]]);
          return newOrder(ctx, ctx.random.pick(dataset.customers), { createdAt, status, pending: status === 'Ordine aperto' && ctx.random.chance(0.5) });
        });
      },
      newest: (orders) => orders.reduce((max, o) => maxIso(max, String(o.createdAt)), ''),
    },
  };
}
