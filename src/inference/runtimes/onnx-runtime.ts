import { posix } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ContainerSpec, InvokeRequest, InvokeResult, LoadContext, ModelRuntime } from '../types.js';
import { readArtifact, type ArchiveEntry } from './archive.js';
import { modelError, serviceUnavailable } from './errors.js';
import { MEDIA_TYPE, requestMedia, responseMedia } from './media.js';
import { parseCsv, parseJson, PayloadError, type Batch, type InputShape } from './onnx-input.js';
import { formatOutputs, planOutputs, type OutputPlan } from './onnx-output.js';

/**
 * The built-in runtime (`vigil/onnx`): one warm onnxruntime session per variant, on the CPU, in this process.
 * It answers bad requests the way a SageMaker container would (a ModelError carrying the 4xx it "returned"), so
 * clients see the same errors whether a model runs here or behind a container.
 */

/** AWS caps FailureReason at 1024 characters; onnxruntime's load errors can be longer. */
const clip = (s: string): string => (s.length > 900 ? `${s.slice(0, 900)}…` : s);

/** The one `.onnx` file of an artifact: `model.onnx` if present (top level first), else the only `*.onnx`. */
export function pickOnnxFile(entries: ArchiveEntry[]): Buffer {
  if (entries.length === 1 && entries[0].path === '') return entries[0].data;
  const onnx = entries.filter((e) => e.path.toLowerCase().endsWith('.onnx'));
  const named = onnx.filter((e) => posix.basename(e.path) === 'model.onnx').sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  if (named.length > 0) return named[0].data;
  if (onnx.length === 1) return onnx[0].data;
  if (onnx.length === 0) {
    const listed = entries.slice(0, 10).map((e) => e.path).join(', ');
    throw new Error(`the model archive contains no .onnx file (it holds: ${listed || 'nothing'})`);
  }
  throw new Error(`the model archive contains several .onnx files (${onnx.map((e) => e.path).join(', ')}) and none is named model.onnx; ` +
    'name the one to serve model.onnx');
}

/**
 * One thread per session run, no spin-waiting: requests already arrive concurrently (each run is its own libuv work
 * item), and ORT's spinning pool threads would otherwise burn the CPU the gateway needs while they wait for work.
 */
export const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

interface InputPlan extends InputShape {
  name: string;
  /** A fixed batch dimension (rare: exporters that froze N), checked before running. */
  batch: number | undefined;
}

function planInput(session: InferenceSession): InputPlan {
  const inputs = session.inputMetadata;
  if (inputs.length !== 1) {
    throw new Error(`Vigil's ONNX runtime serves models with one float tensor input [N, F]; this model has ${inputs.length} inputs ` +
      `(${session.inputNames.join(', ')})`);
  }
  const m = inputs[0];
  if (!m.isTensor || (m.type !== 'float32' && m.type !== 'float64')) {
    throw new Error(`the model's input '${m.name}' must be a float or double tensor [N, F]; it is ${m.isTensor ? m.type : 'not a tensor'}`);
  }
  if (m.shape.length !== 0 && m.shape.length !== 2) {
    throw new Error(`the model's input '${m.name}' must have shape [N, F]; it has [${m.shape.join(', ')}]`);
  }
  const fixed = (d: number | string | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);
  return { name: m.name, float64: m.type === 'float64', features: fixed(m.shape[1]), batch: fixed(m.shape[0]) };
}

export class OnnxRuntime implements ModelRuntime {
  readonly kind = 'onnx';
  #session: InferenceSession | undefined;
  readonly #input: InputPlan;
  readonly #output: OutputPlan;
  readonly #container: string;

  private constructor(session: InferenceSession, input: InputPlan, output: OutputPlan, container: string) {
    this.#session = session;
    this.#input = input;
    this.#output = output;
    this.#container = container;
  }

  /** `container` is how errors name it: `primary`, or its place in a pipeline. */
  static async load(spec: ContainerSpec, ctx: LoadContext, container: string): Promise<OnnxRuntime> {
    if (!spec.ModelDataUrl) throw new Error('The vigil/onnx image needs a ModelDataUrl pointing at a model.onnx or a model.tar.gz holding one.');
    let bytes: Buffer;
    try {
      bytes = await ctx.artifacts.fetch(spec.ModelDataUrl);
    } catch (err) {
      throw new Error(clip(`Could not read the model artifact ${spec.ModelDataUrl}: ${(err as Error).message}`));
    }
    let session: InferenceSession;
    try {
      const model = pickOnnxFile(await readArtifact(bytes));
      session = await InferenceSession.create(model, SESSION_OPTIONS);
    } catch (err) {
      throw new Error(clip(`The ONNX model at ${spec.ModelDataUrl} could not be loaded: ${(err as Error).message}`));
    }
    try {
      const runtime = new OnnxRuntime(session, planInput(session), planOutputs(session.outputMetadata), container);
      ctx.log.info({ model: ctx.label, input: runtime.#input, outputs: runtime.#output.fetch }, 'onnx model loaded');
      return runtime;
    } catch (err) {
      await session.release().catch(() => undefined);
      throw new Error(clip(`The ONNX model at ${spec.ModelDataUrl} cannot be served: ${(err as Error).message}`));
    }
  }

  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    const session = this.#session;
    if (session === undefined) throw serviceUnavailable('the model has been unloaded');
    const media = requestMedia(req.contentType);
    if (media === undefined) {
      throw modelError(this.#container, 415, `content type '${req.contentType}' is not supported; send text/csv or application/json`);
    }
    const out = responseMedia(req.accept, media);
    if (out === undefined) throw modelError(this.#container, 406, `Accept '${req.accept}' is not supported; accept text/csv or application/json`);
    const input = this.#input;
    let batch: Batch;
    try {
      batch = media === 'csv' ? parseCsv(req.body, input) : parseJson(req.body, input);
    } catch (err) {
      throw err instanceof PayloadError ? modelError(this.#container, err.status, err.message) : err;
    }
    if (input.batch !== undefined && batch.rows !== input.batch) {
      throw modelError(this.#container, 400, `the model takes exactly ${input.batch} row(s) per request; the request has ${batch.rows}`);
    }
    const tensor = new Tensor(input.float64 ? 'float64' : 'float32', batch.data, [batch.rows, batch.cols]);
    let results: InferenceSession.OnnxValueMapType;
    try {
      results = await session.run({ [input.name]: tensor }, this.#output.fetch);
    } catch (err) {
      throw modelError(this.#container, 500, `the model failed to run: ${(err as Error).message}`);
    }
    try {
      return { body: Buffer.from(formatOutputs(this.#output, results, batch.rows, out)), contentType: MEDIA_TYPE[out] };
    } catch (err) {
      throw err instanceof PayloadError ? modelError(this.#container, err.status, err.message) : err;
    }
  }

  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.release();
  }
}
