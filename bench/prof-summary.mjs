// Summarises a V8 .cpuprofile: self time by function (top N) and by file. Usage: node bench/prof-summary.mjs FILE [N]
import { readFileSync } from 'node:fs';
const [file, n = '40'] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((x) => [x.id, x]));
const self = new Map();
const dt = p.timeDeltas;
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
const fn = new Map(); const files = new Map(); let total = 0;
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame; total += us;
  const f = (cf.url || '(native)').replace(/^.*\/(node_modules\/[^/]+|src|dist)\//, '$1/');
  const k = `${cf.functionName || '(anon)'}  ${f}:${cf.lineNumber + 1}`;
  fn.set(k, (fn.get(k) ?? 0) + us); files.set(f, (files.get(f) ?? 0) + us);
}
const show = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).forEach(([name, us]) => console.log(`${(100 * us / total).toFixed(1).padStart(5)}%  ${name}`));
console.log(`total ${(total / 1e6).toFixed(2)} s`); show(fn, Number(n)); console.log('--- by file'); show(files, 25);
// Inclusive time of named functions (PROF_FUNCS=a,b,c), counted once per sample even under recursion.
if (process.env.PROF_FUNCS) {
  const want = new Set(process.env.PROF_FUNCS.split(','));
  const parent = new Map();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const incl = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur).callFrame.functionName;
      if (want.has(name) && !seen.has(name)) { seen.add(name); incl.set(name, (incl.get(name) ?? 0) + us); }
    }
  }
  console.log('--- inclusive'); show(incl, 100);
}
