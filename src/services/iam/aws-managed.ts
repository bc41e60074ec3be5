/**
 * AWS-managed policies exist in every account by ARN (account `aws`). They are virtual: one definition here,
 * no per-account rows; attachments to them are ordinary attachment records of the account.
 */
export interface AwsManagedPolicy {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  Description: string;
  CreateDate: string;
  UpdateDate: string;
  Document: string;
}

/** Read-only actions for the services Vigil implements. */
const READ_ONLY_ACTIONS = [
  'iam:Generate*', 'iam:Get*', 'iam:List*', 'iam:Simulate*',
  'sts:GetAccessKeyInfo', 'sts:GetCallerIdentity',
  'kms:Describe*', 'kms:Get*', 'kms:List*',
  's3:Get*', 's3:List*',
  'sagemaker:Describe*', 'sagemaker:Get*', 'sagemaker:List*', 'sagemaker:Search',
  'cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*',
  'sns:Check*', 'sns:Get*', 'sns:List*',
  'cloudtrail:Describe*', 'cloudtrail:Get*', 'cloudtrail:List*', 'cloudtrail:LookupEvents',
  'logs:Describe*', 'logs:FilterLogEvents', 'logs:Get*', 'logs:List*', 'logs:StartQuery', 'logs:StopQuery', 'logs:TestMetricFilter',
];

const document = (statement: object): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] }, null, 4);

const POLICIES: AwsManagedPolicy[] = [
  {
    PolicyName: 'AdministratorAccess',
    PolicyId: 'ANPAIWMBCKSKIEE64ZLYK',
    Arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    Path: '/',
    DefaultVersionId: 'v1',
    Description: 'Provides full access to AWS services and resources.',
    CreateDate: '2015-02-06T18:39:46Z',
    UpdateDate: '2015-02-06T18:39:46Z',
    Document: document({ Effect: 'Allow', Action: '*', Resource: '*' }),
  },
  {
    PolicyName: 'ReadOnlyAccess',
    PolicyId: 'ANPAILL3HVNFSB6DCOWYQ',
    Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    Path: '/',
    DefaultVersionId: 'v1',
    Description: 'Provides read-only access to AWS services and resources.',
    CreateDate: '2015-02-06T18:39:48Z',
    UpdateDate: '2015-02-06T18:39:48Z',
    Document: document({ Sid: 'ReadOnlyAccess', Effect: 'Allow', Action: READ_ONLY_ACTIONS, Resource: '*' }),
  },
];

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = POLICIES;

const BY_ARN = new Map(POLICIES.map((p) => [p.Arn, p]));

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}

export function isAwsManagedArn(arn: string): boolean {
  return arn.startsWith('arn:aws:iam::aws:policy/');
}
