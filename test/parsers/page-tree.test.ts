import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { balancePageTree } from '../../src/parsers/page-tree.js';
import { isDict, isRef, PdfObjects, type PdfRef } from '../../src/parsers/pdf-objects.js';
import { openPdf, readPage, type PageContent } from '../../src/parsers/pdf-page-reader.js';
import { readExport, type PageTreeMode } from '../../src/parsers/read-export.js';
import type { ExportRecord } from '../../src/parsers/types.js';

/**
 * The balanced page tree (`page-tree.ts`): pdf.js must read exactly the pages of the original file, in
 * the same order, through a tree whose nodes have at most `fanout` kids; anything the reader does not
 * fully understand is left to pdf.js untouched.
 */

const DDT = 'fixtures/exports/ddt.pdf'; // 35 pages
const bytesOf = (file: string): Uint8Array => new Uint8Array(readFileSync(file));

async function pagesOf(bytes: Uint8Array): Promise<PageContent[]> {
  const doc = await openPdf(bytes.slice());
  try {
    const pages: PageContent[] = [];
    for (let n = 1; n <= doc.numPages; n++) pages.push(await readPage(await doc.getPage(n)));
    return pages;
  } finally {
    await doc.destroy();
  }
}

/** The leaves of the page tree in order, checking every node's /Count and kid count on the way. */
function walkTree(bytes: Uint8Array, fanout: number): PdfRef[] {
  const objects = new PdfObjects(bytes);
  const catalog = objects.resolve(objects.trailer.entries.get('Root'));
  if (!isDict(catalog)) throw new Error('no catalog');
  const leaves: PdfRef[] = [];
  const visit = (ref: PdfRef): number => {
    const node = objects.fetch(ref);
    if (!isDict(node)) throw new Error('node is not a dictionary');
    const kids = node.entries.get('Kids');
    if (!Array.isArray(kids)) {
      leaves.push(ref);
      return 1;
    }
    expect(kids.length).toBeLessThanOrEqual(fanout);
    const count = kids.reduce<number>((n, kid) => n + visit(kid as PdfRef), 0);
    expect(node.entries.get('Count')).toBe(count);
    return count;
  };
  visit(catalog.entries.get('Pages') as PdfRef);
  return leaves;
}

/**
 * Appends an update that moves the root /Pages object into a compressed object stream and indexes it
 * with a cross-reference stream (PNG "up" predictor): the structures PDF 1.5+ producers write.
 */
function withObjectStreams(bytes: Uint8Array): Uint8Array {
  const objects = new PdfObjects(bytes);
  const catalog = objects.resolve(objects.trailer.entries.get('Root'));
  if (!isDict(catalog) || !isRef(catalog.entries.get('Pages'))) throw new Error('no page tree');
  const root = catalog.entries.get('Pages') as PdfRef;
  const rootDict = objects.fetch(root);
  if (!isDict(rootDict)) throw new Error('no root dictionary');
  const body = `<< ${[...rootDict.raw].map(([k, v]) => `/${k} ${Buffer.from(v).toString('latin1')}`).join(' ')} >>`;
  const header = `${root.num} 0 `;
  const streamNum = objects.size;
  const xrefNum = streamNum + 1;
  const parts: Buffer[] = [Buffer.from(bytes), Buffer.from('\n')];
  let at = bytes.length + 1;
  const add = (text: string | Buffer): void => {
    const b = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
    parts.push(b);
    at += b.length;
  };
  const objStm = deflateSync(Buffer.from(header + body, 'latin1'));
  const streamAt = at;
  add(`${streamNum} 0 obj\n<< /Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode /Length ${objStm.length} >>\nstream\n`);
  add(objStm);
  add('\nendstream\nendobj\n');
  const xrefAt = at;
  const rows = [
    [2, streamNum, 0],
    [1, streamAt, 0],
    [1, xrefAt, 0],
  ].map(([t, f2, f3]) => Buffer.from([t!, (f2! >>> 24) & 255, (f2! >>> 16) & 255, (f2! >>> 8) & 255, f2! & 255, (f3! >>> 8) & 255, f3! & 255]));
  const predicted = rows.map((row, r) => Buffer.concat([Buffer.from([2]), Buffer.from(row.map((b, i) => (b - (r > 0 ? rows[r - 1]![i]! : 0)) & 255))]));
  const data = deflateSync(Buffer.concat(predicted));
  const rootEntry = Buffer.from(objects.trailer.raw.get('Root')!).toString('latin1');
  add(
    `${xrefNum} 0 obj\n<< /Type /XRef /Size ${xrefNum + 1} /Index [${root.num} 1 ${streamNum} 2] /W [1 4 2] /Root ${rootEntry} /Prev ${objects.startXref} ` +
      `/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >> /Length ${data.length} >>\nstream\n`,
  );
  add(data);
  add(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(parts));
}

