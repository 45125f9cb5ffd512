/** The simulator's `ddt`: the transport documents delivering the orders, and a few orphans. */
import type { ExportTable } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { addDays, minIso } from '../simulator/calendar.js';
import { trackingFor } from '../simulator/formats.js';
import { type GenerationContext, numberOf, textOf } from '../simulator/generation-context.js';
import { CITIES, DELIVERY_TERMS, STREETS, SURNAMES } from '../simulator/italian-data.js';
import { CENTER as C, columnsOf } from '../simulator/layout-columns.js';
import type { Layout } from '../simulator/layout-types.js';
import type { Random } from '../simulator/random.js';
import { desc, numberDocuments, type DocumentDraft } from '../simulator/record-helpers.js';
import type { SimulatorHooks } from '../simulator/simulator-hooks.js';
import { withOrderNumber, type SalesStatus } from './orders.simulator.js';

const DELIVERY_METHODS: readonly { method: string; courier: string | null }[] = [
  { method: 'UPS Italia', courier: 'UPS' },
  { method: 'FedEx', courier: 'FEDEX' },
  { method: 'DHL Express', courier: 'DHL' },
  { method: 'Consegna agente', courier: null },
];

function trackingNumber(random: Random, courier: string): string {
  if (courier === 'UPS') {
    const alnum = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
    let tail = '';
    for (let i = 0; i < 16; i++) tail += alnum[random.int(0, alnum.length - 1)];
    return `1Z${tail}`;
  }
  return random.digits(courier === 'FEDEX' ? 12 : 10).replace(/^0/, '4');
}

/**
 * A transport document delivering (part of) an order. `ddtNumber` and `erpId` are left as drafts and
 * assigned by `numberDocuments` in date order, because document numbers grow with time.
 */
export function newDdt(ctx: GenerationContext, order: ExportRecord, deliveryDate: string): ExportRecord {
  const random = ctx.random;
  const route = random.weighted(DELIVERY_METHODS.map((m) => [m, m.courier ? 30 : 6] as const));
  // ~12 % of DDT print an empty tracking cell (ERP-EXPORTS §3): agent deliveries plus a few parcels.
  const courier = route.courier && random.chance(0.93) ? route.courier : null;
  const tracking = courier ? trackingFor(courier, trackingNumber(random, courier)) : null;
  const attentionTo = random.chance(0.4) ? `${random.pick(['Dott.', 'Sig.', 'Sig.ra'])} ${random.pick(SURNAMES)}` : null;
  const account = textOf(order, 'customerAccount') ?? '000000';
  const record = ctx.record('ddt', {
    erpId: 'draft',
    ddtNumber: 'draft',
    deliveryDate,
    orderNumber: textOf(order, 'orderNumber'),
    customerAccount: account,
    customerName: textOf(order, 'customerName'),
    deliveryName: textOf(order, 'deliveryName'),
    deliveryAddress: textOf(order, 'deliveryAddress'),
    quantity: random.int(1, 60),
    customerReference: textOf(order, 'customerReference'),
    description: random.chance(0.7) ? random.pick(['Frese CT', 'Frese diamantate', 'Materiale di consumo', 'Gommini e lucidatori', 'Strumenti chirurgici']) : null,
    trackingCourier: tracking?.courier ?? null,
    trackingNumber: tracking?.number ?? null,
    trackingUrl: tracking?.url ?? null,
    deliveryTerms: random.chance(0.8) ? random.pick(DELIVERY_TERMS) : null,
    deliveryMethod: route.method,
    attentionTo,
    // The ERP's "delivery city" column is mostly misused for the notification e-mail (ERP-EXPORTS §3).
    deliveryCity: random.weighted([[`ordini${account}@studio.it`, 55], [random.pick(CITIES).name, 30], [null, 15]] as const),
  });
  return record;
}

