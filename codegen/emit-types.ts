/**
 * TypeScript interfaces for the shapes an operation's input and output reach. Providers get plain interfaces at the
 * API boundary (style-anchors §7.11: no type-level cleverness); enums become string-literal unions.
 */
import type { Member, ServiceModel, Shape } from '../src/protocol/schema.js';

/** Names the generated module itself uses, or that would shadow globals the emitted types refer to. */
const RESERVED = new Set(['Date', 'Uint8Array', 'Record', 'Array', 'ServiceModel', 'OperationName', 'Operations',
  'model', 'Partial', 'Required', 'Readonly', 'Buffer']);

const NUMERIC = new Set(['integer', 'long', 'float', 'double', 'bigdecimal']);

export class TypeEmitter {
  private readonly names = new Map<string, string>();

  constructor(private readonly model: ServiceModel) {}

  /** Declarations for every structure and enum reachable from operation inputs and outputs, in model order. */
  declarations(): string[] {
    const reachable = this.reachable();
    const lines: string[] = [];
    for (const [name, shape] of Object.entries(this.model.shapes)) {
      if (!reachable.has(name)) continue;
      if (shape.type === 'structure') lines.push(this.structure(name, shape.members, shape.required ?? []));
      else if (shape.type === 'string' && shape.enum) lines.push(this.enumeration(name, shape.enum));
    }
    return lines;
  }

  /** The TypeScript name used for a shape (a reserved name gets a `Shape` suffix). */
  typeName(shapeName: string): string {
    let name = this.names.get(shapeName);
    if (!name) {
      name = RESERVED.has(shapeName) ? `${shapeName}Shape` : shapeName;
      if (name !== shapeName && this.model.shapes[name]) throw new Error(`type name clash for ${shapeName}`);
      this.names.set(shapeName, name);
    }
    return name;
  }

  private reachable(): Set<string> {
    const seen = new Set<string>();
    const stack: string[] = [];
    for (const op of Object.values(this.model.operations)) {
      if (op.input) stack.push(op.input.shape);
      if (op.output) stack.push(op.output.shape);
    }
    while (stack.length) {
      const name = stack.pop() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push(...childShapes(this.model.shapes[name]));
    }
    return seen;
  }

  private structure(name: string, members: Record<string, Member>, required: string[]): string {
    const fields = Object.entries(members).map(([m, ref]) => {
      const optional = required.includes(m) ? '' : '?';
      return `${propertyName(m)}${optional}: ${this.refType(ref.shape)}`;
    });
    return `export interface ${this.typeName(name)} { ${fields.join('; ')}${fields.length ? ' ' : ''}}`;
  }

  private enumeration(name: string, values: string[]): string {
    return `export type ${this.typeName(name)} = ${values.map((v) => quote(v)).join(' | ')};`;
  }

  /** The type of a member pointing at `shapeName`. */
  refType(shapeName: string): string {
    const shape = this.model.shapes[shapeName];
    if (!shape) throw new Error(`unknown shape ${shapeName}`);
    switch (shape.type) {
      case 'structure': return this.typeName(shapeName);
      case 'string': return shape.enum ? this.typeName(shapeName) : 'string';
      case 'boolean': return 'boolean';
      case 'timestamp': return 'Date';
      case 'blob': return 'Uint8Array';
      case 'list': return `${wrapArrayElement(this.refType(shape.member.shape))}[]`;
      case 'map': return `Record<string, ${this.refType(shape.value.shape)}>`;
      default:
        if (NUMERIC.has(shape.type)) return 'number';
        throw new Error(`unmapped shape type ${(shape as Shape).type}`);
    }
  }
}

function childShapes(shape: Shape | undefined): string[] {
  if (!shape) return [];
  if (shape.type === 'structure') return Object.values(shape.members).map((m) => m.shape);
  if (shape.type === 'list') return [shape.member.shape];
  if (shape.type === 'map') return [shape.key.shape, shape.value.shape];
  return [];
}

function wrapArrayElement(type: string): string {
  return /^[\w.]+(\[\])*$/.test(type) ? type : `(${type})`;
}

export function propertyName(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name);
}

export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