async function passwordProtected(pages: number): Promise<Uint8Array> {
  const doc = new PDFDocument({ userPassword: 'secret', ownerPassword: 'owner', pdfVersion: '1.7' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => doc.on('end', resolve));
  for (let i = 0; i < pages; i++) {
    if (i > 0) doc.addPage();
    doc.text(`page ${i + 1}`);
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

describe('balancing the page tree', () => {
  it('groups a flat tree into nodes of at most `fanout` kids, with the same pages in the same order', async () => {
    const original = bytesOf(DDT);
    const result = balancePageTree(original, 4);
    if (!result.balanced) throw new Error(result.reason);
    expect(result.pages).toBe(35);
    // An incremental update: the original bytes are untouched, the new tree follows them.
    expect(Buffer.from(result.bytes.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    expect(walkTree(result.bytes, 4)).toEqual(walkTree(original, 35));
    expect(await pagesOf(result.bytes)).toEqual(await pagesOf(original));
  });

  it('reads a tree whose root sits in a compressed object stream indexed by a cross-reference stream', async () => {
    const original = withObjectStreams(bytesOf(DDT));
    const result = balancePageTree(original, 6);
    if (!result.balanced) throw new Error(result.reason);
    expect(walkTree(result.bytes, 6)).toEqual(walkTree(bytesOf(DDT), 35));
    expect(await pagesOf(result.bytes)).toEqual(await pagesOf(bytesOf(DDT)));
  });

  it('numbers its new nodes past every object of the file, even when the trailer understates /Size', async () => {
    const original = Buffer.from(bytesOf(DDT)).toString('latin1');
    const understated = new Uint8Array(Buffer.from(original.replace(/\/Size \d+/, '/Size 3'), 'latin1'));
    const result = balancePageTree(understated, 4);
    if (!result.balanced) throw new Error(result.reason);
    expect(await pagesOf(result.bytes)).toEqual(await pagesOf(bytesOf(DDT)));
  });

  it('leaves to pdf.js what it does not fully understand', async () => {
    const balanced = balancePageTree(bytesOf(DDT), 4);
    if (!balanced.balanced) throw new Error(balanced.reason);
    // A tree already nested (its root's kids are nodes, not pages) is not touched again.
    expect(balancePageTree(balanced.bytes, 4)).toEqual({ balanced: false, reason: 'the root /Count is not its number of kids' });
    expect(balancePageTree(await passwordProtected(6), 4)).toEqual({ balanced: false, reason: 'encrypted file' });
    expect(balancePageTree(bytesOf('fixtures/exports/invoices.pdf'))).toEqual({ balanced: false, reason: '14 pages need no deeper tree' });
    const junk = new Uint8Array(Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nstartxref\n9\n%%EOF\n'));
    expect(balancePageTree(junk).balanced).toBe(false);
  });

  it('parses an export to the same records through either tree', async () => {
    const file = 'fixtures/variants/prices-row-per-cycle.pdf'; // 36 pages: above the fanout, so balanced
    const read = async (pageTree: PageTreeMode): Promise<ExportRecord[]> => {
      const records: ExportRecord[] = [];
      await readExport(file, 'prices', { onRecords: (rs) => records.push(...rs) }, { pageTree });
      return records;
    };
    const truth = (JSON.parse(readFileSync(file.replace(/\.pdf$/, '.json'), 'utf8')) as { records: ExportRecord[] }).records;
    expect(await read('balanced')).toEqual(truth);
    expect(await read('as-is')).toEqual(truth);
  });
});
