import ipaddr from 'ipaddr.js';

/** IP matching for IpAddress/NotIpAddress, IPv4 and IPv6, via ipaddr.js. */

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [Address, number];

/**
 * Parses a policy value: a CIDR, or a bare address meaning /32 (IPv4) or /128 (IPv6). IPv4 must be dotted
 * decimal: ipaddr.js would also accept `10.1` or hex parts, which AWS does not. Undefined when invalid.
 */
export function parseCidr(value: string): Cidr | undefined {
  const v = value.trim();
  try {
    if (v.includes('/')) {
      if (ipaddr.IPv4.isValidCIDR(v)) return ipaddr.IPv4.isValidCIDRFourPartDecimal(v) ? ipaddr.IPv4.parseCIDR(v) : undefined;
      return ipaddr.IPv6.isValidCIDR(v) ? ipaddr.IPv6.parseCIDR(v) : undefined;
    }
    if (ipaddr.IPv4.isValidFourPartDecimal(v)) return [ipaddr.IPv4.parse(v), 32];
    return ipaddr.IPv6.isValid(v) ? [ipaddr.IPv6.parse(v), 128] : undefined;
  } catch {
    return undefined;
  }
}

// Request addresses repeat (one client, many calls): remember recent parses instead of re-parsing each time.
const ADDRESS_CACHE_MAX = 4096;
const addressCache = new Map<string, Address | null>();

/** Parses a request address; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is treated as the IPv4 address. */
export function parseAddress(value: string): Address | undefined {
  let a = addressCache.get(value);
  if (a === undefined) {
    a = ipaddr.isValid(value) ? ipaddr.process(value) : null;
    if (addressCache.size >= ADDRESS_CACHE_MAX) addressCache.clear();
    addressCache.set(value, a);
  }
  return a ?? undefined;
}

export function inCidr(address: Address, cidr: Cidr): boolean {
  return address.kind() === cidr[0].kind() && address.match(cidr);
}
