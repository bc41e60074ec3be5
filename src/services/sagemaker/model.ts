/**
 * The SageMaker model Vigil serves: the generated botocore 1.29 model with two changes.
 *  - CaptureMode gained `InputAndOutput` (and CaptureOptionList grew to 32 items) after the pinned botocore; current
 *    AWS accepts both (sagemaker-monitor.md §1.1). Once codegen/patches.ts carries shape patches this belongs there.
 *  - ContainerDefinition.ModelDataUrl also accepts `file://` URLs, a Vigil extension for local models. Whether they
 *    may be served is the server's choice (`allowFileModels`): a refused one fails the deployment with a clear
 *    FailureReason rather than failing validation, so the operator sees why.
 *  - ScheduleConfig gained DataAnalysisStartTime / DataAnalysisEndTime (the analysis window of `NOW` schedules and
 *    offsets for cron ones, sagemaker-monitor.md §7.1) after the pinned botocore.
 */
import type { ServiceModel, Shape, StructureShape } from '../../protocol/schema.js';
import { model as generated, type Operations as GeneratedOperations } from './api.generated.js';
import type {
  CaptureContentTypeHeader, ContainerDefinition, CreateEndpointConfigInput, DataCaptureConfig as GeneratedCapture,
  DataCaptureConfigSummary, DescribeEndpointConfigOutput,
} from './api.generated.js';

const containerDefinition = generated.shapes.ContainerDefinition as StructureShape;
const scheduleConfig = generated.shapes.ScheduleConfig as StructureShape;

export const PATCHED_SHAPES: Record<string, Shape> = {
  CaptureMode: { type: 'string', enum: ['Input', 'Output', 'InputAndOutput'] },
  CaptureOptionList: { type: 'list', min: 1, max: 32, member: { shape: 'CaptureOption' } },
  VigilModelDataUrl: { type: 'string', max: 1024, pattern: '^((https|s3)://([^/]+)/?(.*)|file://.+)$' },
  ContainerDefinition: { ...containerDefinition, members: { ...containerDefinition.members, ModelDataUrl: { shape: 'VigilModelDataUrl' } } },
  VigilAnalysisOffset: { type: 'string', min: 1, max: 15 },
  ScheduleConfig: { ...scheduleConfig, members: { ...scheduleConfig.members,
    DataAnalysisStartTime: { shape: 'VigilAnalysisOffset' }, DataAnalysisEndTime: { shape: 'VigilAnalysisOffset' } } },
};

export const model: ServiceModel = {
  metadata: generated.metadata,
  operations: generated.operations,
  shapes: { ...generated.shapes, ...PATCHED_SHAPES },
};

export type CaptureMode = 'Input' | 'Output' | 'InputAndOutput';
export interface CaptureOption { CaptureMode: CaptureMode }
export interface DataCaptureConfig extends Omit<GeneratedCapture, 'CaptureOptions'> {
  CaptureOptions: CaptureOption[];
  CaptureContentTypeHeader?: CaptureContentTypeHeader;
}
export type { ContainerDefinition, DataCaptureConfigSummary };

type WithCapture<T> = Omit<T, 'DataCaptureConfig'> & { DataCaptureConfig?: DataCaptureConfig };

/** Input and output types per operation, with the newer DataCaptureConfig. */
export interface Operations extends Omit<GeneratedOperations, 'CreateEndpointConfig' | 'DescribeEndpointConfig'> {
  CreateEndpointConfig: { input: WithCapture<CreateEndpointConfigInput>; output: GeneratedOperations['CreateEndpointConfig']['output'] };
  DescribeEndpointConfig: { input: GeneratedOperations['DescribeEndpointConfig']['input']; output: WithCapture<DescribeEndpointConfigOutput> };
}
