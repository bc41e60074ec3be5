import type { ResourceStore } from '../../state/types.js';
import type { GrantConstraints, GrantOperation, KeySpec, KeyUsageType } from './api.generated.js';
import type { RotationType } from './model.js';
import { listEvery, type ListScope } from '../../state/list-every.js';

/**
 * KMS's data layout on the ResourceStore (service `kms`, rows owned by the key's account):
 *
 *   key       id `<region>/<key uuid>`                          the key's metadata, policy, tags, rotation state
 *   material  id `<key uuid>/<version, 6 digits>`, parent uuid  one backing key, sealed under the master key
 *   alias     id `<region>/<alias name>`, parent key uuid        (parent listing → a key's aliases)
 *   grant     id `<region>/<grant id>`, parent key uuid          (parent listing → a key's grants)
 *   due       id `<task>|<ISO time>|<account>|<key record id>`  owned by SCHEDULE_OWNER: when the scheduler
 *             must delete or rotate a key; ISO times sort as text, so a prefix listing walks them in time order
 *
 * Backing keys never appear in a key document, in plaintext or otherwise: only `material` rows hold them, sealed.
 */
export const KMS = 'kms';
export const SCHEDULE_OWNER = '#kms-schedule';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface KeyDoc {
  KeyId: string;
  Arn: string;
  AccountId: string;
  Region: string;
  CreationDate: string;
  Description: string;
  KeySpec: KeySpec;
  KeyUsage: KeyUsageType;
  KeyManager: 'CUSTOMER' | 'AWS';
  KeyState: KeyState;
  /** Set while PendingDeletion. */
  DeletionDate?: string;
  PendingDeletionWindowInDays?: number;
  Policy: string;
  Tags: Tag[];
  /** The backing-key version new ciphertexts use; versions start at 1 and are never reused. */
  CurrentVersion: number;
  OnDemandRotations: number;
  /** Present while automatic rotation is enabled. */
  Rotation?: { PeriodInDays: number; NextRotationDate: string };
  /** Ids of this key's rows in the schedule index, so they can be removed when plans change. */
  DeletionDue?: string;
  RotationDue?: string;
}

export interface MaterialDoc {
  /** With Version, names the seal context, so re-wrapping under a new master key needs only this row. */
  KeyArn: string;
  Version: number;
  CreatedAt: string;
  /** How this version came to be; absent for the key's original material. */
  RotationType?: RotationType;
  /** The backing key, sealed under the master key with context `kms:<key ARN>:<version>`. */
  Sealed: string;
}

export interface AliasDoc {
  AliasName: string;
  AliasArn: string;
  TargetKeyId: string;
  CreationDate: string;
  LastUpdatedDate: string;
}

export interface GrantDoc {
  GrantId: string;
  KeyId: string;
  KeyArn: string;
  Name?: string;
  CreationDate: string;
  GranteePrincipal: string;
  RetiringPrincipal?: string;
  IssuingAccount: string;
  Operations: GrantOperation[];
  Constraints?: GrantConstraints;
}

export const materialId = (keyId: string, version: number): string => `${keyId}/${String(version).padStart(6, '0')}`;

/** Lists every record of a kind (under one parent or id prefix), following the store's pages. */
export function listAll<T>(res: ResourceStore, account: string, kind: string, opts: ListScope): Promise<{ id: string; doc: T }[]> {
  return listEvery<T>(res, account, KMS, kind, opts);
}
