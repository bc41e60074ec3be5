/**
 * The code of the worker thread user scripts run in (kept as text so it runs the same from sources and from the
 * build). The script is evaluated in a fresh V8 context with no Node APIs (no require, process, timers or eval),
 * created from a null-prototype sandbox so nothing leads back to the worker's globals; data crosses the boundary only
 * as JSON text. The worker itself has V8 heap limits, and the parent terminates it when a call runs too long.
 *
 * V8's heap limits do not cover ArrayBuffer backing stores, typed arrays or WebAssembly memory, so the sandbox has
 * none of them: every binary-buffer constructor (and Atomics, WebAssembly, Buffer) is replaced by a getter that
 * throws, before the user's code runs. Results are capped (workerData.maxResultBytes of JSON) and so are logs
 * (MAX_LOG_LINES lines of MAX_LOG_LINE_CHARS characters per call).
 */
export const MAX_LOG_LINES = 100;
export const MAX_LOG_LINE_CHARS = 1024;

/** Globals removed from the sandbox: memory they hold is outside the worker's heap limits. */
export const REMOVED_GLOBALS = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'WebAssembly', 'Buffer',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');
const sandbox = Object.create(null);
const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false }, name: 'vigil-monitor-script' });
const MAX_LOG_LINES = ${MAX_LOG_LINES};
const MAX_LOG_LINE_CHARS = ${MAX_LOG_LINE_CHARS};
// Binary buffers live outside the heap limits: gone from the sandbox before any user code runs.
vm.runInContext('(function (names) { for (var i = 0; i < names.length; i++) { var n = names[i]; delete globalThis[n];'
  + ' Object.defineProperty(globalThis, n, { configurable: false, enumerable: false, get: (function (n) { return function () {'
  + ' throw new Error(n + " is not available to monitoring scripts (binary buffers are not allowed: scripts get plain JavaScript objects only)"); }; })(n) }); } })('
  + ${JSON.stringify(JSON.stringify(REMOVED_GLOBALS))} + ')', context);
const prelude = [
  'var module = { exports: {} }; var exports = module.exports; var __logs = [];',
  'var __log = function (level) { return function () { if (__logs.length >= ' + MAX_LOG_LINES + ') return;'
    + ' __logs.push((level + " " + Array.prototype.map.call(arguments, String).join(" ")).slice(0, ' + MAX_LOG_LINE_CHARS + ')); }; };',
  'var logger = { debug: __log("DEBUG"), info: __log("INFO"), warn: __log("WARN"), warning: __log("WARN"), error: __log("ERROR") };',
  'var console = { log: logger.info, info: logger.info, debug: logger.debug, warn: logger.warn, error: logger.error };',
].join('\n');
let ready;
try {
  vm.runInContext(prelude, context);
  vm.runInContext(workerData.source, context, { filename: workerData.filename, timeout: workerData.timeoutMs });
  vm.runInContext('var __name = ' + JSON.stringify(workerData.handler) + ';'
    + 'var __fn = typeof module.exports[__name] === "function" ? module.exports[__name]'
    + ' : typeof exports[__name] === "function" ? exports[__name] : typeof globalThis[__name] === "function" ? globalThis[__name] : undefined;'
    + 'if (!__fn) throw new Error("the script defines no function " + __name);', context);
  ready = { ok: true };
} catch (err) {
  ready = { ok: false, error: String(err && err.message || err) };
}
const call = new vm.Script('(async function () { var args = JSON.parse(__in); var r = await __fn.apply(undefined, args.concat([logger])); '
  + 'return JSON.stringify(r === undefined ? null : r); })()');
parentPort.on('message', async (msg) => {
  if (!ready.ok) return parentPort.postMessage({ id: msg.id, error: ready.error });
  try {
    sandbox.__in = msg.args;
    const out = await call.runInContext(context, { timeout: workerData.timeoutMs });
    const logs = takeLogs();
    if (typeof out !== 'string') return parentPort.postMessage({ id: msg.id, error: 'the handler result could not be serialised as JSON', logs });
    const size = Buffer.byteLength(out, 'utf8');
    if (size > workerData.maxResultBytes) {
      return parentPort.postMessage({ id: msg.id, logs, error: 'the handler returned ' + size + ' bytes of JSON, over the limit of '
        + workerData.maxResultBytes + ' bytes' });
    }
    parentPort.postMessage({ id: msg.id, result: out, logs });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: String(err && err.message || err), logs: takeLogs() });
  }
});
/** This call's log lines, capped to MAX_LOG_LINES strings of MAX_LOG_LINE_CHARS (whatever the script did to __logs). */
function takeLogs() {
  try {
    const raw = vm.runInContext('(function () { var l = __logs; __logs = []; return l; })()', context, { timeout: 1000 });
    const out = [];
    if (Array.isArray(raw)) {
      const n = Math.min(raw.length, MAX_LOG_LINES);
      for (let i = 0; i < n; i++) if (typeof raw[i] === 'string') out.push(raw[i].slice(0, MAX_LOG_LINE_CHARS));
    }
    return JSON.stringify(out);
  } catch {
    return '[]';
  }
}
`;
