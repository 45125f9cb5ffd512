import { deflateSync, inflateSync } from 'node:zlib';
import { isDict, isRef, isStream, PdfObjects, type PdfDict, type PdfRef } from '../../src/parsers/pdf-objects.js';
import type { Random } from '../../src/simulator/random.js';

/**
 * Mutations of a valid export PDF for the readers' fuzz test: damage at the byte level, and changes a
 * producer could make at the structure level (pages cut or repeated, a cell's text changed), written as
 * incremental updates so that the rest of the file stays as it was.
 */

/** One mutated file and what was done to it. */
export interface Mutation {
  kind: 'byte-flips' | 'truncation' | 'page-cut' | 'page-duplicated' | 'cell-text';
  description: string;
  bytes: Uint8Array;
}

/** Flips 1–8 random bits anywhere in the file. */
export function flipBytes(bytes: Uint8Array, random: Random): Mutation {
  const out = bytes.slice();
  const flips: number[] = [];
  for (let i = random.int(1, 8); i > 0; i--) {
    const at = random.int(0, out.length - 1);
    out[at]! ^= 1 << random.int(0, 7);
    flips.push(at);
  }
  return { kind: 'byte-flips', description: `bits flipped at ${flips.join(', ')}`, bytes: out };
}

/** Cuts the file at a random point; half of the time re-appends `%%EOF` so that the envelope check passes. */
export function truncate(bytes: Uint8Array, random: Random): Mutation {
  const at = random.int(1, bytes.length - 1);
  const marker = random.chance(0.5);
  const out = marker ? Buffer.concat([bytes.subarray(0, at), Buffer.from('\n%%EOF\n')]) : bytes.slice(0, at);
  return { kind: 'truncation', description: `cut at ${at} of ${bytes.length}${marker ? ', %%EOF re-appended' : ''}`, bytes: new Uint8Array(out) };
}

/** Removes one page from the page tree. */
export function cutPage(bytes: Uint8Array, random: Random): Mutation {
  const { objects, root, kids } = pageTree(bytes);
  const at = random.int(0, kids.length - 1);
  const rest = kids.filter((_, i) => i !== at);
  return { kind: 'page-cut', description: `page ${at + 1} of ${kids.length} removed`, bytes: appendObjects(objects, [[root.ref, rootWithKids(root.dict, rest)]]) };
}

/** Lists one page twice in a row. */
export function duplicatePage(bytes: Uint8Array, random: Random): Mutation {
  const { objects, root, kids } = pageTree(bytes);
  const at = random.int(0, kids.length - 1);
  const more = [...kids.slice(0, at + 1), kids[at]!, ...kids.slice(at + 1)];
  return { kind: 'page-duplicated', description: `page ${at + 1} of ${kids.length} repeated`, bytes: appendObjects(objects, [[root.ref, rootWithKids(root.dict, more)]]) };
}

/**
 * Changes one digit of a data cell (text in the regular font `/F1`; headers are bold) on a random page to
 * another digit, in the page's content stream. Returns null when the page shows no digit.
 */
export function changeCellDigit(bytes: Uint8Array, random: Random): Mutation | null {
  const { objects, kids } = pageTree(bytes);
  const pageNo = random.int(0, kids.length - 1);
  const page = objects.fetch(kids[pageNo]!);
  const contentsRef = isDict(page) ? page.entries.get('Contents') : undefined;
  if (!isRef(contentsRef)) return null;
  const stream = objects.fetch(contentsRef);
  if (!isStream(stream)) return null;
  const text = Buffer.from(inflateSync(stream.data)).toString('latin1');
  // Hex strings shown in the regular font: `/F1 7 Tf\n[<3230...> 0] TJ`.
  const digits: number[] = [];
  for (const block of text.matchAll(/\/F1 [\d.]+ Tf\n\[([^\]]*)\] TJ/g)) {
    const start = block.index + block[0].indexOf('[');
    for (const hex of block[1]!.matchAll(/<([0-9a-f]+)>/g)) {
      for (let i = 0; i < hex[1]!.length; i += 2) {
        if (/^3[0-9]$/.test(hex[1]!.slice(i, i + 2))) digits.push(start + 1 + hex.index + 1 + i);
      }
    }
  }
  if (digits.length === 0) return null;
  const at = random.pick(digits);
  const old = Number(text[at + 1]);
  const digit = (old + random.int(1, 9)) % 10;
  const changed = `${text.slice(0, at)}3${digit}${text.slice(at + 2)}`;
  const data = deflateSync(Buffer.from(changed, 'latin1'));
  const dict = `<< /Length ${data.length} /Filter /FlateDecode >>`;
  return {
    kind: 'cell-text',
    description: `page ${pageNo + 1}: a digit ${old} → ${digit}`,
    bytes: appendObjects(objects, [[contentsRef, { dict, stream: data }]]),
  };
}

function pageTree(bytes: Uint8Array): { objects: PdfObjects; root: { ref: PdfRef; dict: PdfDict }; kids: PdfRef[] } {
  const objects = new PdfObjects(bytes);
  const catalog = objects.resolve(objects.trailer.entries.get('Root'));
  const ref = isDict(catalog) ? catalog.entries.get('Pages') : undefined;
  if (!isRef(ref)) throw new Error('fixture without a page tree');
  const dict = objects.fetch(ref);
  if (!isDict(dict)) throw new Error('fixture without a page tree');
  return { objects, root: { ref, dict }, kids: dict.entries.get('Kids') as PdfRef[] };
}

function rootWithKids(root: PdfDict, kids: PdfRef[]): string {
  const kept = [...root.raw].filter(([key]) => key !== 'Kids' && key !== 'Count');
  const entries = kept.map(([key, raw]) => `/${key} ${Buffer.from(raw).toString('latin1')}`);
  return `<< ${entries.join(' ')} /Kids [${kids.map((k) => `${k.num} ${k.gen} R`).join(' ')}] /Count ${kids.length} >>`;
}

/** Appends new versions of objects (a dictionary, or a stream) as an incremental update. */
function appendObjects(objects: PdfObjects, replaced: [PdfRef, string | { dict: string; stream: Buffer }][]): Uint8Array {
  const parts: Buffer[] = [Buffer.from(objects.bytes), Buffer.from('\n')];
  let at = objects.bytes.length + 1;
  const xref: string[] = ['xref'];
  for (const [ref, body] of replaced) {
    const head = `${ref.num} ${ref.gen} obj\n${typeof body === 'string' ? body : `${body.dict}\nstream\n`}`;
    const chunk = typeof body === 'string' ? [Buffer.from(`${head}\nendobj\n`, 'latin1')] : [Buffer.from(head, 'latin1'), body.stream, Buffer.from('\nendstream\nendobj\n')];
    xref.push(`${ref.num} 1`, `${String(at).padStart(10, '0')} ${String(ref.gen).padStart(5, '0')} n\r`);
    for (const c of chunk) {
      parts.push(c);
      at += c.length;
    }
  }
  const carried = ['Root', 'Info', 'ID'].filter((k) => objects.trailer.raw.has(k)).map((k) => `/${k} ${Buffer.from(objects.trailer.raw.get(k)!).toString('latin1')}`);
  parts.push(Buffer.from(`${xref.join('\n')}\ntrailer\n<< /Size ${objects.size} ${carried.join(' ')} /Prev ${objects.startXref} >>\nstartxref\n${at}\n%%EOF\n`, 'latin1'));
  return new Uint8Array(Buffer.concat(parts));
}
