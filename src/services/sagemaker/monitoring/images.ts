/**
 * The container images Vigil runs in-process. AWS's analyzer lives in a per-region ECR registry
 * (`156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer`, spec §2); the Python SDK
 * resolves that URI itself, so any registry/account prefix and any tag or digest is accepted.
 */
import { smErrors } from '../errors.js';

const SUFFIX = '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$';
const ANALYZER = new RegExp(`^(?:[^\\s]*/)?(?:sagemaker-model-monitor-analyzer|vigil/model-monitor-analyzer)${SUFFIX}`);

export const SUPPORTED_IMAGES = '<registry>/sagemaker-model-monitor-analyzer[:tag] (the Model Monitor analyzer) and vigil/model-monitor-analyzer[:tag]';

export function isAnalyzerImage(uri: string): boolean {
  return ANALYZER.test(uri);
}

export function checkAnalyzerImage(uri: string, member: string): void {
  if (!isAnalyzerImage(uri)) {
    throw smErrors.validation(`${member} '${uri}' is not an image Vigil can run. Supported images: ${SUPPORTED_IMAGES}.`);
  }
}
