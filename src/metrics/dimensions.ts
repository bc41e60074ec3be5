import type { Dimension } from './types.js';

/**
 * The stored form of a dimension set: JSON of [{Name, Value}] sorted by Name (code point order), so a series
 * is found by exact text match whichever order a caller listed its dimensions in. CloudWatch's GetMetricData
 * and alarms use the same function to look series up.
 */
export function canonicalDimensions(dims: Dimension[] | Record<string, string>): string {
  const list = Array.isArray(dims) ? dims.map((d) => ({ Name: d.Name, Value: d.Value })) : Object.entries(dims).map(([Name, Value]) => ({ Name, Value }));
  list.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  for (let i = 1; i < list.length; i++) {
    if (list[i].Name === list[i - 1].Name) throw new RangeError(`dimension ${list[i].Name} is given twice`);
  }
  return JSON.stringify(list);
}

export function parseDimensions(text: string): Dimension[] {
  return JSON.parse(text) as Dimension[];
}
