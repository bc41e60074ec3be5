/**
 * The protocol registry the gateway uses: `protocols[route.protocol]`. Each protocol is stateless apart from
 * per-request caches keyed weakly by the request, so one instance serves every request.
 */
import { AwsJsonProtocol } from './aws-json.js';
import { AwsQueryProtocol } from './aws-query.js';
import { RestJsonProtocol } from './rest-json.js';
import { RestXmlProtocol } from './rest-xml.js';
import { RpcV2CborProtocol } from './rpcv2-cbor.js';
import type { ServiceModel } from './schema.js';
import type { Protocol, ProtocolName } from './types.js';

export const protocols: Record<ProtocolName, Protocol> = {
  awsJson1_0: new AwsJsonProtocol('1.0'),
  awsJson1_1: new AwsJsonProtocol('1.1'),
  awsQuery: new AwsQueryProtocol(),
  restJson1: new RestJsonProtocol(),
  restXml: new RestXmlProtocol(),
  rpcv2Cbor: new RpcV2CborProtocol(),
};

/** botocore protocol names → ours, for `ServiceDefinition.protocols` (model order = the service's preference). */
export function protocolNamesFor(model: ServiceModel): ProtocolName[] {
  const names = model.metadata.protocols ?? [model.metadata.protocol];
  const out: ProtocolName[] = [];
  for (const name of names) {
    const mapped = mapProtocol(name, model.metadata.jsonVersion);
    if (mapped && !out.includes(mapped)) out.push(mapped);
  }
  return out;
}

function mapProtocol(name: string, jsonVersion: string | undefined): ProtocolName | undefined {
  switch (name) {
    case 'json': return jsonVersion === '1.0' ? 'awsJson1_0' : 'awsJson1_1';
    case 'query': return 'awsQuery';
    case 'rest-json': return 'restJson1';
    case 'rest-xml': return 'restXml';
    case 'smithy-rpc-v2-cbor': return 'rpcv2Cbor';
    default: return undefined;
  }
}
