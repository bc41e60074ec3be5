/**
 * The service-model vocabulary, as botocore spells it (trimmed of documentation). codegen/ turns the
 * botocore JSON models into `services/<svc>/api.generated.ts` files that export a `ServiceModel`.
 */
export interface Member {
  shape: string;
  locationName?: string;
  location?: 'header' | 'headers' | 'uri' | 'querystring' | 'statusCode';
  queryName?: string;
  xmlAttribute?: boolean;
  xmlNamespace?: { uri: string; prefix?: string };
  flattened?: boolean;
  jsonvalue?: boolean;
  idempotencyToken?: boolean;
  timestampFormat?: string;
  hostLabel?: boolean;
  eventpayload?: boolean;
}

interface ShapeBase {
  min?: number;
  max?: number;
  sensitive?: boolean;
  locationName?: string;
}

export interface StructureShape extends ShapeBase {
  type: 'structure';
  members: Record<string, Member>;
  required?: string[];
  payload?: string;
  /** Error shapes: botocore's `error` trait (awsQueryError code, status, sender fault). */
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  exception?: boolean;
  fault?: boolean;
  document?: boolean;
  union?: boolean;
  xmlNamespace?: { uri: string; prefix?: string };
}
export interface ListShape extends ShapeBase { type: 'list'; member: Member; flattened?: boolean }
export interface MapShape extends ShapeBase { type: 'map'; key: Member; value: Member; flattened?: boolean }
export interface StringShape extends ShapeBase { type: 'string'; enum?: string[]; pattern?: string }
export interface NumberShape extends ShapeBase { type: 'integer' | 'long' | 'float' | 'double' | 'bigdecimal' }
export interface BooleanShape extends ShapeBase { type: 'boolean' }
export interface TimestampShape extends ShapeBase { type: 'timestamp'; timestampFormat?: string }
export interface BlobShape extends ShapeBase { type: 'blob'; streaming?: boolean; requiresLength?: boolean }

export type Shape = StructureShape | ListShape | MapShape | StringShape | NumberShape | BooleanShape | TimestampShape | BlobShape;

export interface OperationModel {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  /** `locationName`/`xmlNamespace`: the request root element of restXml operations (S3). */
  input?: { shape: string; locationName?: string; xmlNamespace?: { uri: string } };
  output?: { shape: string; resultWrapper?: string };
  errors?: { shape: string }[];
  /** botocore `authtype` (e.g. `none` for STS AssumeRoleWithWebIdentity, `v4-unsigned-body`). */
  authtype?: string;
}

export interface ServiceMetadata {
  apiVersion: string;
  endpointPrefix: string;
  protocol: string;
  protocols?: string[];
  jsonVersion?: string;
  targetPrefix?: string;
  signingName?: string;
  serviceId: string;
  xmlNamespace?: string;
  awsQueryCompatible?: Record<string, unknown>;
}

export interface ServiceModel {
  metadata: ServiceMetadata;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}
