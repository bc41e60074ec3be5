import type { InvokeRequest, InvokeResult, ModelRuntime } from '../types.js';

/**
 * An inference pipeline: containers run in order, each one's response body and Content-Type becoming the next one's
 * request. The caller's Accept goes to the last container only; the ones before it answer in their own default
 * format (SageMaker framework containers: SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT), which is what the next one reads.
 * Custom attributes and the inference id go to every container; the response's custom attributes are the last one's.
 */
export class PipelineRuntime implements ModelRuntime {
  readonly kind = 'pipeline';
  readonly #stages: ModelRuntime[];

  constructor(stages: ModelRuntime[]) {
    this.#stages = stages;
  }

  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    const last = this.#stages.length - 1;
    let body = req.body;
    let contentType = req.contentType;
    let result: InvokeResult | undefined;
    for (let i = 0; i <= last; i++) {
      result = await this.#stages[i].invoke({
        body, contentType,
        accept: i === last ? req.accept : undefined,
        customAttributes: req.customAttributes,
        inferenceId: req.inferenceId,
      });
      body = result.body;
      contentType = result.contentType;
    }
    return result!;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#stages.map((s) => s.close()));
  }
}
