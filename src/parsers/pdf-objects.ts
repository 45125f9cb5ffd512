import { inflateSync } from 'node:zlib';

/**
 * A minimal reader of PDF objects: enough of the file structure (cross-reference tables and streams,
 * object streams, dictionaries) to read a document's page tree without pdf.js (`page-tree.ts`). It
 * reads well-formed files only and throws `PdfSyntaxError` on anything else; callers then leave the file
 * to pdf.js, which repairs what it can.
 */

/** Raised on any structure this reader does not understand. */
export class PdfSyntaxError extends Error {
  override name = 'PdfSyntaxError';
}

/** An indirect reference `num gen R`. */
export interface PdfRef {
  kind: 'ref';
  num: number;
  gen: number;
}

/** A name `/Type`, without its slash (`#xx` escapes are kept as written). */
export interface PdfName {
  kind: 'name';
  name: string;
}

/** A dictionary: parsed values plus the source bytes of each value, so entries can be copied verbatim. */
export interface PdfDict {
  kind: 'dict';
  entries: Map<string, PdfValue>;
  raw: Map<string, Uint8Array>;
}

/** A stream: its dictionary and its still-encoded data. */
export interface PdfStream {
  kind: 'stream';
  dict: PdfDict;
  data: Uint8Array;
}

/** The values this reader keeps; strings become `{kind:'string'}` (their text is never needed here). */
export type PdfValue = number | boolean | null | PdfRef | PdfName | PdfDict | PdfValue[] | { kind: 'string' } | PdfStream;

/** Character classes of PDF syntax, indexed by byte: 1 whitespace, 2 delimiter, 0 regular. */
const CLASS = new Uint8Array(256);
for (const b of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) CLASS[b] = 1;
for (const b of [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]) CLASS[b] = 2;

const isRegular = (b: number): boolean => CLASS[b] === 0;
const latin1 = (bytes: Uint8Array, from: number, to: number): string => {
  // Tokens are short: building the string directly is cheaper than a Buffer view per token.
  if (to - from > 64) return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
  let text = '';
  for (let i = from; i < to; i++) text += String.fromCharCode(bytes[i]!);
  return text;
};

/** A cursor over a byte array that parses PDF values. */
export class PdfLexer {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  /** Skips whitespace and comments. */
  skipSpace(): void {
    const b = this.bytes;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (CLASS[c] === 1) this.pos++;
      else if (c === 0x25) while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      else break;
    }
  }

  /** Reads a bare keyword or number token (`obj`, `R`, `12`, `-3.5`) without consuming it when `peek`. */
  word(peek = false): string {
    this.skipSpace();
    let end = this.pos;
    while (end < this.bytes.length && isRegular(this.bytes[end]!)) end++;
    const text = latin1(this.bytes, this.pos, end);
    if (!peek) this.pos = end;
    return text;
  }

  /** Reads a non-negative integer token. */
  integer(): number {
    const text = this.word();
    if (!/^\d+$/.test(text)) throw new PdfSyntaxError(`expected an integer at byte ${this.pos}, found "${text.slice(0, 20)}"`);
    return Number(text);
  }

  /** Expects a keyword. */
  expect(keyword: string): void {
    const at = this.pos;
    const text = this.word();
    if (text !== keyword) throw new PdfSyntaxError(`expected "${keyword}" at byte ${at}, found "${text.slice(0, 20)}"`);
  }

  /** Parses one value; `num gen R` becomes a reference. */
  value(depth = 0): PdfValue {
    if (depth > 100) throw new PdfSyntaxError('objects nested too deeply');
    this.skipSpace();
    const b = this.bytes;
    const c = b[this.pos];
    if (c === undefined) throw new PdfSyntaxError('unexpected end of data');
    if (c === 0x2f) return this.name();
    if (c === 0x28) return this.literalString();
    if (c === 0x3c) return b[this.pos + 1] === 0x3c ? this.dict(depth) : this.hexString();
    if (c === 0x5b) return this.array(depth);
    const text = this.word();
    if (text === 'true' || text === 'false') return text === 'true';
    if (text === 'null') return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) throw new PdfSyntaxError(`unexpected token "${text.slice(0, 20)}" at byte ${this.pos}`);
    if (/^\d+$/.test(text)) {
      // `num gen R`: look ahead two tokens without committing to them.
      const save = this.pos;
      const gen = this.word();
      if (/^\d+$/.test(gen) && this.word() === 'R') return { kind: 'ref', num: Number(text), gen: Number(gen) };
      this.pos = save;
    }
    return Number(text);
  }

  private name(): PdfName {
    const start = ++this.pos;
    while (this.pos < this.bytes.length && isRegular(this.bytes[this.pos]!)) this.pos++;
    return { kind: 'name', name: latin1(this.bytes, start, this.pos) };
  }

  private literalString(): { kind: 'string' } {
    let depth = 0;
    const b = this.bytes;
    for (; this.pos < b.length; this.pos++) {
      const c = b[this.pos];
      if (c === 0x5c) this.pos++;
      else if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) {
        this.pos++;
        return { kind: 'string' };
      }
    }
    throw new PdfSyntaxError('unterminated string');
  }

  private hexString(): { kind: 'string' } {
    const end = this.bytes.indexOf(0x3e, this.pos);
    if (end < 0) throw new PdfSyntaxError('unterminated hex string');
    this.pos = end + 1;
    return { kind: 'string' };
  }

  private array(depth: number): PdfValue[] {
    this.pos++;
    const items: PdfValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.bytes[this.pos] === 0x5d) {
        this.pos++;
        return items;
      }
      items.push(this.value(depth + 1));
    }
  }

  private dict(depth: number): PdfDict {
    this.pos += 2;
    const entries = new Map<string, PdfValue>();
    const raw = new Map<string, Uint8Array>();
    for (;;) {
      this.skipSpace();
      if (this.bytes[this.pos] === 0x3e && this.bytes[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return { kind: 'dict', entries, raw };
      }
      if (this.bytes[this.pos] !== 0x2f) throw new PdfSyntaxError(`expected a name key at byte ${this.pos}`);
      const key = this.name().name;
      this.skipSpace();
      const start = this.pos;
      entries.set(key, this.value(depth + 1));
      raw.set(key, this.bytes.subarray(start, this.pos));
    }
  }
}

