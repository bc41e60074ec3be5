import type { ContainerSpec } from '../../inference/types.js';
import type { DeploymentConfig, InferenceExecutionConfig, ProductionVariant, Tag, VpcConfig } from './api.generated.js';
import type { ContainerDefinition, DataCaptureConfig } from './model.js';

/**
 * SageMaker's data layout on the ResourceStore (service `sagemaker`, rows owned by the resource's account), each
 * with id `<region>/<lowercased name>`:
 *
 *   model            CreateModel as given
 *   endpoint-config  CreateEndpointConfig as given
 *   endpoint         status, and the deployment it serves as a self-contained snapshot (models' containers and
 *                    roles, weights, capture): a deployed endpoint keeps serving, and restarts serve it again, after
 *                    its config or models are deleted, as in AWS.
 *
 * Times are ISO strings in documents, Dates in API outputs.
 */
export const SAGEMAKER = 'sagemaker';

export interface ModelDoc {
  ModelName: string;
  ModelArn: string;
  CreationTime: string;
  PrimaryContainer?: ContainerDefinition;
  Containers?: ContainerDefinition[];
  InferenceExecutionConfig?: InferenceExecutionConfig;
  ExecutionRoleArn: string;
  VpcConfig?: VpcConfig;
  EnableNetworkIsolation: boolean;
  Tags: Tag[];
}

export interface EndpointConfigDoc {
  EndpointConfigName: string;
  EndpointConfigArn: string;
  CreationTime: string;
  ProductionVariants: ProductionVariant[];
  DataCaptureConfig?: DataCaptureConfig;
  KmsKeyId?: string;
  Tags: Tag[];
}

export type EndpointStatus = 'Creating' | 'Updating' | 'InService' | 'Failed';

/** One production variant as deployed: everything needed to load it again, with no reference to other records. */
export interface VariantSnapshot {
  VariantName: string;
  ModelName: string;
  ExecutionRoleArn: string;
  Containers: ContainerSpec[];
  Weight: number;
  InstanceCount: number;
  InstanceType?: string;
  ServerlessConfig?: ProductionVariant['ServerlessConfig'];
  /** When the images were resolved (the deployment that loaded this variant). */
  ResolutionTime: string;
}

export interface DeploymentSnapshot {
  /** Changes whenever models are (re)loaded: replicas reuse runtimes only while it stays the same. */
  LoadId: string;
  /** Changes on every change of what serves (also weights and instance counts): replicas reconcile on it. */
  Revision: string;
  EndpointConfigName: string;
  Variants: VariantSnapshot[];
  DataCaptureConfig?: DataCaptureConfig;
}

export interface EndpointDoc {
  EndpointName: string;
  EndpointArn: string;
  /** The config that serves (or, while Creating or after a failed create, the one asked for). */
  EndpointConfigName: string;
  EndpointStatus: EndpointStatus;
  FailureReason?: string;
  CreationTime: string;
  LastModifiedTime: string;
  Tags: Tag[];
  Deployment?: DeploymentSnapshot;
  /** The create or update under way: the background deployment writes its result only while this is unchanged. */
  Operation?: { Id: string; EndpointConfigName: string; StartTime: string };
  LastDeploymentConfig?: DeploymentConfig;
}

/** Containers of a model as the runtimes take them: PrimaryContainer, or the Containers of an inference pipeline. */
export function containersOf(m: ModelDoc): ContainerSpec[] {
  const list = m.Containers?.length ? m.Containers : m.PrimaryContainer ? [m.PrimaryContainer] : [];
  return list.map((c) => ({
    Image: c.Image ?? '',
    ...(c.ModelDataUrl ? { ModelDataUrl: c.ModelDataUrl } : {}),
    ...(c.Environment ? { Environment: c.Environment } : {}),
    ...(c.Mode ? { Mode: c.Mode } : {}),
  }));
}
