/**
 * restXml (S3) is not built yet. Requests fail by name (principle 1) rather than being half-decoded; errors are
 * already answered in S3's `<Error>` form so clients can read them.
 */
import { CommonErrors, type ServiceError } from './errors.js';
import { baseHeaders, queryErrorCode, response } from './error-wire.js';
import type { OperationModel, ServiceModel } from './schema.js';
import type { HttpRequest, HttpResponse, Protocol } from './types.js';
import { element, escapeXml } from './xml-writer.js';

export class RestXmlProtocol implements Protocol {
  readonly name = 'restXml' as const;
  readonly errorFamily = 'rest-xml' as const;

  operationName(): string | undefined {
    return undefined;
  }

  decode(_req: HttpRequest, model: ServiceModel, op: OperationModel): Record<string, unknown> {
    throw CommonErrors.notImplemented(model.metadata.serviceId, op.name);
  }

  encode(): HttpResponse {
    throw CommonErrors.notImplemented('restXml', 'encode');
  }

  encodeError(err: ServiceError, ctx: Parameters<Protocol['encodeError']>[1]): HttpResponse {
    const body = element('Error', element('Code', escapeXml(queryErrorCode(err, ctx.model)))
      + element('Message', escapeXml(err.message)) + element('RequestId', escapeXml(ctx.requestId)));
    return response(err.httpStatus, baseHeaders(ctx.requestId, 'application/xml', err.headers), `<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  }
}
