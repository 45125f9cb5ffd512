/**
 * Italian tax identifiers with valid check characters, so that generated customers pass the same
 * plausibility checks real ones do (an app validating a VAT number must not reject a fixture).
 */
import type { Random } from './random.js';

/** The check digit of an 11-digit Italian VAT number (partita IVA) over its first 10 digits. */
export function vatCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(first10[i]);
    if (i % 2 === 0) sum += d;
    else sum += d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return (10 - (sum % 10)) % 10;
}

/** A valid 11-digit VAT number: 7-digit serial (leading `0`), provincial office code, check digit. */
export function vatNumber(random: Random): string {
  const serial = `0${random.digits(6)}`;
  const office = String(random.int(1, 100)).padStart(3, '0');
  const first10 = serial + office;
  return first10 + String(vatCheckDigit(first10));
}

const MONTH_LETTERS = 'ABCDEHLMPRST';
const ODD_VALUES: Readonly<Record<string, number>> = {
  '0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18, N: 20, O: 11,
  P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

/** The check letter of a 15-character fiscal code prefix. */
export function fiscalCodeCheck(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = first15[i] as string;
    if (i % 2 === 0) sum += ODD_VALUES[c] ?? 0;
    else sum += /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
  }
  return String.fromCharCode(65 + (sum % 26));
}

function letters(text: string): { consonants: string; vowels: string } {
  const plain = text.normalize('NFD').replace(/[^A-Za-z]/g, '').toUpperCase();
  return { consonants: plain.replace(/[AEIOU]/g, ''), vowels: plain.replace(/[^AEIOU]/g, '') };
}

function surnameCode(surname: string): string {
  const { consonants, vowels } = letters(surname);
  return (consonants + vowels + 'XXX').slice(0, 3);
}

function nameCode(name: string): string {
  const { consonants, vowels } = letters(name);
  if (consonants.length >= 4) return `${consonants[0]}${consonants[2]}${consonants[3]}`;
  return (consonants + vowels + 'XXX').slice(0, 3);
}

/** The person a fiscal code is computed for. */
export interface FiscalPerson {
  surname: string;
  name: string;
  female: boolean;
  birthDate: string;
  /** Cadastral code of the birthplace. */
  cadastral: string;
}

/** A valid 16-character fiscal code (codice fiscale) for a person. */
export function fiscalCode(person: FiscalPerson): string {
  const [year = '', month = '', day = ''] = person.birthDate.split('-');
  const dayCode = String(Number(day) + (person.female ? 40 : 0)).padStart(2, '0');
  const first15 = `${surnameCode(person.surname)}${nameCode(person.name)}${year.slice(2)}${MONTH_LETTERS[Number(month) - 1]}${dayCode}${person.cadastral}`;
  return first15 + fiscalCodeCheck(first15);
}

const SDI_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

/** A 7-character SDI recipient code (electronic invoicing). */
export function sdiCode(random: Random): string {
  let out = '';
  for (let i = 0; i < 7; i++) out += SDI_CHARS[random.int(0, SDI_CHARS.length - 1)];
  return out;
}
