/**
 * The code of the worker thread user scripts run in (kept as text so it runs the same from sources and from the
 * build). The script is evaluated in a fresh V8 context with no Node APIs (no require, process, timers or eval),
 * created from a null-prototype sandbox so nothing leads back to the worker's globals; data crosses the boundary only
 * as JSON text. The worker itself has V8 heap limits, and the parent terminates it when a call runs too long.
 */
export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');
const sandbox = Object.create(null);
const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false }, name: 'vigil-monitor-script' });
const prelude = [
  'var module = { exports: {} }; var exports = module.exports; var __logs = [];',
  'var __log = function (level) { return function () { __logs.push(level + " " + Array.prototype.map.call(arguments, String).join(" ")); }; };',
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
    const logs = vm.runInContext('JSON.stringify(__logs.splice(0))', context);
    parentPort.postMessage({ id: msg.id, result: out, logs });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: String(err && err.message || err) });
  }
});
`;
