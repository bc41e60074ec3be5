import type { Logger } from 'pino';
import type { ContainerSpec, LoadContext, ModelRuntime, RuntimeFactory } from '../types.js';
import { HttpContainerRuntime, type ContainerSettings } from './container-runtime.js';
import { ExecRuntime, type ExecSettings } from './exec-runtime.js';
import { OnnxRuntime } from './onnx-runtime.js';
import { PipelineRuntime } from './pipeline.js';

export interface RuntimeOptions {
  log: Logger;
  /** Lets CreateModel run `vigil/exec` servers: a host command with Vigil's privileges, so off unless asked for. */
  allowExecModels: boolean;
  /**
   * Lets CreateModel name an `http(s)://` model server. Off by default: Vigil would send requests (and report what
   * came back) to any address a caller names, reaching hosts on Vigil's network that the caller cannot (SSRF).
   */
  allowModelServerUrls?: boolean;
  /** Base directory for the unpacked model data of spawned servers (one fresh subdirectory each). */
  workDir: string;
  /** Per-invocation deadline for a container; AWS's is 60 s. */
  invocationTimeoutMs?: number;
  /** How long load() waits for a running server (`http(s)://` image) to answer `/ping` 200; default 30 s. */
  pingTimeoutMs?: number;
  /** How long a `vigil/exec` server has to start and answer `/ping` 200; default 120 s. */
  startupTimeoutMs?: number;
  /** SIGTERM → SIGKILL delay when stopping a `vigil/exec` server; default 10 s. */
  stopGraceMs?: number;
  /** Restart delays after a `vigil/exec` server dies: initial, doubling up to max; default 1 s → 30 s. */
  restartBackoffMs?: { initial: number; max: number };
  /** Largest container response accepted; default 6 MB, InvokeEndpoint's payload limit. */
  maxResponseBytes?: number;
}

/** `vigil/onnx`, optionally tagged (`vigil/onnx:1`, `vigil/onnx:latest`): the tag is accepted and ignored. */
const ONNX_IMAGE = /^vigil\/onnx(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
const EXEC_IMAGE = /^vigil\/exec(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
const URL_IMAGE = /^https?:\/\//i;

function loadOne(spec: ContainerSpec, ctx: LoadContext, container: string, opts: RuntimeOptions, settings: ExecSettings): Promise<ModelRuntime> {
  if (spec.Mode === 'MultiModel') throw new Error('Multi-model containers (Mode MultiModel) are not supported by Vigil.');
  if (ONNX_IMAGE.test(spec.Image)) return OnnxRuntime.load(spec, ctx, container);
  if (URL_IMAGE.test(spec.Image)) {
    if (!opts.allowModelServerUrls) {
      throw new Error('Model server URLs (an http(s):// image) are disabled on this server: Vigil would call any address a ' +
        'caller names (start the server with --allow-model-server-urls to allow it).');
    }
    return HttpContainerRuntime.load(spec, ctx, container, settings);
  }
  if (EXEC_IMAGE.test(spec.Image)) {
    if (!opts.allowExecModels) {
      throw new Error('The vigil/exec image runs a command on the Vigil host and is disabled on this server ' +
        '(start the server with --allow-exec-models to allow it).');
    }
    return ExecRuntime.load(spec, ctx, container, settings);
  }
  throw new Error(`The container image '${spec.Image}' is not supported: use vigil/onnx (the built-in ONNX runtime), ` +
    'the http(s):// URL of a running SageMaker-compatible model server, or vigil/exec (a model server Vigil starts).');
}

export function createRuntimeFactory(opts: RuntimeOptions): RuntimeFactory {
  const container: ContainerSettings = {
    invocationTimeoutMs: opts.invocationTimeoutMs ?? 60_000,
    maxResponseBytes: opts.maxResponseBytes ?? 6 * 1024 * 1024,
    pingTimeoutMs: opts.pingTimeoutMs ?? 30_000,
  };
  const settings: ExecSettings = {
    ...container,
    workDir: opts.workDir,
    startupTimeoutMs: opts.startupTimeoutMs ?? 120_000,
    stopGraceMs: opts.stopGraceMs ?? 10_000,
    restartBackoffMs: opts.restartBackoffMs ?? { initial: 1000, max: 30_000 },
  };
  return {
    async load(containers: ContainerSpec[], ctx: LoadContext): Promise<ModelRuntime> {
      if (containers.length === 0) throw new Error('The model has no containers.');
      if (containers.length === 1) return loadOne(containers[0], ctx, 'primary', opts, settings);
      const stages: ModelRuntime[] = [];
      try {
        for (let i = 0; i < containers.length; i++) {
          try {
            stages.push(await loadOne(containers[i], ctx, `container-${i + 1}`, opts, settings));
          } catch (err) {
            throw new Error(`Container ${i + 1} of the inference pipeline: ${(err as Error).message}`);
          }
        }
      } catch (err) {
        await Promise.allSettled(stages.map((s) => s.close()));
        throw err;
      }
      opts.log.debug({ model: ctx.label, stages: stages.map((s) => s.kind) }, 'inference pipeline loaded');
      return new PipelineRuntime(stages);
    },
  };
}
