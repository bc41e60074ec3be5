/**
 * Model Monitor's records on the ResourceStore (service `sagemaker`, owned by the resource's account), each with id
 * `<region>/<lowercased name>` like the rest of SageMaker:
 *
 *   processing-job               CreateProcessingJob as given, with its status; a scheduled execution is a processing
 *                                job too (as in AWS) whose `Execution` says which schedule and time it serves. Its
 *                                parentId is the schedule's `ExecutionsKey`, so one schedule's executions list cheaply.
 *   data-quality-job-definition  CreateDataQualityJobDefinition as given
 *   monitoring-schedule          CreateMonitoringSchedule as given, with status and bookkeeping for the scheduler
 *
 * Times are ISO strings in documents, Dates in API outputs.
 */
import type {
  AppSpecification, DataQualityAppSpecification, DataQualityBaselineConfig, DataQualityJobInput, ExecutionStatus, ExperimentConfig,
  MonitoringNetworkConfig, MonitoringOutputConfig, MonitoringResources, MonitoringScheduleConfig, MonitoringStoppingCondition,
  MonitoringType, NetworkConfig, ProcessingInput, ProcessingJobStatus, ProcessingOutputConfig, ProcessingResources,
  ProcessingStoppingCondition, ScheduleStatus, Tag,
} from '../api.generated.js';

export const PROCESSING_JOB = 'processing-job';
export const JOB_DEFINITION = 'data-quality-job-definition';
export const SCHEDULE = 'monitoring-schedule';

/** What ties a processing job to the schedule run it is. */
export interface ExecutionInfo {
  MonitoringScheduleName: string;
  ScheduledTime: string;
  Status: ExecutionStatus;
  FailureReason?: string;
  EndpointName?: string;
  MonitoringJobDefinitionName?: string;
  MonitoringType: MonitoringType;
  /** The capture to analyse, resolved into ProcessingInputs when the run starts (the endpoint may change until then). */
  Capture?: { EndpointName: string; LocalPath: string; Start: string; End: string };
  /**
   * A batch transform input's captured data (BatchTransformInput): the manifests and data files of the window's hour
   * folders under `{DataCapturedDestinationS3Uri}/input/`, resolved into ProcessingInputs when the run starts.
   */
  Batch?: { DataCapturedDestinationS3Uri: string; LocalPath: string; Start: string; End: string };
}

export interface ProcessingJobDoc {
  ProcessingJobName: string;
  ProcessingJobArn: string;
  ProcessingInputs?: ProcessingInput[];
  ProcessingOutputConfig?: ProcessingOutputConfig;
  ProcessingResources: ProcessingResources;
  StoppingCondition?: ProcessingStoppingCondition;
  AppSpecification: AppSpecification;
  Environment?: Record<string, string>;
  NetworkConfig?: NetworkConfig;
  RoleArn: string;
  ExperimentConfig?: ExperimentConfig;
  Tags: Tag[];
  ProcessingJobStatus: ProcessingJobStatus;
  ExitMessage?: string;
  FailureReason?: string;
  CreationTime: string;
  LastModifiedTime: string;
  ProcessingStartTime?: string;
  ProcessingEndTime?: string;
  MonitoringScheduleArn?: string;
  Execution?: ExecutionInfo;
  /** StopProcessingJob asked for a stop: the run notices at its next step (and on any replica). */
  StopRequested?: boolean;
  /** Vigil's: `<replica>:<n>`, rewritten every 15 s by the replica running (or queueing) the job; see Monitoring.liveness. */
  Heartbeat?: string;
}

export interface JobDefinitionDoc {
  JobDefinitionName: string;
  JobDefinitionArn: string;
  CreationTime: string;
  DataQualityBaselineConfig?: DataQualityBaselineConfig;
  DataQualityAppSpecification: DataQualityAppSpecification;
  DataQualityJobInput: DataQualityJobInput;
  DataQualityJobOutputConfig: MonitoringOutputConfig;
  JobResources: MonitoringResources;
  NetworkConfig?: MonitoringNetworkConfig;
  RoleArn: string;
  StoppingCondition?: MonitoringStoppingCondition;
  Tags: Tag[];
}

export interface ScheduleDoc {
  MonitoringScheduleName: string;
  MonitoringScheduleArn: string;
  MonitoringScheduleStatus: ScheduleStatus;
  MonitoringType: MonitoringType;
  FailureReason?: string;
  CreationTime: string;
  LastModifiedTime: string;
  /** As given, ScheduleConfig with DataAnalysisStartTime/EndTime (model.ts). */
  MonitoringScheduleConfig: MonitoringScheduleConfig;
  EndpointName?: string;
  Tags: Tag[];
  /** parentId of this schedule's executions: a schedule deleted and created again starts a new history. */
  ExecutionsKey: string;
  /** Scheduled times up to this one have been considered (claimed by some replica, or skipped while stopped). */
  ConsideredUntil: string;
  /** Name of the newest execution's processing job (LastMonitoringExecutionSummary). */
  LastExecutionJobName?: string;
}
