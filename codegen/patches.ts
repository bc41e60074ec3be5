/**
 * Which services we generate, and the metadata the pinned Debian botocore (1.29) predates. Fix the model here, then
 * regenerate; never edit an api.generated.ts by hand.
 */
import type { ServiceMetadata } from '../src/protocol/schema.js';

export interface ServiceSpec {
  /** botocore data directory name. */
  botocoreName: string;
  /** Folder under src/services/. */
  folder: string;
  overrides?: Partial<ServiceMetadata>;
}

export const SERVICES: readonly ServiceSpec[] = [
  { botocoreName: 'iam', folder: 'iam' },
  { botocoreName: 'sts', folder: 'sts' },
  { botocoreName: 'sagemaker', folder: 'sagemaker' },
  { botocoreName: 'sagemaker-runtime', folder: 'sagemaker-runtime' },
  { botocoreName: 'kms', folder: 'kms' },
  {
    botocoreName: 'cloudwatch',
    folder: 'cloudwatch',
    // CloudWatch moved to JSON 1.0 + CBOR in 2025 and kept Query for old clients (aws-semantics.md §0); current
    // botocore carries exactly these four fields.
    overrides: {
      protocols: ['smithy-rpc-v2-cbor', 'json', 'query'],
      jsonVersion: '1.0',
      targetPrefix: 'GraniteServiceVersion20100801',
      awsQueryCompatible: {},
    },
  },
];
