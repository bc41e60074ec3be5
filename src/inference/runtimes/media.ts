/** The payload formats the in-process ONNX runtime reads and writes. */
export type Media = 'csv' | 'json';

export const MEDIA_TYPE: Record<Media, string> = { csv: 'text/csv', json: 'application/json' };

/** The bare, lower-cased media type of a Content-Type or Accept item (parameters such as charset dropped). */
function bare(value: string): string {
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

function mediaOfBare(type: string): Media | undefined {
  if (type === 'text/csv') return 'csv';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** Which format a request's Content-Type names, or undefined when the runtime cannot read it. */
export function requestMedia(contentType: string): Media | undefined {
  // The exact spellings clients send almost always; checked first so the hot path does no string work.
  if (contentType === 'text/csv') return 'csv';
  if (contentType === 'application/json') return 'json';
  return mediaOfBare(bare(contentType));
}

/**
 * The response format for an Accept header: the first listed type the runtime can write (wildcards match the
 * request's own format when they can), or undefined when none can be written. Absent or `*∕*` → the request's
 * format. q-values are not ranked: clients of model endpoints list one type, and order is a fair tie-break.
 */
export function responseMedia(accept: string | undefined, request: Media): Media | undefined {
  if (accept === undefined || accept === '' || accept === '*/*') return request;
  if (accept === 'text/csv') return 'csv';
  if (accept === 'application/json') return 'json';
  for (const item of accept.split(',')) {
    const type = bare(item);
    if (type === '' || type === '*/*') return request;
    const media = mediaOfBare(type);
    if (media) return media;
    if (type === 'text/*') return 'csv';
    if (type === 'application/*') return 'json';
  }
  return undefined;
}
