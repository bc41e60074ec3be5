import { describe, expect, it } from 'vitest';
import { Kind, classifyRange, classifyString, classifyStringByRegex, determineType, parsed, safeTerminator } from './type-inference.js';

const name = (k: Kind): string => ['Unknown', 'Fractional', 'Integral', 'Boolean', 'String'][k];

describe('classifyString equals the Deequ regexes', () => {
  const cases: [string, string][] = [
    ['0', 'Integral'], ['42', 'Integral'], ['-7', 'Integral'], ['+7', 'Integral'], ['- 7', 'Integral'], [' 7', 'Integral'],
    ['007', 'Integral'], ['12345678901234567890', 'Integral'],
    ['1.0', 'Fractional'], ['-0.5', 'Fractional'], ['3.14159', 'Fractional'], ['1e5', 'Fractional'], ['1E-5', 'Fractional'],
    ['2.5e+10', 'Fractional'], ['+ 1.5', 'Fractional'], ['6.02214076E23', 'Fractional'],
    ['true', 'Boolean'], ['false', 'Boolean'],
    ['True', 'String'], ['TRUE', 'String'], ['1.', 'String'], ['.5', 'String'], ['1e', 'String'], ['1e+', 'String'],
    ['1.e5', 'String'], ['7 ', 'String'], ['  7', 'String'], ['--7', 'String'], ['-', 'String'], ['+', 'String'], [' ', 'String'],
    ['NaN', 'String'], ['Infinity', 'String'], ['0x1F', 'String'], ['1,000', 'String'], ['١٢', 'String'], ['1_000', 'String'],
    ['abc', 'String'], ['7\n', 'String'], ['true ', 'String'], [' true', 'String'], ['1.5.2', 'String'], ['1e5.5', 'String'],
  ];
  it.each(cases)('%j is %s', (s, expected) => {
    expect(name(classifyString(s))).toBe(expected);
    expect(name(classifyStringByRegex(s))).toBe(expected);
  });

  it('agrees with the regexes on 200k random strings over the relevant alphabet', () => {
    const alphabet = '0123456789+-. eEtrufalsx';
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let t = 0; t < 200_000; t++) {
      const len = 1 + rnd(8);
      let s = '';
      for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
      const k = classifyString(s);
      expect(k, JSON.stringify(s)).toBe(classifyStringByRegex(s));
      if (k === Kind.Integral || k === Kind.Fractional) {
        const expected = Number(s.replace(/^([-+]) /, '$1'));
        expect(Object.is(parsed.value, expected), `${JSON.stringify(s)} → ${parsed.value} vs ${expected}`).toBe(true);
      }
    }
  });

  it('parses numbers exactly as a correctly rounded parser (Java Double.parseDouble)', () => {
    const samples = ['0.1', '0.3', '123.456', '9007199254740993', '1.7976931348623157e308', '4.9e-324', '2.2250738585072014E-308',
      '0.000000000000000000000000001', '123456789012345.6', '1234567890123456.7', '-0', '-0.0', '1e22', '1e23', '8.589973e9'];
    for (const s of samples) {
      classifyString(s);
      expect(Object.is(parsed.value, Number(s)), s).toBe(true);
    }
    for (let i = 0; i < 100_000; i++) {
      const x = (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 30 - 15);
      for (const s of [String(x), x.toFixed(Math.floor(Math.random() * 10)), x.toExponential(Math.floor(Math.random() * 17))]) {
        const k = classifyString(s);
        if (k === Kind.Fractional || k === Kind.Integral) expect(parsed.value, s).toBe(Number(s));
      }
    }
  });
});

describe('classifyRange (cells classified in place in a line)', () => {
  it('equals classifyString on the cell, whatever precedes it and whichever safe terminator follows it', () => {
    const cells = ['0', '-7', '- 7', '1.5', '1e5', '2.5e+10', '1.', '1e', 'true', 'false', 'tru', 'falsey', 'NaN', 'abc', '+', '-', '12345678901234567890', '6.02214076E23', '7 '];
    for (const cell of cells) {
      for (const [before, after] of [['', ''], ['9,', ',9'], ['x,', '\r\n5'], ['1', '\n1'], ['true', ';true'], ['', '\t.5']]) {
        const line = before + cell + after;
        const k = classifyRange(line, before.length, before.length + cell.length);
        const v = parsed.value;
        expect(name(k), JSON.stringify(line)).toBe(name(classifyString(cell)));
        expect(name(k), JSON.stringify(line)).toBe(name(classifyStringByRegex(cell)));
        if (k === Kind.Integral || k === Kind.Fractional) expect(v, cell).toBe(Number(cell.replace(/^([-+]) /, '$1')));
      }
    }
  });
});

describe('safeTerminator', () => {
  it('rejects exactly the characters the number grammar can continue with', () => {
    for (const ch of '0123456789.eE+- ') expect(safeTerminator(ch), ch).toBe(false);
    for (const ch of [',', ';', '\t', '|', '\r', '\n', 'x']) expect(safeTerminator(ch), ch).toBe(true);
  });
});

describe('determineType (Deequ precedence)', () => {
  const t = (unknown: number, fractional: number, integral: number, boolean: number, string: number): string =>
    determineType({ unknown, fractional, integral, boolean, string });
  it('decides columns as Deequ does', () => {
    expect(t(0, 0, 0, 0, 0)).toBe('Unknown');
    expect(t(5, 0, 0, 0, 0)).toBe('Unknown');
    expect(t(5, 0, 3, 0, 0)).toBe('Integral');
    expect(t(0, 1, 99, 0, 0)).toBe('Fractional');
    expect(t(0, 0, 0, 4, 0)).toBe('Boolean');
    expect(t(0, 0, 1, 4, 0)).toBe('String');
    expect(t(0, 1, 0, 4, 0)).toBe('String');
    expect(t(0, 50, 50, 0, 1)).toBe('String');
    expect(t(9, 0, 0, 0, 1)).toBe('String');
  });
});
