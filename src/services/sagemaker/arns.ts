/**
 * SageMaker ARNs. AWS lowercases the resource name in the ARN (`endpoint/fraud-detector` for `Fraud-Detector`), and
 * names are unique case-insensitively, so the lowercased name is also the record key.
 */
export type ResourceType = 'model' | 'endpoint-config' | 'endpoint';

export const RESOURCE_TYPES: readonly ResourceType[] = ['model', 'endpoint-config', 'endpoint'];

export function sagemakerArn(region: string, account: string, type: ResourceType, name: string): string {
  return `arn:aws:sagemaker:${region}:${account}:${type}/${name.toLowerCase()}`;
}

export interface ParsedArn {
  region: string;
  account: string;
  /** The ARN's resource type; not necessarily one Vigil implements. */
  type: string;
  name: string;
}

export function parseSagemakerArn(arn: string): ParsedArn | undefined {
  const m = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]*):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
  return m ? { region: m[1], account: m[2], type: m[3], name: m[4] } : undefined;
}

/** Record id of a named resource: region plus lowercased name. */
export const recordId = (region: string, name: string): string => `${region}/${name.toLowerCase()}`;