/** Where an object lives: at a byte offset, or as the n-th object of an object stream. */
type XrefEntry = { at: 'offset'; offset: number } | { at: 'stream'; stream: number; index: number };

/**
 * A document's objects, read through its cross-reference sections (the newest section wins, as in an
 * incremental update). Only what `page-tree.ts` needs: fetch by reference, the trailer, the last
 * `startxref` offset.
 */
export class PdfObjects {
  /** The newest trailer (or cross-reference stream dictionary). */
  readonly trailer: PdfDict;
  /** Offset of the newest cross-reference section: the `/Prev` of an appended update. */
  readonly startXref: number;
  private readonly entries = new Map<number, XrefEntry>();
  /** Object numbers freed by a newer section: older sections must not bring them back. */
  private readonly freed = new Set<number>();
  private readonly objectStreams = new Map<number, { lexer: PdfLexer; offsets: Map<number, number> }>();

  constructor(readonly bytes: Uint8Array) {
    const tail = latin1(bytes, Math.max(0, bytes.length - 1024), bytes.length);
    const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!match) throw new PdfSyntaxError('no startxref at the end of the file');
    this.startXref = Number(match[1]);
    this.trailer = this.readSections(this.startXref);
  }

  /**
   * The first free object number: the newest trailer's `/Size`, or past the highest object number any
   * cross-reference section lists when `/Size` understates it (new objects must not replace old ones).
   */
  get size(): number {
    const size = this.trailer.entries.get('Size');
    if (typeof size !== 'number' || !Number.isInteger(size)) throw new PdfSyntaxError('trailer without /Size');
    let first = size;
    for (const n of this.entries.keys()) if (n >= first) first = n + 1;
    for (const n of this.freed) if (n >= first) first = n + 1;
    return first;
  }

  /** Resolves a reference (or returns a direct value as it is). */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    return isRef(value) ? this.fetch(value) : value;
  }

  /** Fetches an indirect object. */
  fetch(ref: PdfRef): PdfValue {
    const entry = this.entries.get(ref.num);
    if (!entry) throw new PdfSyntaxError(`object ${ref.num} ${ref.gen} R is not in the cross-reference table`);
    if (entry.at === 'stream') {
      const stream = this.objectStream(entry.stream);
      const offset = stream.offsets.get(ref.num);
      if (offset === undefined) throw new PdfSyntaxError(`object ${ref.num} is not in object stream ${entry.stream}`);
      stream.lexer.pos = offset;
      return stream.lexer.value();
    }
    return this.objectAt(entry.offset, ref);
  }

  private objectAt(offset: number, ref: PdfRef | null): PdfValue {
    const lexer = new PdfLexer(this.bytes, offset);
    const num = lexer.integer();
    const gen = lexer.integer();
    lexer.expect('obj');
    if (ref && (num !== ref.num || gen !== ref.gen)) throw new PdfSyntaxError(`offset ${offset} holds object ${num} ${gen}, not ${ref.num} ${ref.gen}`);
    const value = lexer.value();
    if (!isDict(value) || lexer.word(true) !== 'stream') return value;
    lexer.word();
    // The data starts after the end-of-line that follows `stream` (CRLF or LF).
    if (this.bytes[lexer.pos] === 0x0d) lexer.pos++;
    if (this.bytes[lexer.pos] === 0x0a) lexer.pos++;
    const length = this.resolve(value.entries.get('Length'));
    if (typeof length !== 'number' || length < 0 || lexer.pos + length > this.bytes.length) throw new PdfSyntaxError(`stream at ${offset} has no valid /Length`);
    return { kind: 'stream', dict: value, data: this.bytes.subarray(lexer.pos, lexer.pos + length) };
  }

  /** Reads the cross-reference section at `offset` and every older one it chains to; returns the newest trailer. */
  private readSections(offset: number): PdfDict {
    let newest: PdfDict | null = null;
    const seen = new Set<number>();
    for (let next: number | null = offset; next !== null; ) {
      if (seen.has(next) || seen.size > 1000) throw new PdfSyntaxError('cross-reference sections form a loop');
      seen.add(next);
      const trailer: PdfDict = new PdfLexer(this.bytes, next).word(true) === 'xref' ? this.readTable(next) : this.readStream(next);
      newest ??= trailer;
      const hybrid = trailer.entries.get('XRefStm');
      if (typeof hybrid === 'number') this.readStream(hybrid);
      const prev = trailer.entries.get('Prev');
      next = typeof prev === 'number' ? prev : null;
    }
    return newest!;
  }

  /** Sections are read newest first: an object's first entry (in use or free) is its current one. */
  private add(num: number, entry: XrefEntry | 'free'): void {
    if (this.entries.has(num) || this.freed.has(num)) return;
    if (entry === 'free') this.freed.add(num);
    else this.entries.set(num, entry);
  }

  private readTable(offset: number): PdfDict {
    const lexer = new PdfLexer(this.bytes, offset);
    lexer.expect('xref');
    for (;;) {
      if (lexer.word(true) === 'trailer') break;
      const first = lexer.integer();
      const count = lexer.integer();
      for (let i = 0; i < count; i++) {
        const at = lexer.integer();
        lexer.integer();
        const type = lexer.word();
        if (type !== 'n' && type !== 'f') throw new PdfSyntaxError(`bad cross-reference entry type "${type}"`);
        this.add(first + i, type === 'n' ? { at: 'offset', offset: at } : 'free');
      }
    }
    lexer.expect('trailer');
    const trailer = lexer.value();
    if (!isDict(trailer)) throw new PdfSyntaxError('trailer is not a dictionary');
    return trailer;
  }

  private readStream(offset: number): PdfDict {
    const stream = this.objectAt(offset, null);
    if (!isStream(stream) || !isName(stream.dict.entries.get('Type'), 'XRef')) throw new PdfSyntaxError(`no cross-reference at byte ${offset}`);
    const dict = stream.dict;
    const widths = dict.entries.get('W');
    if (!Array.isArray(widths) || widths.length !== 3 || !widths.every((w) => typeof w === 'number' && w >= 0 && w <= 8)) throw new PdfSyntaxError('bad /W');
    const [w0, w1, w2] = widths as number[];
    const index = dict.entries.get('Index') ?? [0, dict.entries.get('Size') as number];
    if (!Array.isArray(index) || index.length % 2 !== 0 || !index.every((n) => typeof n === 'number')) throw new PdfSyntaxError('bad /Index');
    const data = decodeStream(this, stream);
    const field = (at: number, width: number, fallback: number): number => {
      if (width === 0) return fallback;
      let n = 0;
      for (let i = 0; i < width; i++) n = n * 256 + data[at + i]!;
      return n;
    };
    const row = w0! + w1! + w2!;
    let at = 0;
    for (let s = 0; s < index.length; s += 2) {
      const first = index[s] as number;
      for (let i = 0; i < (index[s + 1] as number); i++, at += row) {
        if (at + row > data.length) throw new PdfSyntaxError('cross-reference stream shorter than its /Index');
        const num = first + i;
        const type = field(at, w0!, 1);
        if (type === 1) this.add(num, { at: 'offset', offset: field(at + w0!, w1!, 0) });
        else if (type === 2) this.add(num, { at: 'stream', stream: field(at + w0!, w1!, 0), index: field(at + w0! + w1!, w2!, 0) });
        else if (type === 0) this.add(num, 'free');
      }
    }
    return dict;
  }

  private objectStream(num: number): { lexer: PdfLexer; offsets: Map<number, number> } {
    let cached = this.objectStreams.get(num);
    if (cached) return cached;
    const entry = this.entries.get(num);
    if (!entry || entry.at !== 'offset') throw new PdfSyntaxError(`object stream ${num} not found`);
    const stream = this.objectAt(entry.offset, { kind: 'ref', num, gen: 0 });
    if (!isStream(stream)) throw new PdfSyntaxError(`object ${num} is not an object stream`);
    const n = stream.dict.entries.get('N');
    const first = stream.dict.entries.get('First');
    if (typeof n !== 'number' || typeof first !== 'number') throw new PdfSyntaxError(`object stream ${num} without /N and /First`);
    const lexer = new PdfLexer(decodeStream(this, stream));
    const offsets = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const obj = lexer.integer();
      offsets.set(obj, first + lexer.integer());
    }
    cached = { lexer, offsets };
    this.objectStreams.set(num, cached);
    return cached;
  }
}

