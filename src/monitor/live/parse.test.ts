import { describe, expect, it, vi } from 'vitest';
import { formatRecord } from '../../capture/format.js';
import { captureFormat } from '../../capture/format.js';
import { decodeRecord } from '../inputs/capture.js';
import { requestRows } from './parse.js';
import { captureSettings, csv, json } from './testkit.js';

const s = captureSettings();

describe('requestRows', () => {
  it('reads CSV lines as positional rows _c0…', () => {
    expect(requestRows(s, csv('1,2.5,a\n3,,b\r\n'))).toEqual([{ _c0: '1', _c1: '2.5', _c2: 'a' }, { _c0: '3', _c1: null, _c2: 'b' }]);
    expect(requestRows(s, csv('1,2', 'text/csv; charset=utf-8'))).toEqual([{ _c0: '1', _c1: '2' }]);
  });

  it('reads the JSON forms the ONNX runtime accepts', () => {
    expect(requestRows(s, json({ instances: [[1, 2], [3, 4]] }))).toEqual([{ _c0: 1, _c1: 2 }, { _c0: 3, _c1: 4 }]);
    expect(requestRows(s, json([[1, 2], [3, 4]]))).toEqual([{ _c0: 1, _c1: 2 }, { _c0: 3, _c1: 4 }]);
    expect(requestRows(s, json([1, 2, 3]))).toEqual([{ _c0: 1, _c1: 2, _c2: 3 }]);
    // Objects keep their flattened keys, as the capture reader names them for a capture-based baseline.
    expect(requestRows(s, json({ instances: [{ features: [1, 2] }] }))).toEqual([{ 'features.0': 1, 'features.1': 2 }]);
  });

  it('decodes unlisted CSV/JSON media types as the capture reader decodes BASE64 records, and refuses the rest', () => {
    expect(requestRows(captureSettings({ csvContentTypes: [] }), csv('1,2'))).toEqual([{ _c0: '1', _c1: '2' }]);
    expect(() => requestRows(s, csv('1,2', 'application/octet-stream'))).toThrow(/neither CSV nor JSON/);
    expect(() => requestRows(s, csv('{', 'application/json'))).toThrow();
  });

  it('refuses a body of a type that is neither CSV nor JSON before base64-encoding it', () => {
    const req = csv('\u0000\u0001binary', 'image/png');
    const toString = vi.spyOn(req.body, 'toString');
    expect(() => requestRows(s, req)).toThrow(/neither CSV nor JSON/);
    expect(toString).not.toHaveBeenCalled();
    // Unlisted CSV/JSON-like types are still encoded and decoded as the capture reader does.
    const jsonl = { body: Buffer.from('{"a":1}\n{"a":2}\n'), contentType: 'application/jsonlines' };
    expect(requestRows(s, jsonl)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('names features exactly as a rescan of the captured record does', () => {
    const reqs = [csv('5,x,,7.25\n1,y,2,3'), csv('\r\n1,,\r\n\n,2\n'), csv('"a,b",c\n1,2'), csv(Array.from({ length: 1100 }, (_, i) => i).join(',')), json({ instances: [[1, 'a'], [2, 'b']] }), json({ instances: [{ a: { b: 1 }, c: [2, 3] }] }), json([0.5, 1.5])];
    for (const req of reqs) {
      const line = formatRecord(captureFormat(s), req, undefined, { eventId: 'e', inferenceTime: new Date(0) })!;
      expect(requestRows(s, req)).toEqual(decodeRecord(JSON.parse(line) as Record<string, unknown>, 'omit'));
    }
  });
});
