/**
 * awsQuery input: form parameters (`Tags.member.1.Key=k`) → the nested tree shape-walk.ts reads. The dotted keys are
 * only meaningful against the input shape (list `member`, map `entry`, flattened forms, locationName renames), so the
 * tree is built by walking the shape over a trie of the keys.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#query-key-resolution
 */
import { CommonErrors } from './errors.js';
import { setKey } from './scalars.js';
import type { ListShape, MapShape, ServiceModel, StructureShape } from './schema.js';
import { MAX_DEPTH, shapeOf, type ShapeRef, wireName } from './shape-walk.js';

/** Decodes `a=1&b=x+y`; a bad percent escape is MalformedQueryString, as AWS answers. */
export function parseForm(text: string): Map<string, string> {
  const params = new Map<string, string>();
  if (!text) return params;
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    params.set(key, eq < 0 ? '' : decodeComponent(part.slice(eq + 1)));
  }
  return params;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw CommonErrors.serialization(`Invalid form encoding near '${text.slice(0, 64)}'`, 'query');
  }
}

interface TrieNode {
  value?: string;
  children?: Map<string, TrieNode>;
}

function buildTrie(params: Map<string, string>): TrieNode {
  const root: TrieNode = {};
  for (const [key, value] of params) {
    let node = root;
    for (const part of key.split('.')) {
      node.children ??= new Map();
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = {}));
      node = next;
    }
    node.value = value;
  }
  return root;
}

/** The input tree of an operation, keyed like a JSON body so the shared reader can coerce it. */
export function formToTree(model: ServiceModel, shapeName: string, params: Map<string, string>): Record<string, unknown> {
  return (new TreeBuilder(model).build({ shape: shapeName }, buildTrie(params), 0) ?? {}) as Record<string, unknown>;
}

class TreeBuilder {
  constructor(private readonly model: ServiceModel) {}

  build(ref: ShapeRef, node: TrieNode | undefined, depth: number): unknown {
    if (!node) return undefined;
    if (depth > MAX_DEPTH) throw CommonErrors.serialization(`Parameter nesting exceeds the maximum depth of ${MAX_DEPTH}`, 'query');
    const shape = shapeOf(this.model, ref.shape);
    switch (shape.type) {
      case 'structure': return shape.document ? node.value : this.structure(shape, node, depth);
      case 'list': return this.list(ref, shape, node, depth);
      case 'map': return this.map(ref, shape, node, depth);
      default: return node.value;
    }
  }

  private structure(shape: StructureShape, node: TrieNode, depth: number): Record<string, unknown> | undefined {
    if (!node.children) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(shape.members)) {
      const value = this.build(member, node.children.get(this.paramName(name, member)), depth + 1);
      if (value !== undefined) out[wireName(name, member)] = value;
    }
    return out;
  }

  /** botocore: a flattened list member named by its element's locationName uses that name as the parameter. */
  private paramName(name: string, member: ShapeRef & { shape: string }): string {
    const shape = shapeOf(this.model, member.shape);
    if (shape.type === 'list' && (member.flattened || shape.flattened) && shape.member.locationName) {
      return shape.member.locationName;
    }
    return member.locationName ?? name;
  }

  private list(ref: ShapeRef, shape: ListShape, node: TrieNode, depth: number): unknown[] {
    const flat = ref.flattened || shape.flattened;
    const container = flat ? node : node.children?.get(shape.member.locationName ?? 'member');
    // `Name=` with no members is how clients send an empty list.
    return indexed(container).map((item) => this.build(shape.member, item, depth + 1));
  }

  private map(ref: ShapeRef, shape: MapShape, node: TrieNode, depth: number): Record<string, unknown> {
    const flat = ref.flattened || shape.flattened;
    const container = flat ? node : node.children?.get('entry');
    const out: Record<string, unknown> = {};
    for (const entry of indexed(container)) {
      const key = entry.children?.get(shape.key.locationName ?? 'key')?.value;
      if (key === undefined) continue;
      setKey(out, key, this.build(shape.value, entry.children?.get(shape.value.locationName ?? 'value'), depth + 1));
    }
    return out;
  }
}

/** Children named 1, 2, … in numeric order; gaps are closed rather than allocated (`member.99999999` is one item). */
function indexed(node: TrieNode | undefined): TrieNode[] {
  if (!node?.children) return [];
  const items: [number, TrieNode][] = [];
  for (const [key, child] of node.children) if (/^\d{1,9}$/.test(key)) items.push([Number(key), child]);
  return items.sort((a, b) => a[0] - b[0]).map(([, child]) => child);
}
