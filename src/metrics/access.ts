/** Who may scrape `GET /_vigil/metrics`: nobody, clients on this machine, or anyone who can reach the listener. */
export type MetricsAccess = 'off' | 'loopback' | 'public';

/**
 * 127.0.0.0/8 and ::1 (IPv4-mapped forms included). Behind a reverse proxy on the same host every client looks
 * local: use `off` there, or let the proxy restrict the path.
 */
export function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  return ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}

export function metricsAllowed(access: MetricsAccess, sourceIp: string): boolean {
  return access === 'public' || (access === 'loopback' && isLoopback(sourceIp));
}
