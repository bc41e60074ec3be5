import type { LiveEndpoint, LiveVariant } from '../../inference/types.js';
import { runtimeErrors } from './errors.js';

/**
 * Picks the production variant that serves a request: the one TargetVariant names, else a weighted random draw
 * over the variants' current weights, as SageMaker routes traffic.
 */
export function chooseVariant(ep: LiveEndpoint, target: string | undefined, random: () => number = Math.random): LiveVariant {
  const variants = ep.variants;
  if (target !== undefined) {
    const named = variants.find((v) => v.name === target);
    if (!named) throw runtimeErrors.variantNotFound(target, ep.name);
    return named;
  }
  if (variants.length === 1 && variants[0].weight > 0) return variants[0];
  let total = 0;
  for (const v of variants) total += v.weight > 0 ? v.weight : 0;
  if (total <= 0) throw runtimeErrors.noTrafficVariant(ep.name);
  let draw = random() * total;
  for (const v of variants) {
    if (v.weight <= 0) continue;
    draw -= v.weight;
    if (draw < 0) return v;
  }
  // Floating-point leftovers land on the last variant with traffic.
  return [...variants].reverse().find((v) => v.weight > 0)!;
}
