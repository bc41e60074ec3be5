// BENCH_BURN_US=N makes burn() spin for N µs: the bare baselines call it once per request, which is the calibration
// that shows how much per-request work a throughput ratio leaves (bench/lib.ts budget()).
const burnNs = BigInt(Math.round(Number(process.env.BENCH_BURN_US ?? 0) * 1000));

export function burn() {
  if (burnNs === 0n) return;
  const until = process.hrtime.bigint() + burnNs;
  while (process.hrtime.bigint() < until);
}