/** Decodes a stream's data: no filter or FlateDecode, with PNG predictors (as cross-reference streams use). */
function decodeStream(objects: PdfObjects, stream: PdfStream): Uint8Array {
  const filter = objects.resolve(stream.dict.entries.get('Filter'));
  const filters = (Array.isArray(filter) ? filter : filter === undefined ? [] : [filter]) as PdfValue[];
  if (filters.length === 0) return stream.data;
  if (filters.length > 1 || !isName(filters[0], 'FlateDecode')) throw new PdfSyntaxError('unsupported stream filter');
  let data: Uint8Array = inflateSync(stream.data);
  const params = objects.resolve(stream.dict.entries.get('DecodeParms'));
  const predictor = isDict(params) ? params.entries.get('Predictor') : undefined;
  if (typeof predictor === 'number' && predictor >= 10) data = unpredictPng(data, Number(isDict(params) ? (params.entries.get('Columns') ?? 1) : 1));
  else if (predictor !== undefined && predictor !== 1) throw new PdfSyntaxError(`unsupported predictor ${String(predictor)}`);
  return data;
}

/** Undoes PNG row predictors (one filter byte per row; bytes per pixel 1, as in cross-reference streams). */
function unpredictPng(data: Uint8Array, columns: number): Uint8Array {
  const rows = Math.floor(data.length / (columns + 1));
  const out = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (columns + 1)];
    for (let c = 0; c < columns; c++) {
      const x = data[r * (columns + 1) + 1 + c]!;
      const left = c > 0 ? out[r * columns + c - 1]! : 0;
      const up = r > 0 ? out[(r - 1) * columns + c]! : 0;
      const upLeft = r > 0 && c > 0 ? out[(r - 1) * columns + c - 1]! : 0;
      let v: number;
      if (type === 0) v = x;
      else if (type === 1) v = x + left;
      else if (type === 2) v = x + up;
      else if (type === 3) v = x + ((left + up) >> 1);
      else if (type === 4) v = x + paeth(left, up, upLeft);
      else throw new PdfSyntaxError(`bad PNG filter type ${String(type)}`);
      out[r * columns + c] = v & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Whether a value is a reference. */
export function isRef(v: PdfValue | undefined): v is PdfRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'ref';
}

/** Whether a value is a dictionary. */
export function isDict(v: PdfValue | undefined): v is PdfDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'dict';
}

/** Whether a value is a stream. */
export function isStream(v: PdfValue | undefined): v is PdfStream {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'stream';
}

/** Whether a value is the name `name`. */
export function isName(v: PdfValue | undefined, name: string): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'name' && v.name === name;
}