/** Numbers a DDT draft as the ERP posts it: its ERP id and `DDT/yyNNNNNN`, growing with the date. */
function numberDdt(ctx: GenerationContext): (draft: DocumentDraft) => void {
  return (draft) => {
    draft.record.erpId = ctx.nextSequentialErpId('ddt', 30_000, 3);
    draft.record.ddtNumber = ctx.nextDocumentNumber(draft.prefix, draft.date, 10);
  };
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
  return numberDocuments(ctx, 'ddt', drafts, numberDdt(ctx));
}

function ddtLayouts(table: ExportTable): Layout[] {
  const { f, skip } = columnsOf(table);
  const first5 = [
    [skip('PDF DDT', 50), f('ID', 'erpId', 60), f('DOCUMENTO DI TRASPORTO:', 'ddtNumber', 85), f('DATA DI CONSEGNA', 'deliveryDate', 70, { headerAlign: C }), f('ID DI VENDITA', 'orderNumber', 80)],
    [f("CONTO DELL'ORDINE", 'customerAccount', 80), f('NOME VENDITE:', 'customerName', 140)],
    [f('NOME DI CONSEGNA', 'deliveryName', 130), f('NOME DI CONSEGNA', 'deliveryAddress', 150)],
    [f('TOTALE', 'quantity', 50), f('RIFERIMENTO CLIENTE', 'customerReference', 110), f('DESCRIZIONE:', 'description', 120)],
    [f('NUMERO DI TRACCIABILITÀ', 'tracking', 215), f('TERMINI DI CONSEGNA:', 'deliveryTerms', 90)],
  ];
  const method = f('MODALITÀ DI CONSEGNA', 'deliveryMethod', 90);
  const attention = f("ALL'ATTENZIONE DI", 'attentionTo', 100);
  const city = f('CITTÀ DI CONSEGNA', 'deliveryCity', 110);
  return [
    { type: 'ddt', variant: '6p', title: 'Documenti di trasporto', moneyStyle: 'euro', pages: [...first5, [method, attention, city]] },
    { type: 'ddt', variant: '7p', title: 'Documenti di trasporto', moneyStyle: 'euro', pages: [...first5, [method, attention], [city]] },
  ];
}

/** The DDT's simulator data, given their parse table. */
export function ddtSimulator(table: ExportTable): SimulatorHooks {
  return {
    layouts: ddtLayouts(table),
    defaultVariant: '7p',
    // Count under `DOCUMENTO DI TRASPORTO:`, `TOTALE` summed (ERP-EXPORTS §1).
    footer: [{ field: 'ddtNumber', kind: 'Count' }, { field: 'quantity', kind: 'Sum' }],
    dataset: {
      generate: (ctx, dataset) => generateDdt(ctx, dataset.orders, dataset.customers),
      listOrder: (a, b) => desc(String(a.deliveryDate), String(b.deliveryDate)) || desc(String(a.ddtNumber), String(b.ddtNumber)),
      changes: [
        (ctx, r) => {
          if (r.trackingNumber !== null) return false;
          const tracking = trackingFor('FEDEX', `7${ctx.random.digits(11)}`);
          Object.assign(r, { trackingCourier: tracking.courier, trackingNumber: tracking.number, trackingUrl: tracking.url, deliveryMethod: 'FedEx' });
          return true;
        },
        (ctx, r) => ((r.attentionTo = `Sig. ${ctx.random.pick(SURNAMES)} ${r.attentionTo === null ? 'Luca' : 'Marco'}`), true),
        (ctx, r) => ((r.quantity = (numberOf(r, 'quantity') ?? 0) + ctx.random.int(1, 5)), true),
      ],
      add: (ctx, dataset, count) => {
        const candidates = withOrderNumber(dataset.orders);
        if (candidates.length === 0) return [];
        const today = ctx.now.slice(0, 10);
        const drafts = Array.from({ length: count }, () => ({ record: newDdt(ctx, ctx.random.pick(candidates), today), date: today, prefix: 'DDT' }));
        return numberDocuments(ctx, 'ddt', drafts, numberDdt(ctx));
      },
    },
  };
}
