import type { DescribeEndpointOutput, ProductionVariantSummary } from './api.generated.js';
import { captureSummary } from './capture.js';
import type { EndpointDoc, VariantSnapshot } from './store.js';

/**
 * DescribeEndpoint as AWS shapes it. Variants and capture describe the deployment that serves; while an update runs,
 * PendingDeploymentSummary names the config being deployed. ResolvedImage equals the image as given: Vigil runs
 * images from no registry, so there is no digest to resolve to.
 */
function variantSummary(v: VariantSnapshot): ProductionVariantSummary {
  return {
    VariantName: v.VariantName,
    DeployedImages: [...new Set(v.Containers.map((c) => c.Image))].map((image) => ({
      SpecifiedImage: image, ResolvedImage: image, ResolutionTime: new Date(v.ResolutionTime),
    })),
    CurrentWeight: v.Weight,
    DesiredWeight: v.Weight,
    CurrentInstanceCount: v.InstanceCount,
    DesiredInstanceCount: v.InstanceCount,
    ...(v.ServerlessConfig ? { CurrentServerlessConfig: v.ServerlessConfig, DesiredServerlessConfig: v.ServerlessConfig } : {}),
  };
}

export function describeEndpoint(e: EndpointDoc): DescribeEndpointOutput {
  const capture = captureSummary(e.Deployment?.DataCaptureConfig);
  const pending = e.EndpointStatus === 'Updating' && e.Operation;
  return {
    EndpointName: e.EndpointName,
    EndpointArn: e.EndpointArn,
    EndpointConfigName: e.EndpointConfigName,
    EndpointStatus: e.EndpointStatus,
    CreationTime: new Date(e.CreationTime),
    LastModifiedTime: new Date(e.LastModifiedTime),
    ...(e.Deployment ? { ProductionVariants: e.Deployment.Variants.map(variantSummary) } : {}),
    ...(capture ? { DataCaptureConfig: capture } : {}),
    ...(e.FailureReason ? { FailureReason: e.FailureReason } : {}),
    ...(e.LastDeploymentConfig ? { LastDeploymentConfig: e.LastDeploymentConfig } : {}),
    ...(pending ? { PendingDeploymentSummary: { EndpointConfigName: e.Operation!.EndpointConfigName, StartTime: new Date(e.Operation!.StartTime) } } : {}),
  };
}
