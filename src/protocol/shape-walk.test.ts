/**
 * The shared walker and scalar rules, plus the query/XML naming variants (flattened lists and maps, locationName)
 * that the six generated models do not exercise but SNS-style models will.
 */
import { describe, expect, it } from 'vitest';
import { protocols } from './index.js';
import { decodeBase64, parseTimestamp, setKey } from './scalars.js';
import type { ServiceModel } from './schema.js';
import { readStructure, writeStructure } from './shape-walk.js';
import type { HttpRequest } from './types.js';

const model: ServiceModel = {
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 'demo', protocol: 'query', serviceId: 'Demo', xmlNamespace: 'https://demo.example/doc/' },
  operations: {
    Put: { name: 'Put', http: { method: 'POST', requestUri: '/' }, input: { shape: 'PutInput' }, output: { shape: 'PutOutput', resultWrapper: 'PutResult' } },
  },
  shapes: {
    PutInput: { type: 'structure', members: {
      Flat: { shape: 'FlatList', flattened: true },
      Named: { shape: 'NamedList' },
      Attrs: { shape: 'Attrs' },
      FlatAttrs: { shape: 'FlatAttrs' },
      Renamed: { shape: 'Str', locationName: 'renamedParam' },
      When: { shape: 'Time' },
      Enabled: { shape: 'Bool' },
      Ratio: { shape: 'Double' },
    } },
    PutOutput: { type: 'structure', members: {
      Flat: { shape: 'FlatList', flattened: true }, Named: { shape: 'NamedList' }, Attrs: { shape: 'Attrs' }, FlatAttrs: { shape: 'FlatAttrs' },
      When: { shape: 'Time' }, Enabled: { shape: 'Bool' }, Ratio: { shape: 'Double' }, Data: { shape: 'Bytes' },
    } },
    FlatList: { type: 'list', member: { shape: 'Str', locationName: 'Item' } },
    NamedList: { type: 'list', member: { shape: 'Str', locationName: 'Entry' } },
    Attrs: { type: 'map', key: { shape: 'Str', locationName: 'Name' }, value: { shape: 'Str', locationName: 'Value' } },
    FlatAttrs: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' }, flattened: true },
    Str: { type: 'string' }, Time: { type: 'timestamp' }, Bool: { type: 'boolean' }, Double: { type: 'double' }, Bytes: { type: 'blob' },
  },
};

function form(body: string): HttpRequest {
  return { method: 'POST', path: '/', rawQuery: '', headers: {}, body: Buffer.from(body) };
}

describe('query naming variants', () => {
  it('decodes flattened lists (renamed by the element locationName), named members, maps and flattened maps', () => {
    const body = [
      'Item.1=a', 'Item.2=b', 'Named.Entry.1=x', 'Attrs.entry.1.Name=k1', 'Attrs.entry.1.Value=v1', 'Attrs.entry.2.Name=k2', 'Attrs.entry.2.Value=v2',
      'FlatAttrs.1.key=fk', 'FlatAttrs.1.value=fv', 'renamedParam=r', 'When=1563233313.359', 'Enabled=TRUE', 'Ratio=NaN',
    ].join('&');
    const input = protocols.awsQuery.decode(form(body), model, model.operations.Put);
    expect(input).toEqual({
      Flat: ['a', 'b'], Named: ['x'], Attrs: { k1: 'v1', k2: 'v2' }, FlatAttrs: { fk: 'fv' }, Renamed: 'r',
      When: new Date('2019-07-15T23:28:33.359Z'), Enabled: true, Ratio: NaN,
    });
  });

  it('writes the same variants as XML', () => {
    const out = { Flat: ['a', 'b'], Named: ['x'], Attrs: { k1: 'v1' }, FlatAttrs: { fk: 'fv' }, When: new Date(0), Enabled: true, Ratio: Infinity, Data: Buffer.from('hi') };
    const xml = String(protocols.awsQuery.encode(out, { requestId: 'r', model, operation: model.operations.Put }).body);
    expect(xml).toBe('<PutResponse xmlns="https://demo.example/doc/"><PutResult>'
      + '<Item>a</Item><Item>b</Item><Named><Entry>x</Entry></Named><Attrs><entry><Name>k1</Name><Value>v1</Value></entry></Attrs>'
      + '<FlatAttrs><key>fk</key><value>fv</value></FlatAttrs><When>1970-01-01T00:00:00.000Z</When><Enabled>true</Enabled>'
      + '<Ratio>Infinity</Ratio><Data>aGk=</Data></PutResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PutResponse>');
  });

  it('rejects text that is not a boolean or a timestamp', () => {
    expect(() => protocols.awsQuery.decode(form('Enabled=yes'), model, model.operations.Put)).toThrow(expect.objectContaining({ code: 'MalformedQueryString' }));
    expect(() => protocols.awsQuery.decode(form('When=1'.concat('x')), model, model.operations.Put)).toThrow(expect.objectContaining({ code: 'MalformedQueryString' }));
  });
});

