import type { ServiceDeps } from '../../server/deps.js';
import type { BlobStore } from '../../state/blobs/types.js';
import { kmsDataKeyProvider } from '../kms/data-key-provider.js';
import { ensureServiceKey } from '../kms/service-keys.js';
import { EnvelopeVault, S3_SERVICE_PRINCIPAL } from './vault.js';

/**
 * The production vault for S3: data keys from Vigil's KMS through the gateway (authorized and audited, with
 * kms:ViaService = s3.amazonaws.com), SSE-S3 under each account's alias/aws/s3 managed key.
 */
export function createS3Vault(deps: ServiceDeps, store: BlobStore, opts: { frameSize?: number } = {}): EnvelopeVault {
  return new EnvelopeVault({
    store,
    providerFor: (principal, region) => kmsDataKeyProvider(deps.internal, principal, { region, viaService: S3_SERVICE_PRINCIPAL }),
    resolveManagedKey: (region, accountId) => ensureServiceKey(deps, accountId, region, 's3'),
    frameSize: opts.frameSize,
  });
}
