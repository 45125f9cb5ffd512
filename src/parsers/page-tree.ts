import { isDict, isName, isRef, PdfObjects, PdfSyntaxError, type PdfDict, type PdfRef } from './pdf-objects.js';

/**
 * Gives a flat page tree a balanced shape before pdf.js opens the file.
 *
 * Why: pdf.js (5.4, `Catalog.getPageDict`) finds page n by walking the page tree from its root on every
 * `getPage`, and at each node it visits it pushes every kid. The ERP writes all pages as kids of one root
 * node, so each lookup costs O(pages) and a whole export O(pages²): on the 15,000-page price export most
 * of the parse went there (mozilla/pdf.js#20359 proposes a shortcut for this flat case; it was not merged).
 * With the root's kids grouped into intermediate `/Pages` nodes of at most `FANOUT` kids, whose `/Count`
 * lets pdf.js skip whole groups, a lookup touches O(FANOUT × depth) nodes, the same for every page.
 *
 * How, without patching pdf.js: the tree is read once here (`pdf-objects.ts`) and the new nodes are
 * appended to the file as a standard PDF incremental update — new intermediate nodes, a new version of
 * the root `/Pages` object keeping its number and every other entry (inherited `/MediaBox`, `/Resources`…),
 * a cross-reference section and a trailer whose `/Prev` chains to the original one. The pages themselves,
 * their `/Parent` (still the root, which still carries the inherited entries) and their order are
 * untouched, so pdf.js reads exactly the same pages; only how it finds them changes.
 *
 * Only a tree this reader fully understands is rebalanced: the root's `/Count` equals its number of kids
 * and every kid is an indirect `/Type /Page` dictionary (so each group's `/Count` is exact). Anything else
 * — nested trees, an encrypted file, a syntax this reader does not know — is handed to pdf.js as it is.
 */

/**
 * Kids per node of the balanced tree: a lookup costs about FANOUT × depth steps (depth 3 for 15,000
 * pages), and a tree of at most FANOUT pages is left as it is.
 */
export const FANOUT = 32;

/** What `balancePageTree` did. */
export type BalanceResult = { balanced: true; bytes: Uint8Array; pages: number } | { balanced: false; reason: string };

/** Returns the file with a balanced page tree appended as an incremental update, or why it was left as it is. */
export function balancePageTree(bytes: Uint8Array, fanout = FANOUT): BalanceResult {
  try {
    const objects = new PdfObjects(bytes);
    if (objects.trailer.entries.has('Encrypt')) return { balanced: false, reason: 'encrypted file' };
    const root = pagesRoot(objects);
    const kids = flatKids(objects, root.dict);
    if (kids.length <= fanout) return { balanced: false, reason: `${kids.length} pages need no deeper tree` };
    return { balanced: true, bytes: appendBalancedTree(objects, root, kids, fanout), pages: kids.length };
  } catch (err) {
    if (err instanceof PdfSyntaxError || err instanceof RangeError) return { balanced: false, reason: err.message };
    throw err;
  }
}

function pagesRoot(objects: PdfObjects): { ref: PdfRef; dict: PdfDict } {
  const catalog = objects.resolve(objects.trailer.entries.get('Root'));
  if (!isDict(catalog)) throw new PdfSyntaxError('no catalog');
  const ref = catalog.entries.get('Pages');
  if (!isRef(ref)) throw new PdfSyntaxError('the catalog has no indirect /Pages');
  const dict = objects.fetch(ref);
  if (!isDict(dict) || !isName(dict.entries.get('Type'), 'Pages')) throw new PdfSyntaxError('/Pages is not a page tree node');
  return { ref, dict };
}

/** The root's kids when they are exactly its pages; throws otherwise. */
function flatKids(objects: PdfObjects, root: PdfDict): PdfRef[] {
  const kids = objects.resolve(root.entries.get('Kids'));
  const count = root.entries.get('Count');
  if (!Array.isArray(kids) || kids.length !== count) throw new PdfSyntaxError('the root /Count is not its number of kids');
  const seen = new Set<string>();
  for (const kid of kids) {
    if (!isRef(kid)) throw new PdfSyntaxError('a kid is not an indirect object');
    const key = `${kid.num} ${kid.gen}`;
    if (seen.has(key)) throw new PdfSyntaxError('a page appears twice in the tree');
    seen.add(key);
    const page = objects.fetch(kid);
    if (!isDict(page) || !isName(page.entries.get('Type'), 'Page')) throw new PdfSyntaxError('a kid of the root is not a page');
  }
  return kids as PdfRef[];
}

