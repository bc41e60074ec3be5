import { describe, expect, it } from 'vitest';
import { conditionAllows as holds } from './test-helpers.js';
import { parseDate, parseNumber } from './values.js';

describe('Numeric operators', () => {
  const ctx = { 's3:max-keys': '10' };
  const cases: [string, string, boolean][] = [
    ['NumericEquals', '10', true], ['NumericEquals', '10.0', true], ['NumericEquals', '11', false],
    ['NumericNotEquals', '11', true], ['NumericNotEquals', '10', false],
    ['NumericLessThan', '11', true], ['NumericLessThan', '10', false],
    ['NumericLessThanEquals', '10', true], ['NumericLessThanEquals', '9.5', false],
    ['NumericGreaterThan', '9', true], ['NumericGreaterThan', '10', false],
    ['NumericGreaterThanEquals', '10', true], ['NumericGreaterThanEquals', '10.5', false],
  ];
  it.each(cases)('%s %s against 10 → %s', (op, value, expected) => {
    expect(holds({ [op]: { 's3:max-keys': value } }, ctx)).toBe(expected);
  });

  it('never matches a non-numeric context or policy value', () => {
    expect(holds({ NumericEquals: { 's3:max-keys': '0' } }, { 's3:max-keys': '' })).toBe(false);
    expect(holds({ NumericLessThan: { 's3:max-keys': '100' } }, { 's3:max-keys': 'ten' })).toBe(false);
    expect(holds({ NumericEquals: { 's3:max-keys': 'ten' } }, ctx)).toBe(false);
  });

  it('negated with several values holds only when none is equal', () => {
    expect(holds({ NumericNotEquals: { 's3:max-keys': ['1', '2'] } }, ctx)).toBe(true);
    expect(holds({ NumericNotEquals: { 's3:max-keys': ['1', '10'] } }, ctx)).toBe(false);
  });
});

describe('Date operators', () => {
  const now = { 'aws:CurrentTime': '2024-06-01T12:00:00Z', 'aws:EpochTime': '1717243200' };
  const cases: [string, string, boolean][] = [
    ['DateEquals', '2024-06-01T12:00:00Z', true], ['DateEquals', '2024-06-01T12:00:01Z', false],
    ['DateNotEquals', '2024-06-01T12:00:01Z', true], ['DateNotEquals', '2024-06-01T14:00:00+02:00', false],
    ['DateLessThan', '2024-06-02', true], ['DateLessThan', '2024-06-01T12:00:00Z', false],
    ['DateLessThanEquals', '2024-06-01T12:00:00Z', true], ['DateLessThanEquals', '2024-06-01T11:59:59Z', false],
    ['DateGreaterThan', '2024-01-01T00:00:00Z', true], ['DateGreaterThan', '2024-06-01T12:00:00.001Z', false],
    ['DateGreaterThanEquals', '1717243200', true], ['DateGreaterThanEquals', '1717243201', false],
  ];
  it.each(cases)('%s %s against aws:CurrentTime 2024-06-01T12:00Z → %s', (op, value, expected) => {
    expect(holds({ [op]: { 'aws:CurrentTime': value } }, now)).toBe(expected);
  });

  it('accepts epoch seconds on the context side', () => {
    expect(holds({ DateLessThan: { 'aws:EpochTime': '2024-06-01T12:00:01Z' } }, now)).toBe(true);
    expect(holds({ DateEquals: { 'aws:EpochTime': '2024-06-01T12:00:00Z' } }, now)).toBe(true);
  });

  it('reads times without a zone as UTC, and rejects non-dates', () => {
    expect(parseDate('2024-06-01T12:00:00')).toBe(Date.UTC(2024, 5, 1, 12));
    expect(parseDate('2024-06-01T12:00:00.5+0130')).toBe(Date.UTC(2024, 5, 1, 10, 30, 0, 500));
    expect(parseDate('June 1 2024')).toBeUndefined();
    expect(parseDate('2024-13-01')).toBeUndefined();
    expect(holds({ DateLessThan: { 'aws:CurrentTime': '2030-01-01' } }, { 'aws:CurrentTime': 'yesterday' })).toBe(false);
  });

  it('parses numbers strictly', () => {
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('-.5')).toBe(-0.5);
    expect(parseNumber('')).toBeUndefined();
    expect(parseNumber(' 1')).toBeUndefined();
    expect(parseNumber('0x10')).toBeUndefined();
  });
});

describe('IpAddress / NotIpAddress', () => {
  const v4 = { 'aws:SourceIp': '203.0.113.7' };
  const v6 = { 'aws:SourceIp': '2001:db8::1' };

  it('matches IPv4 CIDRs and bare addresses as /32', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, v4)).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '203.0.114.0/24' } }, v4)).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.7' } }, v4)).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.8' } }, v4)).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '203.0.113.0/28'] } }, v4)).toBe(true);
  });

  it('matches IPv6 CIDRs and bare addresses as /128', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, v6)).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db9::/32' } }, v6)).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:0db8:0000::1' } }, v6)).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '2001:db8::2' } }, v6)).toBe(false);
  });

  it('never matches across families, but treats IPv4-mapped IPv6 as IPv4', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, v6)).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '::/0' } }, v4)).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '::ffff:10.1.2.3' })).toBe(true);
  });

  it('NotIpAddress holds when outside every range', () => {
    expect(holds({ NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } }, v4)).toBe(true);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '203.0.113.0/24'] } }, v4)).toBe(false);
  });

  it('invalid addresses never match', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': 'not-an-ip' })).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.1/8' } }, { 'aws:SourceIp': '10.0.0.1' })).toBe(false);
  });
});

describe('BinaryEquals', () => {
  it('compares the decoded bytes', () => {
    const value = Buffer.from('binary\u0000data').toString('base64');
    expect(holds({ BinaryEquals: { 'kms:EncryptionContext:x': value } }, { 'kms:EncryptionContext:x': value })).toBe(true);
    expect(holds({ BinaryEquals: { 'kms:EncryptionContext:x': 'QQ==' } }, { 'kms:EncryptionContext:x': 'QQ' })).toBe(true);
    expect(holds({ BinaryEquals: { 'kms:EncryptionContext:x': 'QQ==' } }, { 'kms:EncryptionContext:x': 'Qg==' })).toBe(false);
    expect(holds({ BinaryEquals: { 'kms:EncryptionContext:x': 'QQ==' } }, {})).toBe(false);
  });
});
