/** The simulator's `invoices`: one per invoiced order, credit notes, and their payments. */
import type { FieldValue, ExportTable } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { addDays, daysBetween, endOfMonth, maxIso, minIso } from '../simulator/calendar.js';
import { type GenerationContext, numberOf, round2, textOf } from '../simulator/generation-context.js';
import { PAYMENT_TERMS } from '../simulator/italian-data.js';
import { CENTER as C, columnsOf } from '../simulator/layout-columns.js';
import type { Layout } from '../simulator/layout-types.js';
import { desc, numberDocuments, type DocumentDraft } from '../simulator/record-helpers.js';
import type { SimulatorHooks } from '../simulator/simulator-hooks.js';
import { withOrderNumber } from './orders.simulator.js';

/** The facts an invoice is made from. */
export interface InvoiceFacts {
  order: ExportRecord;
  customer: ExportRecord | undefined;
  invoiceDate: string;
  quantity: number;
}

/** An invoice for an order; `invoiceNumber` is a draft assigned by `numberDocuments`. */
export function newInvoice(ctx: GenerationContext, facts: InvoiceFacts): ExportRecord {
  const random = ctx.random;
  const { order, invoiceDate } = facts;
  const salesBalance = numberOf(order, 'totalAmount') ?? 0;
  const lineDiscountSum = round2((numberOf(order, 'grossAmount') ?? 0) - salesBalance);
  const terms = random.pick(PAYMENT_TERMS);
  const orderNumber = textOf(order, 'orderNumber');
  const purchaseOrder = orderNumber
    ? random.weighted([[orderNumber, 40], [`Rif. ${orderNumber}`, 5], [`PO-${invoiceDate.slice(0, 4)}-${random.digits(3)}`, 15], [null, 40]] as const)
    : null;
  return settle(ctx, ctx.record('invoices', {
    invoiceNumber: 'draft',
    invoiceDate,
    customerAccount: textOf(order, 'customerAccount'),
    billingName: textOf(facts.customer ?? order, facts.customer ? 'name' : 'customerName'),
    quantity: facts.quantity,
    salesBalance,
    lineDiscountSum,
    totalDiscount: random.chance(0.8) ? 0 : round2(salesBalance * 0.02),
    taxAmount: round2(salesBalance * 0.22),
    invoiceAmount: round2(salesBalance * 1.22),
    purchaseOrder,
    customerReference: textOf(order, 'customerReference'),
    dueDate: terms.text.includes('fine mese') ? endOfMonth(addDays(invoiceDate, terms.days)) : addDays(invoiceDate, terms.days),
    paymentTerms: terms.text,
    daysPastDue: 0,
    settledAmount: 0,
    lastPaymentId: null,
    lastSettlementDate: null,
    closedDate: null,
    remainingAmount: 0,
    orderNumber,
  }));
}

/** A credit note reversing part of an invoice: negative quantity and amounts. */
export function newCreditNote(ctx: GenerationContext, invoice: ExportRecord, date: string): ExportRecord {
  const random = ctx.random;
  const share = random.weighted([[1, 40], [0.5, 30], [0.1 * random.int(1, 9), 30]] as const);
  const negate = (field: string): number => round2(-(numberOf(invoice, field) ?? 0) * share);
  const quantity = -Math.max(1, Math.round((numberOf(invoice, 'quantity') ?? 1) * share));
  return settle(ctx, ctx.record('invoices', {
    ...(invoice as Record<string, FieldValue>),
    invoiceNumber: 'draft',
    invoiceDate: date,
    quantity,
    salesBalance: negate('salesBalance'),
    lineDiscountSum: negate('lineDiscountSum'),
    totalDiscount: negate('totalDiscount'),
    taxAmount: negate('taxAmount'),
    invoiceAmount: round2(negate('salesBalance') + negate('taxAmount')),
    purchaseOrder: random.chance(0.5) ? textOf(invoice, 'purchaseOrder') : null,
    dueDate: date,
    paymentTerms: 'RD00 Rimessa diretta a vista',
  }));
}

/**
 * Fills the payment fields of an invoice from its due date and the dataset's now: most past-due
 * invoices are paid, some partially, the rest open and overdue.
 */
export function settle(ctx: GenerationContext, invoice: ExportRecord): ExportRecord {
  const random = ctx.random;
  const today = ctx.now.slice(0, 10);
  const amount = numberOf(invoice, 'invoiceAmount') ?? 0;
  const due = String(invoice.dueDate);
  const overdue = Math.max(0, daysBetween(due, today));
  const outcome = amount < 0 || (overdue > 0 && random.chance(0.85)) ? 'paid' : random.chance(0.15) ? 'partial' : 'open';
  const paidOn = minIso(today, maxIso(String(invoice.invoiceDate), addDays(due, random.int(-10, 5))));
  const paid = outcome === 'paid' ? amount : outcome === 'partial' ? round2(amount / 2) : 0;
  Object.assign(invoice, {
    settledAmount: paid,
    remainingAmount: round2(amount - paid),
    lastPaymentId: outcome === 'open' ? null : `PAG-${paidOn.slice(2, 4)}-${ctx.random.digits(6)}`,
    lastSettlementDate: outcome === 'open' ? null : paidOn,
    closedDate: outcome === 'paid' ? paidOn : null,
    daysPastDue: outcome === 'paid' ? 0 : overdue,
  });
  return invoice;
}