interface NewNode {
  num: number;
  kids: PdfRef[];
  count: number;
  /** Object number of the node above; the root when unset. */
  parent?: number;
}

interface LevelItem {
  ref: PdfRef;
  count: number;
  node?: NewNode;
}

/** Builds the update: intermediate nodes numbered from the trailer's /Size on, the root rewritten on top. */
function appendBalancedTree(objects: PdfObjects, root: { ref: PdfRef; dict: PdfDict }, pages: PdfRef[], fanout: number): Uint8Array {
  let next = objects.size;
  const nodes: NewNode[] = [];
  let level: LevelItem[] = pages.map((ref) => ({ ref, count: 1 }));
  while (level.length > fanout) {
    const upper: LevelItem[] = [];
    for (let i = 0; i < level.length; i += fanout) {
      const group = level.slice(i, i + fanout);
      const node: NewNode = { num: next++, kids: group.map((g) => g.ref), count: group.reduce((n, g) => n + g.count, 0) };
      for (const g of group) if (g.node) g.node.parent = node.num;
      nodes.push(node);
      upper.push({ ref: { kind: 'ref', num: node.num, gen: 0 }, count: node.count, node });
    }
    level = upper;
  }
  const ref = (r: PdfRef): string => `${r.num} ${r.gen} R`;
  const rootRef = ref(root.ref);
  const chunks: string[] = [];
  const offsets = new Map<number, number>();
  let at = objects.bytes.length + 1;
  const write = (num: number, gen: number, body: string): void => {
    const text = `${num} ${gen} obj\n${body}\nendobj\n`;
    offsets.set(num, at);
    chunks.push(text);
    at += Buffer.byteLength(text, 'latin1');
  };
  for (const node of nodes) {
    const parentRef = node.parent === undefined ? rootRef : `${node.parent} 0 R`;
    write(node.num, 0, `<< /Type /Pages /Parent ${parentRef} /Kids [${node.kids.map(ref).join(' ')}] /Count ${node.count} >>`);
  }
  const kept = [...root.dict.raw].filter(([key]) => key !== 'Kids' && key !== 'Count');
  const keptText = kept.map(([key, raw]) => `/${key} ${Buffer.from(raw).toString('latin1')}`).join('\n');
  write(root.ref.num, root.ref.gen, `<<\n${keptText}\n/Kids [${level.map((l) => ref(l.ref)).join(' ')}]\n/Count ${pages.length}\n>>`);

  const xref = ['xref'];
  const sorted = [...offsets].sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]![0] === sorted[j]![0] + 1) j++;
    xref.push(`${sorted[i]![0]} ${j - i + 1}`);
    for (let k = i; k <= j; k++) {
      const gen = sorted[k]![0] === root.ref.num ? root.ref.gen : 0;
      xref.push(`${String(sorted[k]![1]).padStart(10, '0')} ${String(gen).padStart(5, '0')} n\r`);
    }
    i = j + 1;
  }
  const carried = ['Root', 'Info', 'ID'].filter((key) => objects.trailer.raw.has(key));
  const trailerEntries = [
    `/Size ${next}`,
    ...carried.map((key) => `/${key} ${Buffer.from(objects.trailer.raw.get(key)!).toString('latin1')}`),
    `/Prev ${objects.startXref}`,
  ];
  const update = `\n${chunks.join('')}${xref.join('\n')}\ntrailer\n<< ${trailerEntries.join(' ')} >>\nstartxref\n${at}\n%%EOF\n`;
  const tail = Buffer.from(update, 'latin1');
  const out = new Uint8Array(objects.bytes.length + tail.length);
  out.set(objects.bytes, 0);
  out.set(tail, objects.bytes.length);
  return out;
}
