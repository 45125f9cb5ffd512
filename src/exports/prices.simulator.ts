/** The simulator's `prices`: list prices of the products, with quantity breaks and earlier years. */
import type { ExportTable } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { addDays } from '../simulator/calendar.js';
import { type GenerationContext, numberOf, round2, textOf } from '../simulator/generation-context.js';
import { CENTER as C, columnsOf } from '../simulator/layout-columns.js';
import type { Layout } from '../simulator/layout-types.js';
import type { Random } from '../simulator/random.js';
import { asc } from '../simulator/record-helpers.js';
import type { SimulatorHooks } from '../simulator/simulator-hooks.js';

/** What one price row states; the factory fills in the rest. */
export interface PriceTerms {
  validFrom: string;
  validTo: string | null;
  quantityFrom: number;
  quantityTo: number | null;
  unitPrice: number;
}

/** A price row of a product, or null when its key `(productId, validFrom, quantityFrom)` is taken. */
export function newPrice(ctx: GenerationContext, product: ExportRecord, terms: PriceTerms): ExportRecord | null {
  const random = ctx.random;
  const key = `${String(product.productId)}|${terms.validFrom}|${terms.quantityFrom}`;
  if (ctx.keys.prices.has(key)) return null;
  const group = random.chance(0.8);
  const record = ctx.record('prices', {
    erpId: ctx.randomErpId('prices'),
    accountCode: group ? 'Gruppo' : 'Tutti',
    account: group ? 'LIST-IT' : null,
    accountDescription: group ? 'Listino Italia' : null,
    productId: textOf(product, 'productId'),
    articleCode: textOf(product, 'articleCode'),
    validFrom: terms.validFrom,
    validTo: terms.validTo,
    quantityFrom: terms.quantityFrom,
    quantityTo: terms.quantityTo,
    priceUnit: '1',
    unitPrice: round2(terms.unitPrice),
    currency: 'EUR',
    brasselerNetPrice: random.chance(0.1) ? 'Sì' : null,
  });
  ctx.register('prices', record);
  return record;
}

/** A list price for a product: a markup on its purchase price. */
export function listPrice(random: Random, product: ExportRecord): number {
  const cost = numberOf(product, 'purchasePrice') ?? 10;
  return round2(cost * (1.8 + random.next() * 1.6));
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

function pricesLayouts(table: ExportTable): Layout[] {
  const { f } = columnsOf(table);
  return [{
    type: 'prices', variant: '3p', title: 'Tabella prezzi', moneyStyle: 'euro',
    pages: [
      [f('ID', 'erpId', 60), f('CODICE CONTO', 'accountCode', 65), f('ACCOUNT:', 'account', 65), f('DESCRIZIONE ACCOUNT:', 'accountDescription', 90), f('ITEM SELECTION:', 'productId', 75)],
      // The three header words print stacked in one merged cell (ERP-EXPORTS §7).
      [f('ITEM DESCRIPTION:', 'articleCode', 90), f('DA DATA', 'validFrom', 65, { headerAlign: C }), f('DATA', 'validTo', 65, { headerAlign: C }), f('QUANTITÀ\nIMPORTO\nDA', 'quantityFrom', 65)],
      [f('QUANTITÀ\nIMPORTO', 'quantityTo', 65), f('UNITÀ DI PREZZO', 'priceUnit', 55), f('IMPORTO UNITARIO:', 'unitPrice', 80), f('VALUTA', 'currency', 50), f('PREZZO NETTO BRASSELER', 'brasselerNetPrice', 80)],
    ],
  }];
}

/** The prices' simulator data, given their parse table. */
export function pricesSimulator(table: ExportTable): SimulatorHooks {
  return {
    layouts: pricesLayouts(table),
    // Not observed: a count under the first column, the DevExpress default.
    footer: [{ field: 'erpId', kind: 'Count' }],
    dataset: {
      generate: (ctx, dataset, options) => generatePrices(ctx, dataset.products, options.prices),
      listOrder: (a, b) => asc(String(a.productId), String(b.productId)) || asc(String(a.validFrom), String(b.validFrom)) || Number(a.quantityFrom) - Number(b.quantityFrom),
      changes: [
        (_ctx, r) => ((r.unitPrice = round2((numberOf(r, 'unitPrice') ?? 0) * 1.03 + 0.01)), true),
        (ctx, r) => ((r.validTo = r.validTo === null ? addDays(ctx.now, 30) : addDays(String(r.validTo), 365)), true),
      ],
      add: (ctx, dataset, count) => {
        const added: ExportRecord[] = [];
        const today = ctx.now.slice(0, 10);
        for (let attempt = 0; added.length < count && attempt < count * 5 && dataset.products.length > 0; attempt++) {
          const product = ctx.random.pick(dataset.products);
          const price = newPrice(ctx, product, { validFrom: today, validTo: null, quantityFrom: 1, quantityTo: null, unitPrice: listPrice(ctx.random, product) });
          if (price) added.push(price);
        }
        return added;
      },
    },
  };
}
