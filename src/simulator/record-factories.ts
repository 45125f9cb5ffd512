/**
 * Factories for one record of each export, with realistic Italian dental-trade values. They only make
 * records; how many, in which order and how they link is decided by `dataset.ts`.
 */
import type { FieldValue } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { addDays, daysBetween, endOfMonth, maxIso, minIso } from './calendar.js';
import { formatMoney, trackingFor } from './formats.js';
import { GenerationContext, makeRecord, numberOf, round2, textOf } from './generation-context.js';
import { fiscalCode, sdiCode, vatNumber } from './italian-codes.js';
import {
  CITIES, CLINIC_NAMES, CUSTOMER_DESCRIPTIONS, DELIVERY_TERMS, ERP_USERS, FEMALE_NAMES,
  MALE_NAMES, PACKAGINGS, PAYMENT_TERMS, PRODUCT_FAMILIES, SHANKS, STREETS, SURNAMES, type City,
} from './italian-data.js';
import type { Random } from './random.js';

/** Order statuses as the ERP prints them (`STATO DELLE VENDITE`). */
export type SalesStatus = 'Fatturato' | 'Consegnato' | 'Ordine aperto';

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

/** `Via Roma, 12` — street and house number, as customers and orders print it. */
function streetAddress(random: Random): string {
  const number = String(random.int(1, 180));
  const suffix = random.weighted([['', 85], ['/A', 8], ['/B', 4], [' bis', 3]] as const);
  return `${random.pick(STREETS)}, ${number}${suffix}`;
}

/** `20121 Milano MI` — the second line of a delivery address. */
function cityLine(city: City): string {
  return `${city.postalCode} ${city.name} ${city.province}`;
}

function phone(random: Random, city: City): string {
  const local = random.digits(10 - city.area.length);
  return random.chance(0.3) ? `+39 ${city.area} ${local}` : `${city.area} ${local}`;
}

/** A working-hours wall-clock time, `HH:mm:ss` (08:00–19:59). */
export function clockTime(random: Random): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(random.int(8, 19))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}`;
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
  const record = makeRecord('customers', values);
  ctx.register('customers', record);
  return record;
}

/** An unused account number: 6 digits with a leading zero (`049421`) or 7 digits (`1002241`). */
function newAccountNumber(ctx: GenerationContext): string {
  for (;;) {
    const candidate = ctx.random.chance(0.5) ? `0${ctx.random.digits(5)}` : `100${ctx.random.digits(4)}`;
    if (!ctx.accountNumbers.has(candidate)) {
      ctx.accountNumbers.add(candidate);
      return candidate;
    }
  }
}

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
    if (attempt > 10_000) throw new Error(`no unused article code left after ${ctx.articleCodes.size} articles`);
    family = random.pick(PRODUCT_FAMILIES);
    figure = `${random.pick(family.figures)}${random.pick(family.suffixes)}`;
    shank = random.pick(SHANKS);
    size = random.pick(SIZES);
    articleCode = `${family.prefix}${figure}.${shank.code}.${size}`;
    if (!ctx.articleCodes.has(articleCode)) break;
  }
  let base = '';
  do base = `0${random.digits(5)}`;
  while (ctx.productBases.has(base));
  const packagings = random.shuffle(PACKAGINGS).slice(0, Math.min(limit, random.int(1, 3)));
  packagings.sort((a, b) => a.suffix.localeCompare(b.suffix));
  const diameter = `${Number(size.slice(0, 2))},${size.slice(2)}`;
  const createdDate = `${random.int(2014, 2024)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
  const unitCost = random.int(150, 4500) / 100;
  return packagings.map((packaging) => {
    const stopped = random.chance(0.05);
    const record = makeRecord('products', {
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
  const record = makeRecord('prices', {
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
  const record = makeRecord('orders', {
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
  const record = makeRecord('ddt', {
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
  return settle(ctx, makeRecord('invoices', {
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
  return settle(ctx, makeRecord('invoices', {
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

/** A document awaiting its number: the record and its number series. */
export interface DocumentDraft {
  record: ExportRecord;
  /** Date the number is drawn on (numbers grow with it). */
  date: string;
  /** `DDT`, `CF1` or `NC`. */
  prefix: string;
}

/**
 * Assigns document numbers (and for DDT, ERP ids) to drafts in date order, as the ERP does when it
 * posts them, and registers the records.
 */
export function numberDocuments(ctx: GenerationContext, type: 'ddt' | 'invoices', drafts: DocumentDraft[]): ExportRecord[] {
  const sorted = [...drafts].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (const draft of sorted) {
    if (type === 'ddt') {
      draft.record.erpId = ctx.nextSequentialErpId('ddt', 30_000, 3);
      draft.record.ddtNumber = ctx.nextDocumentNumber(draft.prefix, draft.date, 10);
    } else {
      draft.record.invoiceNumber = ctx.nextDocumentNumber(draft.prefix, draft.date, draft.prefix === 'NC' ? 2 : 6);
    }
    ctx.register(type, draft.record);
  }
  return sorted.map((draft) => draft.record);
}
