/** The simulator's `products`: burs and dental consumables, one product per packaging of an article. */
import type { ExportTable } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { addDays, isoDateTime, toLocalMs } from '../simulator/calendar.js';
import { type GenerationContext, numberOf, round2 } from '../simulator/generation-context.js';
import { ERP_USERS, PACKAGINGS, PRODUCT_FAMILIES, SHANKS } from '../simulator/italian-data.js';
import { CENTER as C, columnsOf } from '../simulator/layout-columns.js';
import type { Layout } from '../simulator/layout-types.js';
import { asc, clockTime } from '../simulator/record-helpers.js';
import type { SimulatorHooks } from '../simulator/simulator-hooks.js';

/** The secondary codes a product takes: its article code (shared by its packagings) and its 6-digit id base. */
const ARTICLE_CODES = 'products.articleCode';
const PRODUCT_BASES = 'products.productBase';

const SIZES = ['008', '010', '012', '014', '016', '018', '021', '023', '025', '027', '031', '035', '040'];

/**
 * The products of one new article: one product id per packaging (`016869K0`, `016869K2`, …) sharing
 * the article code (`H129FSQ.104.023`). At most `limit` products.
 */
export function newArticleProducts(ctx: GenerationContext, limit: number): ExportRecord[] {
  const random = ctx.random;
  let family = random.pick(PRODUCT_FAMILIES);
  let articleCode = '';
  let figure = '';
  let shank = SHANKS[0] as (typeof SHANKS)[number];
  let size = '';
  // ~9,000 article codes exist; a family that is used up makes the draw move on to another one.
  for (let attempt = 0; ; attempt++) {
    if (attempt > 10_000) throw new Error(`no unused article code left after ${ctx.codes(ARTICLE_CODES).size} articles`);
    family = random.pick(PRODUCT_FAMILIES);
    figure = `${random.pick(family.figures)}${random.pick(family.suffixes)}`;
    shank = random.pick(SHANKS);
    size = random.pick(SIZES);
    articleCode = `${family.prefix}${figure}.${shank.code}.${size}`;
    if (!ctx.codes(ARTICLE_CODES).has(articleCode)) break;
  }
  let base = '';
  do base = `0${random.digits(5)}`;
  while (ctx.codes(PRODUCT_BASES).has(base));
  const packagings = random.shuffle(PACKAGINGS).slice(0, Math.min(limit, random.int(1, 3)));
  packagings.sort((a, b) => a.suffix.localeCompare(b.suffix));
  const diameter = `${Number(size.slice(0, 2))},${size.slice(2)}`;
  const createdDate = `${random.int(2014, 2024)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
  const unitCost = random.int(150, 4500) / 100;
  return packagings.map((packaging) => {
    const stopped = random.chance(0.05);
    const record = ctx.record('products', {
      productId: `${base}${packaging.suffix}`,
      articleCode,
      description: `${family.noun} fig. ${figure} ${shank.name} Ø ${diameter} mm conf. ${packaging.pieces} pz`,
      productGroup: family.group,
      packageContent: String(packaging.pieces),
      searchName: articleCode.replace(/\./g, ''),
      priceUnit: '1',
      productGroupId: family.groupId,
      productGroupDescription: family.groupDescription,
      minQuantity: 1,
      multipleQuantity: 1,
      maxQuantity: random.chance(0.6) ? null : 999,
      figure,
      blockedId: stopped ? 'BLOCCO01' : null,
      package: random.chance(0.2) ? null : packaging.pieces === 1 ? 'Blister' : 'Scatola',
      shank: shank.name,
      size,
      configurationId: random.chance(0.8) ? null : 'STD',
      createdBy: random.pick(ERP_USERS),
      createdDate,
      dataAreaId: 'kit',
      defaultQuantity: 1,
      displayProductNumber: `${articleCode}-${packaging.suffix}`,
      totalAbsoluteDiscount: random.chance(0.85) ? 0 : null,
      erpId: ctx.randomErpId('products'),
      lineDiscount: random.chance(0.85) ? null : random.pick(['SC5', 'SC10', 'SC15']),
      modifiedBy: random.pick(ERP_USERS),
      modifiedAt: `${addDays(ctx.now, -random.int(1, 700))}T${clockTime(random)}`,
      orderable: !stopped && random.chance(0.95),
      purchasePrice: round2(unitCost * packaging.pieces),
      standardConfigurationId: random.chance(0.7) ? null : 'STD',
      standardQuantity: packaging.pieces,
      stopped,
      unitId: packaging.pieces === 1 ? 'PZ' : 'CF',
      vatGroup: random.chance(0.95) ? 'IVA22' : 'IVA10',
    });
    ctx.register('products', record);
    return record;
  });
}

/** `count` products of new articles. */
export function generateProducts(ctx: GenerationContext, count: number): ExportRecord[] {
  const products: ExportRecord[] = [];
  while (products.length < count) products.push(...newArticleProducts(ctx, count - products.length));
  return products;
}

const touchProduct = (ctx: GenerationContext, record: ExportRecord): void => {
  record.modifiedAt = isoDateTime(toLocalMs(ctx.now) - ctx.random.int(60, 3600) * 1000);
  record.modifiedBy = 'sync.batch';
};

function productsLayouts(table: ExportTable): Layout[] {
  const { f, skip } = columnsOf(table);
  const yesno = { boolStyle: 'yesno' } as const;
  const pages8 = [
    [f('ID ARTICOLO', 'productId', 65), f('NOME ARTICOLO', 'articleCode', 80), f('DESCRIZIONE', 'description', 150)],
    [f('GRUPPO ARTICOLO', 'productGroup', 80), skip('IMMAGINE', 60, 'System.Byte[]'), f("CONTENUTO DELL'IMBALLAGGIO", 'packageContent', 80, { headerAlign: C }), f('NOME DELLA RICERCA', 'searchName', 80)],
    [f('UNITÀ DI PREZZO', 'priceUnit', 55), f('ID GRUPPO DI PRODOTTI', 'productGroupId', 70), f('DESCRIZIONE GRUPPO ARTICOLO', 'productGroupDescription', 110), f('QTÀ MINIMA', 'minQuantity', 55)],
    [f('QTÀ MULTIPLI', 'multipleQuantity', 55), f('QTÀ MASSIMA', 'maxQuantity', 55), f('FIGURA', 'figure', 55), f("ID IN BLOCCO DELL'ARTICOLO", 'blockedId', 75), f('PACCO', 'package', 55), f('GAMBA', 'shank', 55)],
    [f('GRANDEZZA', 'size', 55, { headerAlign: C }), f('ID DI CONFIGURAZIONE', 'configurationId', 75), f('CREATO DA', 'createdBy', 65), f('DATA CREATA', 'createdDate', 65), f('DATAAREAID', 'dataAreaId', 55)],
    [f('QTÀ PREDEFINITA', 'defaultQuantity', 65), f('VISUALIZZA IL NUMERO DI PRODOTTO', 'displayProductNumber', 90), f('SCONTO ASSOLUTO TOTALE', 'totalAbsoluteDiscount', 80), f('ID', 'erpId', 60)],
    [f('SCONTO LINEA', 'lineDiscount', 60), f('MODIFICATO DA', 'modifiedBy', 65), f('DATETIME MODIFICATO', 'modifiedAt', 80), f('ARTICOLO ORDINABILE', 'orderable', 75, { headerAlign: C })],
    [f('PURCH PRICE', 'purchasePrice', 80), f('PCS ID DI CONFIGURAZIONE STANDARD', 'standardConfigurationId', 85), f('QTÀ STANDARD', 'standardQuantity', 60), f('FERMATO', 'stopped', 50, { headerAlign: C, ...yesno }), f('ID UNITÀ', 'unitId', 50)],
  ];
  const pages5 = [
    [f('ID ARTICOLO', 'productId', 65), f('NOME ARTICOLO', 'articleCode', 80), f('DESCRIZIONE', 'description', 150)],
    [f('GRUPPO ARTICOLO', 'productGroup', 80), skip('IMMAGINE', 60, 'System.Byte[]'), f("CONTENUTO DELL'IMBALLAGGIO", 'packageContent', 80), f('NOME DELLA RICERCA', 'searchName', 80)],
    [f('UNITÀ DI PREZZO', 'priceUnit', 55), f('QTÀ MINIMA', 'minQuantity', 55), f('QTÀ MULTIPLI', 'multipleQuantity', 55), f('QTÀ MASSIMA', 'maxQuantity', 55)],
    [f('FIGURA', 'figure', 55), f('GRANDEZZA', 'size', 55), f('PACCO', 'package', 55), f('GAMBA', 'shank', 55)],
    [f('ID', 'erpId', 60), f('ARTICOLO ORDINABILE', 'orderable', 75), f('PURCH PRICE', 'purchasePrice', 80), f('FERMATO', 'stopped', 50, yesno)],
  ];
  return [
    { type: 'products', variant: '5p', title: 'Prodotti', moneyStyle: 'euro', pages: pages5 },
    { type: 'products', variant: '8p', title: 'Prodotti', moneyStyle: 'euro', pages: pages8 },
    { type: 'products', variant: '9p', title: 'Prodotti', moneyStyle: 'euro', pages: [...pages8, [f('TAXITEMGROUPID', 'vatGroup', 80, { headerAlign: C })]] },
  ];
}

/** The products' simulator data, given their parse table. */
export function productsSimulator(table: ExportTable): SimulatorHooks {
  return {
    layouts: productsLayouts(table),
    defaultVariant: '9p',
    // Not observed: a count under the first column, the DevExpress default that the orders export shows too.
    footer: [{ field: 'productId', kind: 'Count' }],
    dataset: {
      generate: (ctx, _dataset, options) => generateProducts(ctx, options.products),
      listOrder: (a, b) => asc(String(a.productId), String(b.productId)),
      changes: [
        (ctx, r) => ((r.purchasePrice = round2((numberOf(r, 'purchasePrice') ?? 0) * 1.05 + 0.01)), touchProduct(ctx, r), true),
        (ctx, r) => ((r.stopped = !r.stopped), (r.orderable = !r.stopped), touchProduct(ctx, r), true),
        (ctx, r) => ((r.lineDiscount = r.lineDiscount === 'SC10' ? 'SC15' : 'SC10'), touchProduct(ctx, r), true),
      ],
      add: (ctx, _d, count) => generateProducts(ctx, count),
      register: (ctx, record) => {
        ctx.codes(ARTICLE_CODES).add(String(record.articleCode));
        ctx.codes(PRODUCT_BASES).add(String(record.productId).slice(0, 6));
      },
    },
  };
}
