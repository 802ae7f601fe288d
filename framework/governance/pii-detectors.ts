/** The kinds of personal data the scanner recognises in a value. */
export type PiiKind = 'email' | 'phone' | 'card_number' | 'iban' | 'person_name';

export const PII_KINDS: readonly PiiKind[] = ['email', 'phone', 'card_number', 'iban', 'person_name'];

const EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
// NOTE: a phone number has a separator or a leading + or ( — a bare run of digits is an id, not a phone.
const PHONE = /^(\+|00)?[\d\s().-]{7,20}(\s*(x|ext\.?)\s*\d{1,6})?$/i;
const CARD = /^\d(?:[ -]?\d){12,18}$/;
const IBAN = /^[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}$/;

/** Whether `digits` passes the Luhn checksum (payment card numbers). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Whether `iban` (no spaces, upper case) passes the ISO 13616 mod-97 check. */
export function ibanValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const digit of digits) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

function phone(value: string): boolean {
  if (!PHONE.test(value)) return false;
  const main = value.replace(/\s*(x|ext\.?)\s*\d+$/i, '');
  const digits = main.replace(/\D/g, '');
  const groups = main.split(/[^\d]+/).filter(Boolean).length;
  // NOTE: a phone number has separators (a bare run of digits is an id) in at most 4 groups (an
  // ISBN has 5); dates, IPv4 addresses and decimal numbers are digit groups too.
  if (!/[\s().+-]/.test(main) && !/^\d{3}\.\d{3}\.\d{4}$/.test(main)) return false;
  if (/^\d{4}-\d{2}-\d{2}/.test(main) || /^\d{1,3}(\.\d{1,3}){3}$/.test(main)) return false;
  return groups >= 2 && groups <= 4 && digits.length >= 9 && digits.length <= 15;
}

/** Issuer prefixes of the major card networks (Visa, Mastercard, Amex, Discover, JCB, Diners). */
const CARD_PREFIX = /^(4|5[1-5]|2[2-7]|3[47]|6011|65|35|3[068])/;

/** Honorifics and suffixes around a name (Dr., Ms., Jr., III, DDS …), left out before matching. */
const TITLES = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'dr',
  'prof',
  'jr',
  'sr',
  'i',
  'ii',
  'iii',
  'iv',
  'v',
  'md',
  'dds',
  'phd',
  'dvm',
]);

/**
 * Recognises person names as two to three words of which the first is a known first name and the
 * last a known last name (or "Last, First"), from a vocabulary such as the simulator's.
 */
export class NameVocabulary {
  private readonly first: Set<string>;
  private readonly last: Set<string>;

  constructor(firstNames: Iterable<string>, lastNames: Iterable<string>) {
    this.first = new Set([...firstNames].map((n) => n.toLowerCase()));
    this.last = new Set([...lastNames].map((n) => n.toLowerCase()));
  }

  isName(value: string): boolean {
    const comma = /^([^,]+),\s*(.+)$/.exec(value);
    const words = (comma ? `${comma[2]} ${comma[1]}` : value)
      .replace(/"[^"]*"/g, ' ')
      .split(/\s+/)
      .filter((w) => w && !TITLES.has(w.replace(/\.$/, '').toLowerCase()));
    if (words.length < 2 || words.length > 3) return false;
    if (!words.every((w) => /^[A-Z][a-zA-Z'-]+$/.test(w))) return false;
    const lastParts = words[words.length - 1].toLowerCase().split('-');
    return this.first.has(words[0].toLowerCase()) && lastParts.some((part) => this.last.has(part));
  }
}

/**
 * The kind of personal data `value` is, or undefined. Card numbers must pass Luhn and IBANs mod-97,
 * so order ids and SKUs of the right length are not taken for them.
 *
 * @example
 * detectPii('ada@example.com', names); // 'email'
 * detectPii('4111 1111 1111 1111', names); // 'card_number'
 */
export function detectPii(value: string, names?: NameVocabulary): PiiKind | undefined {
  const v = value.trim();
  if (v.length < 5 || v.length > 64) return undefined;
  if (v.includes('@')) return EMAIL.test(v) ? 'email' : undefined;
  if (CARD.test(v)) {
    // NOTE: a network's prefix and the Luhn checksum: one random id in twenty or so passes both,
    // so a column of ids stays far below the share that flags a column.
    const digits = v.replace(/\D/g, '');
    if (CARD_PREFIX.test(digits) && luhnValid(digits)) return 'card_number';
  }
  const compact = v.replace(/ /g, '').toUpperCase();
  if (IBAN.test(v.toUpperCase()) && ibanValid(compact)) return 'iban';
  if (phone(v)) return 'phone';
  if (names?.isName(v)) return 'person_name';
  return undefined;
}

/** What a column's sampled values hold. */
export interface ColumnFinding {
  column: string;
  kind: PiiKind;
  matches: number;
  sampled: number;
}

/**
 * The kind of personal data a column holds, judged from a sample of its values: the most frequent
 * kind when at least `minShare` of the non-empty values (and at least `minMatches` of them) are of
 * it — so one stray address in a free-text column is not enough, a column of them is.
 *
 * @example
 * classifySample('contact', ['ada@example.com', 'bob@example.org'], names); // { kind: 'email', matches: 2, … }
 */
export function classifySample(
  column: string,
  values: readonly unknown[],
  names?: NameVocabulary,
  options: { minShare?: number; minMatches?: number } = {},
): ColumnFinding | undefined {
  const minShare = options.minShare ?? 0.2;
  const minMatches = options.minMatches ?? 3;
  const counts = new Map<PiiKind, number>();
  let sampled = 0;
  for (const value of values) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    sampled++;
    const kind = detectPii(value, names);
    if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  if (!best || sampled === 0) return undefined;
  const [kind, matches] = best;
  return matches >= minMatches && matches / sampled >= minShare
    ? { column, kind, matches, sampled }
    : undefined;
}
