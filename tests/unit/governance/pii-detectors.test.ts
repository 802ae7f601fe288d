import { describe, expect, it } from 'vitest';
import { simulatorNameVocabulary } from '../../../assets/raw/simulator/name-vocabulary.js';
import { classifySample, detectPii, ibanValid, luhnValid } from '../../../framework/index.js';
import { piiCorpus } from '../../fixtures/pii-corpus.js';
import { scorePiiScanner } from '../../fixtures/pii-scores.js';

const names = simulatorNameVocabulary();

describe('checksums', () => {
  it('Luhn accepts card numbers and rejects one changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true);
  });

  it('mod-97 accepts IBANs and rejects one changed digit', () => {
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
  });
});

describe('detectPii', () => {
  it.each([
    ['ada@example.com', 'email'],
    ['+44 20 7946 0958', 'phone'],
    ['(555) 123-4567', 'phone'],
    ['1-800-595-4168 x37925', 'phone'],
    ['4111 1111 1111 1111', 'card_number'],
    ['4111-1111-1111-1111', 'card_number'],
    ['GB82 WEST 1234 5698 7654 32', 'iban'],
    ['Ada Smith', 'person_name'],
    ['Smith, Ada', 'person_name'],
    ['Dr. Ada Smith-Jones Jr.', 'person_name'],
  ])('%s is %s', (value, kind) => {
    expect(detectPii(value, names)).toBe(kind);
  });

  it.each([
    '978-1-7312-3509-1', // an ISBN: five digit groups
    '192.168.100.200', // an IPv4 address
    '2024-01-05T10:00:00.000Z',
    '4111111111111112', // fails Luhn
    'GB82WEST12345698765433', // fails mod-97
    '1234.56',
    'Handcrafted Granite Chair',
    'Kuhn and Sons',
    'not an @ address',
  ])('%s is no personal data', (value) => {
    expect(detectPii(value, names)).toBeUndefined();
  });
});

describe('classifySample', () => {
  it('flags a column when a fifth of its values (3 or more) are of one kind, not for one stray value', () => {
    const emails = ['a@x.io', 'b@y.io', 'c@z.io', 'red', 'blue'];
    expect(classifySample('contact', emails, names)).toEqual({
      column: 'contact',
      kind: 'email',
      matches: 3,
      sampled: 5,
    });
    const notes = ['write to a@x.io', ...Array.from({ length: 30 }, (_, i) => `note ${i}`), 'a@x.io'];
    expect(classifySample('notes', notes, names)).toBeUndefined();
    expect(classifySample('empty', [null, '', undefined], names)).toBeUndefined();
  });
});

describe('precision and recall on a seeded labelled corpus', () => {
  it.each([1, 2, 3])(
    'seed %i: every column labelled right; values at ≥ 0.95 precision and recall',
    (seed) => {
      const { columns, values } = scorePiiScanner(piiCorpus(seed, 3, 200), names);
      expect(columns.all.precision).toBe(1);
      expect(columns.all.recall).toBe(1);
      for (const score of Object.values(values)) {
        expect(score.precision).toBeGreaterThanOrEqual(0.95);
        expect(score.recall).toBeGreaterThanOrEqual(0.95);
      }
    },
  );
});