describe('scalar rules', () => {
  it('parses the timestamp spellings clients use, and nothing V8 merely guesses at', () => {
    const t = new Date('2019-07-15T23:28:33.359Z').getTime();
    expect(parseTimestamp('2019-07-15T23:28:33.359000Z')?.getTime()).toBe(t);
    expect(parseTimestamp('2019-07-15T23:28:33.359Z')?.getTime()).toBe(t);
    expect(parseTimestamp('2019-07-16T01:28:33.359+02:00')?.getTime()).toBe(t);
    expect(parseTimestamp(1563233313.359)?.getTime()).toBe(t);
    expect(parseTimestamp('Mon, 15 Jul 2019 23:28:33 GMT')?.getTime()).toBe(t - 359);
    expect(parseTimestamp('July 15')).toBeUndefined();
    expect(parseTimestamp('2019-13-45T99:00:00Z')).toBeUndefined();
    expect(parseTimestamp(NaN)).toBeUndefined();
  });

  it('decodes base64 strictly', () => {
    expect(Buffer.from(decodeBase64('aGk=') ?? [])).toEqual(Buffer.from('hi'));
    expect(Buffer.from(decodeBase64('aGk') ?? [])).toEqual(Buffer.from('hi'));
    expect(decodeBase64('a')).toBeUndefined();
    expect(decodeBase64('a$b=')).toBeUndefined();
  });

  it('adds __proto__ as an own key', () => {
    const target: Record<string, unknown> = {};
    setKey(target, '__proto__', { evil: true });
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.keys(target)).toEqual(['__proto__']);
  });

  it('writes JSON and CBOR trees from lenient provider values, dropping unmodelled fields', () => {
    const value = { When: '2019-07-15T23:28:33.359Z', Enabled: 'true', Ratio: -Infinity, Data: 'hi', Secret: 'x', Attrs: new Map([['a', 'b']]) };
    expect(writeStructure({ model, format: 'json' }, 'PutOutput', value)).toEqual({ When: 1563233313.359, Enabled: true, Ratio: '-Infinity', Data: 'aGk=', Attrs: { a: 'b' } });
    const cbor = writeStructure({ model, format: 'cbor' }, 'PutOutput', value);
    expect(cbor.When).toEqual(new Date('2019-07-15T23:28:33.359Z'));
    expect(cbor.Data).toEqual(Buffer.from('hi'));
  });

  it('reads JSON numbers for doubles and the NaN/Infinity strings, but not other strings', () => {
    const opts = { model, format: 'json' as const, family: 'json' as const };
    expect(readStructure(opts, 'PutInput', { Ratio: 'Infinity' })).toEqual({ Ratio: Infinity });
    expect(() => readStructure(opts, 'PutInput', { Ratio: '1.5' })).toThrow('STRING_VALUE can not be converted to a Double');
    expect(() => readStructure(opts, 'PutInput', { Enabled: 'true' })).toThrow('STRING_VALUE can not be converted to a Boolean');
  });
});
