import { inflateSync } from 'node:zlib';
import { isName, isRef, PdfLexer, type PdfValue } from './pdf-objects.js';

/**
 * Finds damaged compressed streams before pdf.js reads them. pdf.js inflates `FlateDecode` data without
 * checking it (no Adler-32 check, garbage decoded until it stops making sense), so a page whose content
 * stream was damaged in transit reads as a page with some cells empty or text in the wrong cells, and
 * the row counts still agree (found by the readers' fuzz test). zlib checks the data: every compressed
 * stream of the file is inflated once here and the file is refused when one fails.
 *
 * The file is scanned for `n g obj` headers rather than read through its cross-reference table, so that
 * this works on files whose table pdf.js would have to rebuild. An encrypted file's streams are
 * compressed, then encrypted: they cannot be inflated before they are decrypted, so such a file is left
 * to pdf.js, which asks for the password (and the export is refused) or decrypts it.
 */

const OBJECT_HEADER = /(\d+)\s+(\d+)\s+obj\b/g;
/** A trailer's `/Encrypt` entry (a reference or a direct dictionary). */
const ENCRYPT_ENTRY = /\/Encrypt\s*(\d+\s+\d+\s+R|<<)/;

/** Describes the first damaged compressed stream, or returns null when all inflate cleanly. */
export function damagedStreamProblem(bytes: Uint8Array): string | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (ENCRYPT_ENTRY.test(text)) return null;
  for (const match of text.matchAll(OBJECT_HEADER)) {
    const lexer = new PdfLexer(bytes, match.index + match[0].length);
    const data = flateData(lexer, text);
    if (!data) continue;
    try {
      inflateSync(data);
    } catch (err) {
      return `the compressed stream of object ${match[1]} ${match[2]} is damaged (${(err as Error).message})`;
    }
  }
  return null;
}

/** The data of a FlateDecode stream starting at the lexer, or null for anything else (or unreadable). */
function flateData(lexer: PdfLexer, text: string): Uint8Array | null {
  let dict: PdfValue;
  try {
    dict = lexer.value();
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict) || dict.kind !== 'dict' || lexer.word(true) !== 'stream') return null;
  } catch {
    return null; // not an object this reader can parse: binary data that happened to look like a header
  }
  const filter = dict.entries.get('Filter');
  const filters = Array.isArray(filter) ? filter : [filter];
  if (filters.length !== 1 || !isName(filters[0], 'FlateDecode')) return null;
  lexer.word();
  let start = lexer.pos;
  if (lexer.bytes[start] === 0x0d) start++;
  if (lexer.bytes[start] === 0x0a) start++;
  const length = dict.entries.get('Length');
  // An indirect /Length would need the cross-reference table: the data then ends at `endstream`.
  const end = typeof length === 'number' && !isRef(length) ? start + length : text.indexOf('endstream', start);
  if (end < start || end > lexer.bytes.length) return lexer.bytes.subarray(start);
  return lexer.bytes.subarray(start, end);
}