/** Numbers an invoice draft as the ERP posts it: `CF1/…` invoices, `NC/…` credit notes, growing with the date. */
function numberInvoice(ctx: GenerationContext): (draft: DocumentDraft) => void {
  return (draft) => {
    draft.record.invoiceNumber = ctx.nextDocumentNumber(draft.prefix, draft.date, draft.prefix === 'NC' ? 2 : 6);
  };
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
  return numberDocuments(ctx, 'invoices', drafts, numberInvoice(ctx));
}

function invoicesLayouts(table: ExportTable): Layout[] {
  const { f, skip } = columnsOf(table);
  const pages = [
    [skip('FATTURA PDF', 50), f('ID FATTURA', 'invoiceNumber', 80), f('DATA FATTURA', 'invoiceDate', 65, { headerAlign: C }), f('CONTO FATTURE', 'customerAccount', 70)],
    [f('NOME DI FATTURAZIONE', 'billingName', 130), f('QUANTITÀ', 'quantity', 60), f('SALDO VENDITE MST', 'salesBalance', 80)],
    [f('SOMMA LINEA SCONTO MST', 'lineDiscountSum', 80), f('SCONTO TOTALE:', 'totalDiscount', 80), f('SOMMA FISCALE MST', 'taxAmount', 80), f('IMPORTO FATTURA MST', 'invoiceAmount', 85)],
    [f('ORDINE DI ACQUISTO', 'purchaseOrder', 100), f('RIFERIMENTO CLIENTE', 'customerReference', 110), f('SCADENZA', 'dueDate', 65)],
    [f('ID TERMINE DI PAGAMENTO', 'paymentTerms', 130), f('OLTRE I GIORNI DI SCADENZA', 'daysPastDue', 75)],
    [f('LIQUIDA IMPORTO MST', 'settledAmount', 80), f('IDENTIFICATIVO ULTIMO PAGAMENTO:', 'lastPaymentId', 90), f('DATA DI ULTIMA LIQUIDAZIONE', 'lastSettlementDate', 80)],
    [f('CHIUSO', 'closedDate', 65, { headerAlign: C }), f('IMPORTO RIMANENTE MST', 'remainingAmount', 85)],
  ];
  const withOrderNumber = pages.map((page, i) => (i === 3 ? [f('ID DI VENDITA', 'orderNumber', 80), ...page] : page));
  return [
    { type: 'invoices', variant: '7p', title: 'Fatture', moneyStyle: 'plain', pages },
    { type: 'invoices', variant: 'with-order-number', title: 'Fatture', moneyStyle: 'plain', pages: withOrderNumber },
  ];
}

/** The invoices' simulator data, given their parse table. */
export function invoicesSimulator(table: ExportTable): SimulatorHooks {
  return {
    layouts: invoicesLayouts(table),
    // Sums only, on pages 2, 3, 6 and 7 (ERP-EXPORTS §1).
    footer: ['quantity', 'salesBalance', 'totalDiscount', 'taxAmount', 'invoiceAmount', 'settledAmount', 'remainingAmount'].map((field) => ({ field, kind: 'Sum' as const })),
    // Without an order-number column, an invoice's `orderNumber` is the `ORD/…` number in `purchaseOrder` (ERP-EXPORTS §4).
    derivedWhenHidden: {
      orderNumber: (record): FieldValue => /ORD\/\d+/.exec(String(record.purchaseOrder ?? ''))?.[0] ?? null,
    },
    dataset: {
      generate: (ctx, dataset) => generateInvoices(ctx, dataset.orders, dataset.ddt, dataset.customers),
      listOrder: (a, b) => desc(String(a.invoiceDate), String(b.invoiceDate)) || desc(String(a.invoiceNumber), String(b.invoiceNumber)),
      changes: [
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
      add: (ctx, dataset, count) => {
        const invoiced = new Set(dataset.invoices.map((i) => String(i.orderNumber)));
        const candidates = ctx.random.shuffle(withOrderNumber(dataset.orders).filter((o) => !invoiced.has(String(o.orderNumber))));
        const today = ctx.now.slice(0, 10);
        const byAccount = new Map(dataset.customers.map((c) => [String(c.accountNumber), c]));
        const drafts = candidates.slice(0, count).map((order) => ({
          record: newInvoice(ctx, { order, customer: byAccount.get(String(order.customerAccount)), invoiceDate: today, quantity: ctx.random.int(1, 30) }),
          date: today,
          prefix: 'CF1',
        }));
        return numberDocuments(ctx, 'invoices', drafts, numberInvoice(ctx));
      },
    },
  };
}
