import { describe, expect, it } from 'vitest';
import {
  parseBoolean,
  parseErpId,
  parseItalianDate,
  parseItalianDateTime,
  parseItalianNumber,
  parseTracking,
  parseValue,
  ValueFormatError,
} from '../../src/parsers/values.js';

describe('Italian numbers', () => {
  it.each([
    ['1.234,56 €', 1234.56],
    ['2.112,7', 2112.7],
    ['6.732', 6732],
    ['21,49 %', 21.49],
    ['-45,5', -45.5],
    ['0,00 €', 0],
    ['105,6 €', 105.6],
    ['1.000.000,01 €', 1000000.01],
    ['€ 12,30', 12.3],
  ])('reads %s as %d', (text, value) => {
    expect(parseItalianNumber(text)).toBe(value);
  });

  it.each(['1,234.56', '12.34', 'abc', '1.23,4', '', '--1'])('rejects %s instead of guessing', (text) => {
    expect(() => parseItalianNumber(text)).toThrow(ValueFormatError);
  });

  it('keeps whole numbers whole and refuses fractions for int columns', () => {
    expect(parseValue('1.234', 'int')).toBe(1234);
    expect(() => parseValue('12,5', 'int')).toThrow(/whole number/);
  });
});

describe('dates and date-times', () => {
  it('turns dd/mm/yyyy into ISO dates', () => {
    expect(parseItalianDate('21/01/2026')).toBe('2026-01-21');
    expect(parseItalianDate('1/2/2026')).toBe('2026-02-01');
  });

  it('turns dd/mm/yyyy hh:mm:ss into local ISO date-times without a zone', () => {
    expect(parseItalianDateTime('20/01/2026 12:04:22')).toBe('2026-01-20T12:04:22');
    expect(parseItalianDateTime('05/11/2025 7:03')).toBe('2025-11-05T07:03:00');
  });

  it.each(['31/02/2026', '2026-01-20', '20/13/2026', '20/01/26'])('rejects %s', (text) => {
    expect(() => parseItalianDate(text)).toThrow(ValueFormatError);
  });

  it('rejects impossible times', () => {
    expect(() => parseItalianDateTime('20/01/2026 25:00:00')).toThrow(ValueFormatError);
  });
});

describe('checkboxes, ids and empty cells', () => {
  it('reads Checked/Unchecked and Sì/No', () => {
    expect(parseBoolean('Checked')).toBe(true);
    expect(parseBoolean('Unchecked')).toBe(false);
    expect(parseBoolean('Sì')).toBe(true);
    expect(parseBoolean('No')).toBe(false);
    expect(() => parseBoolean('Maybe')).toThrow(ValueFormatError);
  });

  it('keeps ERP ids as text with their thousands dot', () => {
    expect(parseErpId('71.567')).toBe('71.567');
    expect(parseErpId('999')).toBe('999');
    expect(() => parseErpId('ORD/26000887')).toThrow(ValueFormatError);
  });

  it('turns an empty cell into null for every type', () => {
    for (const type of ['text', 'id', 'int', 'number', 'money', 'percent', 'date', 'datetime', 'bool'] as const) {
      expect(parseValue('  ', type)).toBeNull();
    }
  });
});

describe('DDT tracking cells', () => {
  it('splits a FedEx anchor printed over three lines', () => {
    const cell = ['<a href = "https://www.fedex.com/fedextrack/?', 'trknbr=445291890750&locale=it_IT"', 'target="_blank">fedex 445291890750</a>'].join(' ');
    expect(parseTracking(cell)).toEqual({
      trackingCourier: 'FEDEX',
      trackingNumber: '445291890750',
      trackingUrl: 'https://www.fedex.com/fedextrack/?trknbr=445291890750&locale=it_IT',
    });
  });

  it('splits a UPS anchor whose link text wraps between courier and number', () => {
    const cell = ['<a href="https://www.ups.com/track?loc=it_IT', '&tracknum=1Z4V26Y86873288996" target="_blank">Ups', '1Z4V26Y86873288996</a>'].join(' ');
    expect(parseTracking(cell)).toEqual({
      trackingCourier: 'UPS',
      trackingNumber: '1Z4V26Y86873288996',
      trackingUrl: 'https://www.ups.com/track?loc=it_IT&tracknum=1Z4V26Y86873288996',
    });
  });

  it('reads an anchor whose href lost its closing quote', () => {
    const cell = '<a href = "https://www.fedex.com/fedextrack/? trknbr=445291890750&locale=it_IT target="_blank">fedex 445291890750</a>';
    expect(parseTracking(cell).trackingUrl).toBe('https://www.fedex.com/fedextrack/?trknbr=445291890750&locale=it_IT');
  });

  it('gives three nulls for an empty cell and a bare number for plain text', () => {
    expect(parseTracking('')).toEqual({ trackingCourier: null, trackingNumber: null, trackingUrl: null });
    expect(parseTracking('445291890750')).toEqual({ trackingCourier: null, trackingNumber: '445291890750', trackingUrl: null });
  });
});
