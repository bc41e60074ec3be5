/**
 * The KMS model Vigil serves: the generated botocore 1.29 model plus what AWS added to KMS since (2024 rotation
 * API: RotateKeyOnDemand, ListKeyRotations, RotationPeriodInDays), copied shape for shape from botocore 1.43.11
 * (`kms/2014-11-01/service-2.json`, documentation dropped). The pinned Debian botocore predates these; once
 * codegen/patches.ts can carry shape patches, this file should move there and be generated like the rest.
 * model.test.ts checks these shapes against a newer botocore when one is installed.
 */
import type { OperationModel, ServiceModel, Shape } from '../../protocol/schema.js';
import { model as generated, type Operations as GeneratedOperations } from './api.generated.js';
import type { ExpirationModelType, GetKeyRotationStatusRequest } from './api.generated.js';

const post = { method: 'POST', requestUri: '/' };

export const ADDED_OPERATIONS: Record<string, OperationModel> = {
  RotateKeyOnDemand: {
    name: 'RotateKeyOnDemand', http: post, input: { shape: 'RotateKeyOnDemandRequest' }, output: { shape: 'RotateKeyOnDemandResponse' },
    errors: ['NotFoundException', 'DisabledException', 'InvalidArnException', 'DependencyTimeoutException', 'KMSInternalException',
      'KMSInvalidStateException', 'UnsupportedOperationException', 'LimitExceededException', 'ConflictException'].map((shape) => ({ shape })),
  },
  ListKeyRotations: {
    name: 'ListKeyRotations', http: post, input: { shape: 'ListKeyRotationsRequest' }, output: { shape: 'ListKeyRotationsResponse' },
    errors: ['NotFoundException', 'InvalidArnException', 'InvalidMarkerException', 'KMSInternalException', 'KMSInvalidStateException',
      'UnsupportedOperationException'].map((shape) => ({ shape })),
  },
};

/** New shapes, and the newer definition of shapes that grew members. */
export const ADDED_SHAPES: Record<string, Shape> = {
  RotateKeyOnDemandRequest: { type: 'structure', required: ['KeyId'], members: { KeyId: { shape: 'KeyIdType' } } },
  RotateKeyOnDemandResponse: { type: 'structure', members: { KeyId: { shape: 'KeyIdType' } } },
  ListKeyRotationsRequest: {
    type: 'structure', required: ['KeyId'],
    members: { KeyId: { shape: 'KeyIdType' }, Limit: { shape: 'LimitType' }, Marker: { shape: 'MarkerType' } },
  },
  ListKeyRotationsResponse: {
    type: 'structure',
    members: { Rotations: { shape: 'RotationsList' }, NextMarker: { shape: 'MarkerType' }, Truncated: { shape: 'BooleanType' } },
  },
  RotationsList: { type: 'list', member: { shape: 'RotationsListEntry' } },
  RotationsListEntry: {
    type: 'structure',
    members: {
      KeyId: { shape: 'KeyIdType' }, KeyMaterialId: { shape: 'BackingKeyIdType' }, KeyMaterialState: { shape: 'KeyMaterialState' },
      ExpirationModel: { shape: 'ExpirationModelType' }, RotationDate: { shape: 'DateType' }, RotationType: { shape: 'RotationType' },
    },
  },
  BackingKeyIdType: { type: 'string', min: 64, max: 64, pattern: '^[a-f0-9]+$' },
  KeyMaterialState: { type: 'string', enum: ['NON_CURRENT', 'CURRENT', 'PENDING_ROTATION', 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION'] },
  RotationType: { type: 'string', enum: ['AUTOMATIC', 'ON_DEMAND'] },
  RotationPeriodInDaysType: { type: 'integer', min: 90, max: 2560 },
  ConflictException: { type: 'structure', exception: true, members: { message: { shape: 'ErrorMessageType' } } },
  EnableKeyRotationRequest: {
    type: 'structure', required: ['KeyId'],
    members: { KeyId: { shape: 'KeyIdType' }, RotationPeriodInDays: { shape: 'RotationPeriodInDaysType' } },
  },
  GetKeyRotationStatusResponse: {
    type: 'structure',
    members: {
      KeyRotationEnabled: { shape: 'BooleanType' }, KeyId: { shape: 'KeyIdType' },
      RotationPeriodInDays: { shape: 'RotationPeriodInDaysType' }, NextRotationDate: { shape: 'DateType' },
      OnDemandRotationStartDate: { shape: 'DateType' },
    },
  },
};

export const model: ServiceModel = {
  metadata: generated.metadata,
  operations: { ...generated.operations, ...ADDED_OPERATIONS },
  shapes: { ...generated.shapes, ...ADDED_SHAPES },
};

export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';
export type KeyMaterialState = 'NON_CURRENT' | 'CURRENT' | 'PENDING_ROTATION' | 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION';
export interface RotationsListEntry {
  KeyId?: string; KeyMaterialId?: string; KeyMaterialState?: KeyMaterialState; ExpirationModel?: ExpirationModelType;
  RotationDate?: Date; RotationType?: RotationType;
}
export interface RotateKeyOnDemandRequest { KeyId: string }
export interface RotateKeyOnDemandResponse { KeyId?: string }
export interface ListKeyRotationsRequest { KeyId: string; Limit?: number; Marker?: string }
export interface ListKeyRotationsResponse { Rotations?: RotationsListEntry[]; NextMarker?: string; Truncated?: boolean }
export interface EnableKeyRotationRequest { KeyId: string; RotationPeriodInDays?: number }
export interface GetKeyRotationStatusResponse {
  KeyRotationEnabled?: boolean; KeyId?: string; RotationPeriodInDays?: number; NextRotationDate?: Date; OnDemandRotationStartDate?: Date;
}

/** Input and output types per operation, as the newer model has them. */
export interface Operations extends Omit<GeneratedOperations, 'EnableKeyRotation' | 'GetKeyRotationStatus'> {
  EnableKeyRotation: { input: EnableKeyRotationRequest; output: void };
  GetKeyRotationStatus: { input: GetKeyRotationStatusRequest; output: GetKeyRotationStatusResponse };
  RotateKeyOnDemand: { input: RotateKeyOnDemandRequest; output: RotateKeyOnDemandResponse };
  ListKeyRotations: { input: ListKeyRotationsRequest; output: ListKeyRotationsResponse };
}
