/**
 * Cuts a botocore model down to what the protocols and validation use (principle 3): documentation, examples,
 * deprecation notes and SDK-only hints are dropped so the generated files stay small and stable.
 */
import type { Member, OperationModel, ServiceMetadata, ServiceModel, Shape } from '../src/protocol/schema.js';
import type { RawModel, RawObject } from './botocore.js';

const METADATA_KEYS = [
  'apiVersion', 'endpointPrefix', 'protocol', 'protocols', 'jsonVersion', 'targetPrefix', 'signingName', 'serviceId',
  'xmlNamespace', 'awsQueryCompatible',
] as const;

const MEMBER_KEYS = [
  'shape', 'locationName', 'location', 'queryName', 'xmlAttribute', 'xmlNamespace', 'flattened', 'jsonvalue',
  'idempotencyToken', 'timestampFormat', 'hostLabel', 'eventpayload',
] as const;

const SHAPE_KEYS_COMMON = ['type', 'min', 'max', 'sensitive', 'locationName'] as const;

/** Per-type keys beyond the common ones; members/key/value/member are handled separately. */
const SHAPE_KEYS_BY_TYPE: Record<string, readonly string[]> = {
  structure: ['required', 'payload', 'error', 'exception', 'fault', 'document', 'union', 'xmlNamespace'],
  list: ['flattened'],
  map: ['flattened'],
  string: ['enum', 'pattern'],
  timestamp: ['timestampFormat'],
  blob: ['streaming', 'requiresLength'],
};

/** Scalar types botocore uses; `character`/`byte`/`short` never appear in the services we generate. */
const KNOWN_TYPES = new Set(['structure', 'list', 'map', 'string', 'integer', 'long', 'float', 'double', 'bigdecimal',
  'boolean', 'timestamp', 'blob']);

function pick(source: RawObject, keys: readonly string[]): RawObject {
  const out: RawObject = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

function trimMember(member: unknown): Member {
  return pick(member as RawObject, MEMBER_KEYS) as unknown as Member;
}

function trimShape(name: string, raw: RawObject): Shape {
  const type = String(raw.type);
  if (!KNOWN_TYPES.has(type)) throw new Error(`shape ${name} has unsupported type ${type}`);
  const out = pick(raw, [...SHAPE_KEYS_COMMON, ...(SHAPE_KEYS_BY_TYPE[type] ?? [])]);
  if (type === 'structure') {
    const members = (raw.members ?? {}) as Record<string, unknown>;
    out.members = Object.fromEntries(Object.entries(members).map(([k, m]) => [k, trimMember(m)]));
  }
  if (type === 'list') out.member = trimMember(raw.member);
  if (type === 'map') {
    out.key = trimMember(raw.key);
    out.value = trimMember(raw.value);
  }
  return out as unknown as Shape;
}

function trimOperation(raw: RawObject): OperationModel {
  const op = pick(raw, ['name', 'authtype']);
  op.http = pick(raw.http as RawObject, ['method', 'requestUri', 'responseCode']);
  if (raw.input) op.input = pick(raw.input as RawObject, ['shape', 'locationName', 'xmlNamespace']);
  if (raw.output) op.output = pick(raw.output as RawObject, ['shape', 'resultWrapper']);
  const errors = raw.errors as RawObject[] | undefined;
  if (errors?.length) op.errors = errors.map((e) => pick(e, ['shape']));
  return op as unknown as OperationModel;
}

/**
 * The trimmed model; `overrides` patch metadata the pinned botocore predates, `shapeOverrides` patch shapes
 * (see patches.ts).
 */
export function trimModel(raw: RawModel, overrides: Partial<ServiceMetadata> = {}, shapeOverrides: Record<string, Partial<Shape>> = {}): ServiceModel {
  const metadata = { ...pick(raw.metadata, METADATA_KEYS), ...overrides } as unknown as ServiceMetadata;
  const operations = Object.fromEntries(Object.entries(raw.operations).map(([k, op]) => [k, trimOperation(op)]));
  const shapes = Object.fromEntries(Object.entries(raw.shapes).map(([k, s]) => [k, trimShape(k, s)]));
  markStreamingShapes(raw, shapes);
  for (const [name, patch] of Object.entries(shapeOverrides)) {
    if (!shapes[name]) throw new Error(`shape override for unknown shape ${name}`);
    shapes[name] = { ...shapes[name], ...patch } as Shape;
  }
  return { metadata, operations, shapes };
}

/**
 * Older botocore models (S3 in 1.29) put `streaming` on the payload member rather than on its blob shape, as newer
 * ones and Smithy do. Our Member has no such flag, so it moves to the shape; every member of S3's `Body` shape is
 * streaming (apart from SelectObjectContent's event payload, an event stream we do not serve), and a shape shared
 * with another non-streaming member is refused rather than silently mis-typed.
 */
function markStreamingShapes(raw: RawModel, shapes: Record<string, Shape>): void {
  const streaming = new Set<string>();
  const plain = new Set<string>();
  for (const shape of Object.values(raw.shapes)) {
    for (const member of Object.values((shape.members ?? {}) as Record<string, RawObject>)) {
      if (member.eventpayload !== true) (member.streaming === true ? streaming : plain).add(String(member.shape));
    }
  }
  for (const name of streaming) {
    const shape = shapes[name];
    if (shape.type !== 'blob' || plain.has(name)) throw new Error(`streaming member shape ${name} is shared or not a blob`);
    shapes[name] = { ...shape, streaming: true };
  }
}
