/**
 * HTTP bindings of the REST protocols: matching `METHOD /path/{Label}?literal` templates from the model against a
 * request, and reading the query string. Shared by restJson1 now and restXml later.
 */
import { CommonErrors, type ErrorFamily } from './errors.js';
import type { OperationModel, ServiceModel } from './schema.js';

interface Route {
  op: OperationModel;
  regex: RegExp;
  labels: string[];
  /** Literal query parameters the template requires (`/{Bucket}?tagging`), value undefined = presence only. */
  query: [string, string | undefined][];
  /** Longer literal text = more specific template; tried first so `/a/b` beats `/a/{X}`. */
  specificity: number;
}

interface RouteTable {
  /** Most specific first. */
  list: Route[];
  byOp: Map<OperationModel, Route>;
}

const routeCache = new WeakMap<ServiceModel, RouteTable>();

function compile(op: OperationModel): Route {
  const [pathPart, queryPart = ''] = op.http.requestUri.split('?');
  const labels: string[] = [];
  let specificity = 0;
  const pattern = pathPart.replace(/\{([^}]+)\}|[^{]+/g, (token, label: string | undefined) => {
    if (label === undefined) {
      specificity += token.length;
      return token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    const greedy = label.endsWith('+');
    labels.push(greedy ? label.slice(0, -1) : label);
    return greedy ? '(.+)' : '([^/]+)';
  });
  const query = queryPart.split('&').filter(Boolean).map((p): [string, string | undefined] => {
    const eq = p.indexOf('=');
    return eq < 0 ? [p, undefined] : [p.slice(0, eq), p.slice(eq + 1)];
  });
  // A template ending in '/' also matches without it; clients differ on the trailing slash.
  const body = pattern.endsWith('/') && pattern.length > 1 ? `${pattern.slice(0, -1)}/?` : pattern;
  return { op, regex: new RegExp(`^${body}$`), labels, query, specificity: specificity + query.length };
}

function routes(model: ServiceModel): RouteTable {
  let table = routeCache.get(model);
  if (!table) {
    const list = Object.values(model.operations).map(compile).sort((a, b) => b.specificity - a.specificity);
    table = { list, byOp: new Map(list.map((r) => [r.op, r])) };
    routeCache.set(model, table);
  }
  return table;
}

export interface RouteMatch {
  op: OperationModel;
  /** Label values, still percent-encoded. */
  labels: Record<string, string>;
}

/** The operation whose method and URI template match, with its raw label values. */
export function matchRoute(model: ServiceModel, method: string, path: string, rawQuery: string): RouteMatch | undefined {
  let params: Map<string, string[]> | undefined; // parsed only if a template has query literals (S3 style)
  for (const route of routes(model).list) {
    if (route.op.http.method !== method) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    if (route.query.length) {
      params ??= parseQueryMulti(rawQuery, 'json', false);
      const query = params;
      if (!route.query.every(([k, v]) => (v === undefined ? query.has(k) : query.get(k)?.includes(v)))) continue;
    }
    return { op: route.op, labels: labelValues(route, m) };
  }
  return undefined;
}

/** Labels of a specific operation (decode() is handed the operation the router already chose). */
export function labelsFor(model: ServiceModel, op: OperationModel, path: string): Record<string, string> | undefined {
  const route = routes(model).byOp.get(op);
  const m = route?.regex.exec(path);
  return route && m ? labelValues(route, m) : undefined;
}

function labelValues(route: Route, m: RegExpExecArray): Record<string, string> {
  return Object.fromEntries(route.labels.map((name, i) => [name, m[i + 1]]));
}

/** `a=1&a=2&b` → a: ['1','2'], b: ['']; percent-decoding errors are the family's serialization error. */
export function parseQueryMulti(rawQuery: string, family: ErrorFamily, strict = true): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = strict ? decodeOrThrow(eq < 0 ? part : part.slice(0, eq), family) : safeDecode(eq < 0 ? part : part.slice(0, eq));
    const raw = eq < 0 ? '' : part.slice(eq + 1);
    const value = strict ? decodeOrThrow(raw, family) : safeDecode(raw);
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
}

export function decodeOrThrow(text: string, family: ErrorFamily): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw CommonErrors.serialization(`Invalid percent-encoding in '${text.slice(0, 64)}'`, family);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
