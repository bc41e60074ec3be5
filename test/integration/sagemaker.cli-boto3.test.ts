import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, boto3, type RunResult } from '../helpers/cli.js';
import { csvRows, expectedScore, sagemakerFixture, type Fixture } from '../helpers/sagemaker.js';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

const rows = [[1, 2, 3, 4], [0.5, -1, 0, 2]];

/** The endpoint lifecycle driven by Debian's AWS CLI v2 and by boto3 (SDK calls only set up S3, KMS and IAM). */
describe('SageMaker endpoints through /usr/bin/aws and boto3', () => {
  let v: TestVigil;
  let f: Fixture;
  let dir: string;

  beforeAll(async () => {
    v = await startTestVigil();
    f = await sagemakerFixture(v, 'cli');
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-sm-cli-'));
  });
  afterAll(async () => {
    await v?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => aws(v.url, v.root, v.caPath, args);
  const ok = (r: RunResult): RunResult => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r;
  };
  const json = (r: RunResult) => JSON.parse(ok(r).stdout);

  it('create → wait endpoint-in-service → invoke (CSV and JSON) → update → delete with the AWS CLI', async () => {
    ok(await cli(['sagemaker', 'create-model', '--model-name', 'cli-model', '--execution-role-arn', f.roleArn,
      '--primary-container', `Image=vigil/onnx,ModelDataUrl=${f.modelUrl}`]));
    for (const name of ['cli-config', 'cli-config-2']) {
      ok(await cli(['sagemaker', 'create-endpoint-config', '--endpoint-config-name', name, '--production-variants',
        `VariantName=${name === 'cli-config' ? 'AllTraffic' : 'Canary'},ModelName=cli-model,InitialInstanceCount=1,InstanceType=ml.m5.large`]));
    }
    const created = json(await cli(['sagemaker', 'create-endpoint', '--endpoint-name', 'cli-ep', '--endpoint-config-name', 'cli-config']));
    expect(created.EndpointArn).toBe(`arn:aws:sagemaker:us-east-1:${v.accountId}:endpoint/cli-ep`);
    ok(await cli(['sagemaker', 'wait', 'endpoint-in-service', '--endpoint-name', 'cli-ep']));

    await writeFile(path.join(dir, 'rows.csv'), csvRows(rows));
    const out = path.join(dir, 'out.csv');
    const invoked = json(await cli(['sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', 'cli-ep', '--content-type', 'text/csv',
      '--body', `fileb://${path.join(dir, 'rows.csv')}`, out]));
    expect(invoked.InvokedProductionVariant).toBe('AllTraffic');
    (await readFile(out, 'utf8')).trim().split('\n').map(Number).forEach((s, k) => expect(s).toBeCloseTo(expectedScore(rows[k]), 5));

    await writeFile(path.join(dir, 'rows.json'), JSON.stringify({ instances: rows }));
    const outJson = path.join(dir, 'out.json');
    ok(await cli(['sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', 'cli-ep', '--content-type', 'application/json',
      '--accept', 'application/json', '--body', `fileb://${path.join(dir, 'rows.json')}`, outJson]));
    const predictions = (JSON.parse(await readFile(outJson, 'utf8')) as { predictions: { score: number }[] }).predictions;
    predictions.forEach((p, k) => expect(p.score).toBeCloseTo(expectedScore(rows[k]), 5));

    ok(await cli(['sagemaker', 'update-endpoint', '--endpoint-name', 'cli-ep', '--endpoint-config-name', 'cli-config-2']));
    ok(await cli(['sagemaker', 'wait', 'endpoint-in-service', '--endpoint-name', 'cli-ep']));
    const described = json(await cli(['sagemaker', 'describe-endpoint', '--endpoint-name', 'cli-ep']));
    expect(described).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'cli-config-2' });
    expect(described.ProductionVariants[0].VariantName).toBe('Canary');

    ok(await cli(['sagemaker', 'delete-endpoint', '--endpoint-name', 'cli-ep']));
    const missing = await cli(['sagemaker', 'describe-endpoint', '--endpoint-name', 'cli-ep']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/ValidationException/);
    const invokeMissing = await cli(['sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', 'cli-ep', '--content-type', 'text/csv',
      '--body', `fileb://${path.join(dir, 'rows.csv')}`, out]);
    expect(invokeMissing.stderr).toMatch(/\(ValidationError\) when calling the InvokeEndpoint operation.*: Endpoint cli-ep of account \d{12} not found\./);
    ok(await cli(['sagemaker', 'delete-endpoint-config', '--endpoint-config-name', 'cli-config']));
    ok(await cli(['sagemaker', 'delete-endpoint-config', '--endpoint-config-name', 'cli-config-2']));
    ok(await cli(['sagemaker', 'delete-model', '--model-name', 'cli-model']));
  });

  it('captures traffic that `aws s3 cp` returns as SageMaker-format JSONL', async () => {
    ok(await cli(['sagemaker', 'create-model', '--model-name', 'cap-model', '--execution-role-arn', f.roleArn,
      '--primary-container', `Image=vigil/onnx,ModelDataUrl=${f.modelUrl}`]));
    const capture = { EnableCapture: true, InitialSamplingPercentage: 100, DestinationS3Uri: `s3://${f.bucket}/datacapture`,
      KmsKeyId: f.keyArn, CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] } };
    ok(await cli(['sagemaker', 'create-endpoint-config', '--endpoint-config-name', 'cap-config', '--production-variants',
      'VariantName=AllTraffic,ModelName=cap-model,InitialInstanceCount=1,InstanceType=ml.m5.large',
      '--data-capture-config', JSON.stringify(capture)]));
    ok(await cli(['sagemaker', 'create-endpoint', '--endpoint-name', 'cap-ep', '--endpoint-config-name', 'cap-config']));
    ok(await cli(['sagemaker', 'wait', 'endpoint-in-service', '--endpoint-name', 'cap-ep']));
    const described = json(await cli(['sagemaker', 'describe-endpoint', '--endpoint-name', 'cap-ep']));
    expect(described.DataCaptureConfig).toMatchObject({ EnableCapture: true, CaptureStatus: 'Started', CurrentSamplingPercentage: 100,
      DestinationS3Uri: `s3://${f.bucket}/datacapture`, KmsKeyId: f.keyArn });
    await writeFile(path.join(dir, 'row.csv'), '1,2,3,4\n');
    ok(await cli(['sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', 'cap-ep', '--content-type', 'text/csv',
      '--body', `fileb://${path.join(dir, 'row.csv')}`, path.join(dir, 'cap-out.csv')]));
    await v.server.capture.flush();
    const listing = ok(await cli(['s3', 'ls', '--recursive', `s3://${f.bucket}/datacapture/cap-ep/AllTraffic/`])).stdout;
    const key = /(datacapture\/cap-ep\/AllTraffic\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\S+\.jsonl)/.exec(listing)?.[1];
    expect(key).toBeDefined();
    const copied = ok(await cli(['s3', 'cp', `s3://${f.bucket}/${key}`, '-'])).stdout;
    const record = JSON.parse(copied.trim().split('\n')[0]);
    expect(record.captureData.endpointInput).toEqual({ observedContentType: 'text/csv', mode: 'INPUT', data: '1,2,3,4\n', encoding: 'CSV' });
    expect(Number(record.captureData.endpointOutput.data)).toBeCloseTo(expectedScore([1, 2, 3, 4]), 5);
    expect(record.eventVersion).toBe('0');
  });

  it('the same lifecycle with boto3, including its waiter', async () => {
    const script = `import boto3, json, os
s = boto3.session.Session()
sm = s.client('sagemaker', endpoint_url=os.environ['ENDPOINT'])
rt = s.client('sagemaker-runtime', endpoint_url=os.environ['ENDPOINT'])
sm.create_model(ModelName='py-model', ExecutionRoleArn=${JSON.stringify(f.roleArn)},
                PrimaryContainer={'Image': 'vigil/onnx', 'ModelDataUrl': ${JSON.stringify(f.modelUrl)}})
for name, variant in (('py-config', 'AllTraffic'), ('py-config-2', 'Blue')):
    sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{'VariantName': variant, 'ModelName': 'py-model',
        'InitialInstanceCount': 1, 'InstanceType': 'ml.m5.large'}])
sm.create_endpoint(EndpointName='py-ep', EndpointConfigName='py-config')
sm.get_waiter('endpoint_in_service').wait(EndpointName='py-ep', WaiterConfig={'Delay': 1, 'MaxAttempts': 30})
csv = rt.invoke_endpoint(EndpointName='py-ep', ContentType='text/csv', Body=${JSON.stringify(csvRows(rows))})
js = rt.invoke_endpoint(EndpointName='py-ep', ContentType='application/json', Accept='application/json',
                        Body=json.dumps({'instances': ${JSON.stringify(rows)}}))
sm.update_endpoint(EndpointName='py-ep', EndpointConfigName='py-config-2')
sm.get_waiter('endpoint_in_service').wait(EndpointName='py-ep', WaiterConfig={'Delay': 1, 'MaxAttempts': 30})
after = rt.invoke_endpoint(EndpointName='py-ep', ContentType='text/csv', Body='1,2,3,4')
sm.delete_endpoint(EndpointName='py-ep')
try:
    rt.invoke_endpoint(EndpointName='py-ep', ContentType='text/csv', Body='1,2,3,4')
    gone = 'still there'
except rt.exceptions.ValidationError as e:
    gone = e.response['Error']['Message']
print(json.dumps({'csv': csv['Body'].read().decode(), 'variant': csv['InvokedProductionVariant'],
                  'json': json.loads(js['Body'].read()), 'after': after['InvokedProductionVariant'], 'gone': gone}))
`;
    const r = await boto3(v.url, v.root, v.caPath, script);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { csv: string; variant: string; json: { predictions: { score: number }[] }; after: string; gone: string };
    expect(out.variant).toBe('AllTraffic');
    out.csv.trim().split('\n').map(Number).forEach((s, k) => expect(s).toBeCloseTo(expectedScore(rows[k]), 5));
    out.json.predictions.forEach((p, k) => expect(p.score).toBeCloseTo(expectedScore(rows[k]), 5));
    expect(out.after).toBe('Blue');
    expect(out.gone).toBe(`Endpoint py-ep of account ${v.accountId} not found.`);
  });
});
