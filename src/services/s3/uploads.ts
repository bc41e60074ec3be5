import type { ListMultipartUploadsOutput, ListMultipartUploadsRequest, ListPartsOutput, ListPartsRequest, MultipartUpload } from './api.generated.js';
import { ownerOf, type S3 } from './context.js';
import { handlers } from './define.js';
import { s3Errors } from './errors.js';
import { urlEncode } from './listing.js';
import { compareKeys } from './names.js';
import { S3_SERVICE, listParts, loadBucket, loadUpload, objectId, type UploadDoc } from './store.js';
import { listEvery } from '../../state/list-every.js';

const MAX_LIST = 1000;

function limit(v: number | undefined, name: string): number {
  if (v === undefined) return MAX_LIST;
  if (!Number.isInteger(v) || v < 0) throw s3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, String(v));
  return Math.min(v, MAX_LIST);
}

async function listPartsOf(k: S3, i: ListPartsRequest): Promise<ListPartsOutput> {
  const b = await loadBucket(k, i.Bucket);
  const upload = await loadUpload(k, b, i.Key, i.UploadId);
  const max = limit(i.MaxParts, 'max-parts');
  const after = i.PartNumberMarker ?? 0;
  const rest = (await listParts(k, b, i.UploadId)).filter((p) => p.PartNumber > after);
  const page = rest.slice(0, max);
  const truncated = rest.length > page.length;
  const out: ListPartsOutput = {
    Bucket: b.Name, Key: i.Key, UploadId: i.UploadId, PartNumberMarker: after, MaxParts: max, IsTruncated: truncated,
    Parts: page.map((p) => ({ PartNumber: p.PartNumber, LastModified: new Date(p.LastModified), ETag: p.ETag, Size: p.Size })),
    Initiator: { ID: upload.InitiatorArn, DisplayName: upload.InitiatorAccount }, Owner: ownerOf(b.Owner), StorageClass: upload.StorageClass,
  };
  if (page.length) out.NextPartNumberMarker = page[page.length - 1].PartNumber;
  if (upload.ChecksumAlgorithm) out.ChecksumAlgorithm = upload.ChecksumAlgorithm;
  return out;
}

/** Uploads in progress, ordered by key then initiation time, as S3 lists them. Held in memory: uploads are few. */
async function allUploads(k: S3, owner: string, bucket: string): Promise<UploadDoc[]> {
  const out = (await listEvery<UploadDoc>(k.res, owner, S3_SERVICE, 'upload', { idPrefix: objectId(bucket, '') })).map((r) => r.doc);
  return out.sort((a, b) => compareKeys(a.Key, b.Key) || a.Initiated.localeCompare(b.Initiated) || a.UploadId.localeCompare(b.UploadId));
}

/** Past the markers: keys after KeyMarker, or with UploadIdMarker, later uploads of KeyMarker itself. */
function afterMarkers(u: UploadDoc, all: UploadDoc[], keyMarker?: string, uploadIdMarker?: string): boolean {
  if (!keyMarker) return true;
  const c = compareKeys(u.Key, keyMarker);
  if (c !== 0 || !uploadIdMarker) return c > 0;
  const markerAt = all.findIndex((x) => x.UploadId === uploadIdMarker);
  return markerAt >= 0 && all.indexOf(u) > markerAt;
}

async function listUploads(k: S3, i: ListMultipartUploadsRequest): Promise<ListMultipartUploadsOutput> {
  const b = await loadBucket(k, i.Bucket);
  const max = limit(i.MaxUploads, 'max-uploads');
  const prefix = i.Prefix ?? '';
  const all = await allUploads(k, b.Owner, b.Name);
  const uploads: MultipartUpload[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last: UploadDoc | undefined;
  for (const u of all) {
    if (!u.Key.startsWith(prefix) || !afterMarkers(u, all, i.KeyMarker, i.UploadIdMarker)) continue;
    const at = i.Delimiter ? u.Key.indexOf(i.Delimiter, prefix.length) : -1;
    const cp = at >= 0 ? u.Key.slice(0, at + i.Delimiter!.length) : undefined;
    if (cp !== undefined && prefixes.includes(cp)) continue;
    if (uploads.length + prefixes.length === max) {
      truncated = true;
      break;
    }
    if (cp !== undefined) prefixes.push(cp);
    else uploads.push({ UploadId: u.UploadId, Key: u.Key, Initiated: new Date(u.Initiated), StorageClass: u.StorageClass,
      Owner: ownerOf(b.Owner), Initiator: { ID: u.InitiatorArn, DisplayName: u.InitiatorAccount } });
    last = u;
  }
  const enc = i.EncodingType === 'url' ? urlEncode : (s: string) => s;
  const out: ListMultipartUploadsOutput = {
    Bucket: b.Name, KeyMarker: enc(i.KeyMarker ?? ''), UploadIdMarker: i.UploadIdMarker ?? '', Prefix: enc(prefix), MaxUploads: max,
    IsTruncated: truncated, Uploads: uploads.map((u) => ({ ...u, Key: enc(u.Key!) })),
  };
  if (prefixes.length) out.CommonPrefixes = prefixes.map((p) => ({ Prefix: enc(p) }));
  if (i.Delimiter) out.Delimiter = enc(i.Delimiter);
  if (i.EncodingType) out.EncodingType = i.EncodingType;
  if (truncated && last) {
    out.NextKeyMarker = enc(last.Key);
    out.NextUploadIdMarker = last.UploadId;
  }
  return out;
}

export function uploadListingHandlers(k: S3) {
  return handlers()({
    ListParts: { readOnly: true, handler: (i) => listPartsOf(k, i) },
    ListMultipartUploads: { readOnly: true, handler: (i) => listUploads(k, i) },
  });
}
