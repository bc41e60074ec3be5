/**
 * A schedule's job, whichever way it was given: inline (MonitoringJobDefinition) or by name
 * (MonitoringJobDefinitionName + MonitoringType, a CreateDataQualityJobDefinition record). Both are reduced to one
 * shape the executions are built from.
 */
import type {
  BatchTransformInput, EndpointInput, MonitoringBaselineConfig, MonitoringClusterConfig, MonitoringJobDefinition, MonitoringNetworkConfig,
  MonitoringOutputConfig, MonitoringStoppingCondition,
} from '../api.generated.js';
import { recordId } from '../arns.js';
import type { Sm } from '../context.js';
import { smErrors } from '../errors.js';
import { SAGEMAKER } from '../store.js';
import { checkAnalyzerImage } from './images.js';
import { monitorArn } from './names.js';
import { parseS3Uri } from './s3.js';
import { JOB_DEFINITION, type JobDefinitionDoc } from './store.js';

export interface JobSpec {
  JobDefinitionName?: string;
  BaselineConfig?: MonitoringBaselineConfig;
  EndpointInput?: EndpointInput;
  BatchTransformInput?: BatchTransformInput;
  Output: MonitoringOutputConfig;
  ClusterConfig: MonitoringClusterConfig;
  ImageUri: string;
  RecordPreprocessorSourceUri?: string;
  PostAnalyticsProcessorSourceUri?: string;
  Environment?: Record<string, string>;
  StoppingCondition?: MonitoringStoppingCondition;
  NetworkConfig?: MonitoringNetworkConfig;
  RoleArn: string;
}

export function fromInline(d: MonitoringJobDefinition): JobSpec {
  if (d.MonitoringInputs.length !== 1) throw smErrors.validation('MonitoringInputs must have exactly one input.');
  const input = d.MonitoringInputs[0];
  const app = d.MonitoringAppSpecification;
  return {
    BaselineConfig: d.BaselineConfig, EndpointInput: input.EndpointInput, BatchTransformInput: input.BatchTransformInput,
    Output: d.MonitoringOutputConfig, ClusterConfig: d.MonitoringResources.ClusterConfig, ImageUri: app.ImageUri,
    RecordPreprocessorSourceUri: app.RecordPreprocessorSourceUri, PostAnalyticsProcessorSourceUri: app.PostAnalyticsProcessorSourceUri,
    Environment: d.Environment, StoppingCondition: d.StoppingCondition, NetworkConfig: d.NetworkConfig, RoleArn: d.RoleArn,
  };
}

export function fromDefinition(d: JobDefinitionDoc): JobSpec {
  const app = d.DataQualityAppSpecification;
  return {
    JobDefinitionName: d.JobDefinitionName, BaselineConfig: d.DataQualityBaselineConfig,
    EndpointInput: d.DataQualityJobInput.EndpointInput, BatchTransformInput: d.DataQualityJobInput.BatchTransformInput,
    Output: d.DataQualityJobOutputConfig, ClusterConfig: d.JobResources.ClusterConfig, ImageUri: app.ImageUri,
    RecordPreprocessorSourceUri: app.RecordPreprocessorSourceUri, PostAnalyticsProcessorSourceUri: app.PostAnalyticsProcessorSourceUri,
    Environment: app.Environment, StoppingCondition: d.StoppingCondition, NetworkConfig: d.NetworkConfig, RoleArn: d.RoleArn,
  };
}

/** What Vigil runs of a job: the analyzer over an endpoint's capture or a batch transform's captured data, one output. */
export function checkSpec(s: JobSpec, imageMember: string): void {
  checkAnalyzerImage(s.ImageUri, imageMember);
  if (!s.EndpointInput === !s.BatchTransformInput) {
    throw smErrors.validation('Exactly one of EndpointInput or BatchTransformInput must be specified in the monitoring input.');
  }
  if (s.BatchTransformInput) checkBatchInput(s.BatchTransformInput);
  if (s.Output.MonitoringOutputs.length !== 1) throw smErrors.validation('MonitoringOutputs must have exactly one output.');
  if (s.StoppingCondition && s.StoppingCondition.MaxRuntimeInSeconds > 3600) {
    throw smErrors.validation('MaxRuntimeInSeconds of a data quality monitoring job can be at most 3600 seconds.');
  }
}

/** A BatchTransformInput Vigil can read: an S3 capture destination and a CSV or JSON Lines dataset format. */
function checkBatchInput(b: BatchTransformInput): void {
  if (!parseS3Uri(b.DataCapturedDestinationS3Uri)) {
    throw smErrors.validation(`DataCapturedDestinationS3Uri ${b.DataCapturedDestinationS3Uri} is not a valid S3 URI.`);
  }
  const f = b.DatasetFormat;
  const given = [f.Csv, f.Json, f.Parquet].filter((x) => x !== undefined).length;
  if (given !== 1) throw smErrors.validation('DatasetFormat must specify exactly one of Csv, Json or Parquet.');
  if (f.Parquet) throw smErrors.notImplemented('BatchTransformInput DatasetFormat Parquet');
  if (f.Json && f.Json.Line === false) throw smErrors.notImplemented('BatchTransformInput DatasetFormat Json with Line false (JSON documents); use Line true (JSON Lines)');
}

export async function findDefinition(sm: Sm, account: string, region: string, name: string): Promise<JobDefinitionDoc | undefined> {
  return (await sm.res.get<JobDefinitionDoc>(account, SAGEMAKER, JOB_DEFINITION, recordId(region, name)))?.doc;
}

/** The job of a schedule's config, or SageMaker's error when the named definition does not exist. */
export async function specOf(sm: Sm, account: string, region: string,
  c: { MonitoringJobDefinition?: MonitoringJobDefinition; MonitoringJobDefinitionName?: string; MonitoringType?: string }): Promise<JobSpec> {
  if (c.MonitoringJobDefinition && c.MonitoringJobDefinitionName) {
    throw smErrors.validation('Specify either MonitoringJobDefinition or MonitoringJobDefinitionName, not both.');
  }
  if (c.MonitoringType && c.MonitoringType !== 'DataQuality') throw smErrors.notImplemented(`MonitoringType ${c.MonitoringType}`);
  if (c.MonitoringJobDefinition) return fromInline(c.MonitoringJobDefinition);
  if (!c.MonitoringJobDefinitionName) throw smErrors.validation('Either MonitoringJobDefinition or MonitoringJobDefinitionName must be specified.');
  if (!c.MonitoringType) throw smErrors.validation('MonitoringType is required with MonitoringJobDefinitionName.');
  const def = await findDefinition(sm, account, region, c.MonitoringJobDefinitionName);
  if (!def) throw smErrors.resourceNotFound(`Could not find job definition "${monitorArn(region, account, JOB_DEFINITION, c.MonitoringJobDefinitionName)}".`);
  return fromDefinition(def);
}
