import { captureFormat, encodingFor, type CaptureFormat } from '../../capture/format.js';
import type { CaptureSettings, InvokeRequest } from '../../inference/types.js';
import { decodeRecord } from '../inputs/capture.js';
import { base64Readable } from '../inputs/payload.js';
import { rowFactory, type RowFactory } from '../inputs/row-factory.js';
import type { Row } from '../inputs/types.js';

/** captureFormat() lower-cases the content-type lists: once per deployment snapshot, not per request. */
const formats = new WeakMap<CaptureSettings, CaptureFormat>();

function formatOf(s: CaptureSettings): CaptureFormat {
  let f = formats.get(s);
  if (!f) {
    f = captureFormat(s);
    formats.set(s, f);
  }
  return f;
}

/**
 * The feature rows a capture-based monitoring job would read from this request's captured input.
 *
 * Live profiles stand in for rescanning capture files, so they must name features exactly as that rescan does:
 * the request is dressed as the endpointInput payload the capture writer would write (same CSV/JSON/BASE64
 * choice from the endpoint's CaptureContentTypeHeader) and decoded by the capture reader itself
 * (inputs/capture.ts decodeRecord). CSV and JSON arrays give `_c0…`, `{"instances": [...]}` one row per
 * instance, JSON objects their flattened keys. Throws when the body cannot be decoded (the rescan would count
 * the record as malformed), or is of a media type that is neither CSV nor JSON (not encoded first).
 */
export function requestRows(settings: CaptureSettings, req: InvokeRequest): Row[] {
  const encoding = encodingFor(req.contentType, formatOf(settings));
  if (encoding === 'CSV') {
    const text = req.body.toString('utf8');
    if (!text.includes('"')) return plainCsvRows(text);
  }
  // BASE64 is what the writer stores for unlisted types; the reader only decodes it for CSV/JSON media types, so
  // other bodies (images, protobuf, …) are refused before base64-encoding them for nothing.
  if (encoding === 'BASE64' && !base64Readable(req.contentType)) throw new Error(`request of content type '${req.contentType}' is neither CSV nor JSON`);
  const data = encoding === 'BASE64' ? req.body.toString('base64') : req.body.toString('utf8');
  const endpointInput = { observedContentType: req.contentType, mode: 'INPUT', data, encoding };
  return decodeRecord({ captureData: { endpointInput } }, 'omit');
}

/** Positional row builders by width (`_c0…_c{n-1}`), made on first use; wider rows take the general path. */
const factories: RowFactory[] = [];
const MAX_FAST_WIDTH = 1024;

/**
 * The hot path's common case, CSV without quotes, at a third of the general path's cost (no payload object,
 * no per-cell computed keys). Same rules as the capture reader's unquoted CSV (payload.ts): lines split on `\n`,
 * a trailing `\r` dropped, empty lines skipped, cells split on `,`, an empty cell is null. The equality with
 * decodeRecord is pinned by parse.test.ts.
 */
function plainCsvRows(text: string): Row[] {
  const out: Row[] = [];
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0) continue;
    const cells = line.split(',');
    const n = cells.length;
    if (n > MAX_FAST_WIDTH) {
      out.push(...decodeRecord({ captureData: { endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: line, encoding: 'CSV' } } }, 'omit'));
      continue;
    }
    let make = factories[n];
    if (make === undefined) make = factories[n] = rowFactory(Array.from({ length: n }, (_, i) => `_c${i}`));
    out.push(make(cells));
  }
  return out;
}
