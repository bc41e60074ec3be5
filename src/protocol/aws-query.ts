/**
 * awsQuery (IAM, STS, CloudWatch's legacy path): form-encoded parameters in (POST body or GET query string), XML out.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import type { ServiceError } from './errors.js';
import { baseHeaders, queryErrorCode, response, senderOrReceiver } from './error-wire.js';
import { findErrorShape } from './model-errors.js';
import { formToTree, parseForm } from './query-form.js';
import type { OperationModel, ServiceModel } from './schema.js';
import { readStructure } from './shape-walk.js';
import type { EncodeContext, HttpRequest, HttpResponse, Protocol } from './types.js';
import { element, escapeXml, writeXmlMembers } from './xml-writer.js';

/** AWS's own default when a model names no namespace (IAM's). */
const DEFAULT_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

export class AwsQueryProtocol implements Protocol {
  readonly name = 'awsQuery' as const;
  readonly errorFamily = 'query' as const;
  /** operationName() and decode() both need the parameters; parse each request once. */
  private readonly parsed = new WeakMap<HttpRequest, Map<string, string>>();

  operationName(req: HttpRequest): string | undefined {
    return this.params(req).get('Action') || undefined;
  }

  decode(req: HttpRequest, model: ServiceModel, op: OperationModel): Record<string, unknown> {
    if (!op.input) return {};
    const tree = formToTree(model, op.input.shape, this.params(req));
    return readStructure({ model, format: 'text', family: this.errorFamily }, op.input.shape, tree);
  }

  encode(output: Record<string, unknown> | undefined, ctx: EncodeContext): HttpResponse {
    const op = ctx.operation;
    let inner = '';
    if (op.output) {
      const wrapper = op.output.resultWrapper ?? `${op.name}Result`;
      inner = element(wrapper, writeXmlMembers(ctx.model, op.output.shape, output));
    }
    inner += responseMetadata(ctx.requestId);
    const body = `<${op.name}Response xmlns="${namespace(ctx.model)}">${inner}</${op.name}Response>`;
    return response(200, baseHeaders(ctx.requestId, 'text/xml'), body);
  }

  encodeError(err: ServiceError, ctx: Parameters<Protocol['encodeError']>[1]): HttpResponse {
    const fields = element('Type', senderOrReceiver(err))
      + element('Code', escapeXml(queryErrorCode(err, ctx.model)))
      + element('Message', escapeXml(err.message))
      + extraMembers(err, ctx.model);
    const body = `<ErrorResponse xmlns="${namespace(ctx.model)}">${element('Error', fields)}`
      + `${element('RequestId', escapeXml(ctx.requestId))}</ErrorResponse>`;
    return response(err.httpStatus, baseHeaders(ctx.requestId, 'text/xml', err.headers), body);
  }

  /** POST parameters come from the form body; AWS also honours ones in the query string, body winning. */
  private params(req: HttpRequest): Map<string, string> {
    let params = this.parsed.get(req);
    if (!params) {
      params = parseForm(req.rawQuery);
      if (req.body.length) for (const [k, v] of parseForm(req.body.toString('utf8'))) params.set(k, v);
      this.parsed.set(req, params);
    }
    return params;
  }
}

function responseMetadata(requestId: string): string {
  return element('ResponseMetadata', element('RequestId', escapeXml(requestId)));
}

function namespace(model: ServiceModel | undefined): string {
  return escapeXml(model?.metadata.xmlNamespace ?? DEFAULT_NAMESPACE);
}

/** Modelled extra members of the error (besides message), written inside `<Error>` as AWS does. */
function extraMembers(err: ServiceError, model: ServiceModel | undefined): string {
  if (!Object.keys(err.extra).length) return '';
  const shape = model && (err.shape ?? findErrorShape(model, err.code));
  if (model && shape) return writeXmlMembers(model, shape, err.extra);
  return Object.entries(err.extra).map(([k, v]) => element(k, escapeXml(String(v)))).join('');
}
