/**
 * Input validation from the model's constraint traits, worded as AWS words it (clients and tests match on it):
 * `1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: Member must …`.
 * Paths are lower-camel member names; list elements of structures are `tags.1.member.key`; constraints on scalar
 * list/map elements are reported once for the whole collection, as AWS's Coral validator does.
 */
import { modelError } from './model-errors.js';
import { CommonErrors, type ErrorFamily } from './errors.js';
import { compileJavaPattern } from './java-regex.js';
import type { OperationModel, ServiceModel, Shape, StructureShape } from './schema.js';
import { MAX_DEPTH, type ShapeRef } from './shape-walk.js';

export function validateInput(model: ServiceModel, op: OperationModel, input: Record<string, unknown>, family: ErrorFamily): void {
  if (!op.input) return;
  const errors = new Validator(model).run(op.input.shape, input);
  if (errors.length) {
    // SageMaker Runtime models its own `ValidationError` for a JSON protocol; its clients expect that code.
    const modelled = model.shapes.ValidationError;
    if (family === 'json' && modelled?.type === 'structure' && modelled.exception) {
      throw modelError(model, 'ValidationError', validationMessage(errors));
    }
    throw CommonErrors.validation(validationMessage(errors), family);
  }
}

/** `N validation error(s) detected: a; b`. */
export function validationMessage(errors: string[]): string {
  return `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${errors.join('; ')}`;
}

class Validator {
  /** Missing required members are listed first, as AWS does (its example: null policyDocument before a pattern). */
  private readonly nulls: string[] = [];
  private readonly others: string[] = [];

  constructor(private readonly model: ServiceModel) {}

  run(shapeName: string, input: Record<string, unknown>): string[] {
    this.structure(this.shape(shapeName) as StructureShape, input, '', 0);
    return [...this.nulls, ...this.others];
  }

  private shape(name: string): Shape {
    const shape = this.model.shapes[name];
    if (!shape) throw new Error(`model ${this.model.metadata.serviceId} has no shape ${name}`);
    return shape;
  }

  private structure(shape: StructureShape, value: Record<string, unknown>, path: string, depth: number): void {
    if (depth > MAX_DEPTH) return;
    const required = new Set(shape.required ?? []);
    for (const [name, member] of Object.entries(shape.members)) {
      const memberPath = path ? `${path}.${lowerCamel(name)}` : lowerCamel(name);
      const item = value[name];
      if (item === undefined || item === null) {
        if (required.has(name)) this.nulls.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
        continue;
      }
      this.value(member, item, memberPath, depth + 1);
    }
  }

  private value(ref: ShapeRef, value: unknown, path: string, depth: number): void {
    const shape = this.shape(ref.shape);
    for (const failure of failures(shape, value)) this.others.push(describe(shape, value, path, failure));
    if (shape.type === 'structure' && !shape.document && isRecord(value)) this.structure(shape, value, path, depth);
    else if (shape.type === 'list' && Array.isArray(value)) this.list(shape.member, value, path, depth);
    else if (shape.type === 'map' && isRecord(value)) this.map(shape.key, shape.value, value, path, depth);
  }

  private list(member: ShapeRef, items: unknown[], path: string, depth: number): void {
    const shape = this.shape(member.shape);
    if (isContainer(shape)) {
      items.forEach((item, i) => this.value(member, item, `${path}.${i + 1}.member`, depth + 1));
      return;
    }
    const found = collect(items.map((item) => failures(shape, item)));
    if (found.length) this.others.push(describe({ type: 'list' }, items, path, `Member must satisfy constraint: [${found.join(', ')}]`, shape));
  }

  private map(key: ShapeRef, val: ShapeRef, value: Record<string, unknown>, path: string, depth: number): void {
    const keyShape = this.shape(key.shape);
    const valueShape = this.shape(val.shape);
    const keyFailures = collect(Object.keys(value).map((k) => failures(keyShape, k)));
    if (keyFailures.length) this.others.push(describe({ type: 'map' }, value, path, `Map keys must satisfy constraint: [${keyFailures.join(', ')}]`, valueShape));
    if (isContainer(valueShape)) {
      for (const [k, v] of Object.entries(value)) this.value(val, v, `${path}.${k}.member`, depth + 1);
      return;
    }
    const valueFailures = collect(Object.values(value).map((v) => failures(valueShape, v)));
    if (valueFailures.length) this.others.push(describe({ type: 'map' }, value, path, `Map value must satisfy constraint: [${valueFailures.join(', ')}]`, valueShape));
  }
}

/** The constraint messages a single value fails (length, range, pattern, enum). */
function failures(shape: Shape, value: unknown): string[] {
  const out: string[] = [];
  const size = sizeOf(shape, value);
  const noun = size === undefined ? 'value' : 'length';
  const measure = size ?? (typeof value === 'number' ? value : undefined);
  if (measure !== undefined && shape.min !== undefined && measure < shape.min) out.push(`Member must have ${noun} greater than or equal to ${shape.min}`);
  if (measure !== undefined && shape.max !== undefined && measure > shape.max) out.push(`Member must have ${noun} less than or equal to ${shape.max}`);
  if (shape.type === 'string' && typeof value === 'string') {
    const regex = shape.pattern ? compileJavaPattern(shape.pattern) : undefined;
    if (regex && !regex.test(value)) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
    if (shape.enum && !shape.enum.includes(value)) out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  }
  return out;
}

function sizeOf(shape: Shape, value: unknown): number | undefined {
  switch (shape.type) {
    case 'string': return typeof value === 'string' ? value.length : undefined;
    case 'blob': return value instanceof Uint8Array ? value.byteLength : undefined;
    case 'list': return Array.isArray(value) ? value.length : undefined;
    case 'map': return isRecord(value) ? Object.keys(value).length : undefined;
    default: return undefined;
  }
}

/** `Value '<v>' at '<path>' …`; sensitive values are left out (`Value at 'plaintext' …`), as AWS does. */
function describe(shape: Pick<Shape, 'type' | 'sensitive'>, value: unknown, path: string, failure: string, element?: Shape): string {
  const hidden = shape.sensitive || element?.sensitive;
  const shown = hidden ? 'Value' : `Value '${javaString(value)}'`;
  return `${shown} at '${path}' failed to satisfy constraint: ${failure}`;
}

/** How Java's toString prints the value AWS echoes back. */
function javaString(value: unknown): string {
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (isRecord(value)) return `{${Object.entries(value).map(([k, v]) => `${k}=${javaString(v)}`).join(', ')}}`;
  return String(value);
}

function collect(lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}

function isContainer(shape: Shape): boolean {
  return shape.type === 'structure' || shape.type === 'list' || shape.type === 'map';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

/** botocore PascalCase → AWS's lower camel: `UserName` → `userName`, `KMSKeyId` → `kmsKeyId`, `ARN` → `arn`. */
export function lowerCamel(name: string): string {
  const run = /^[A-Z]+/.exec(name)?.[0] ?? '';
  if (run.length <= 1) return name.charAt(0).toLowerCase() + name.slice(1);
  if (run.length === name.length) return name.toLowerCase();
  const keep = /[a-z]/.test(name.charAt(run.length)) ? run.length - 1 : run.length;
  return name.slice(0, keep).toLowerCase() + name.slice(keep);
}
