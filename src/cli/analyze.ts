/** `vigil analyze`: check a dataset against a baseline; writes statistics, violations and an HTML report. */
import { join } from 'node:path';
import { parseConstraints } from '../monitor/constraints.js';
import { jacksonPretty } from '../monitor/constraints.js';
import { isS3Uri, readText } from '../monitor/inputs/index.js';
import { analyzeAgainstBaseline } from '../monitor/jobs.js';
import { renderReport } from '../monitor/report/html.js';
import { parseStatistics } from '../monitor/schema.js';
import { formatViolations } from '../monitor/violations.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_VIOLATIONS, finishInput, openInput, profileInput, required, runCommand, writeOutputs, type InputOptions } from './baseline-io.js';
import { INPUT_OPTIONS, inputArgs, parse } from './baseline.js';

export interface AnalyzeArgs extends InputOptions {
  baseline: string;
  outputDir: string;
}

export function parseAnalyzeArgs(argv: string[]): AnalyzeArgs {
  const v = parse(argv, { ...INPUT_OPTIONS, baseline: { type: 'string' } });
  return { ...inputArgs(v), baseline: required(v.baseline as string | undefined, '--baseline'), outputDir: required(v.output as string | undefined, '--output') };
}

/** Reads BASELINE/statistics.json and BASELINE/constraints.json (a directory or an s3:// prefix). */
async function loadBaseline(dir: string) {
  const at = (name: string) => (isS3Uri(dir) ? `${dir.replace(/\/$/, '')}/${name}` : join(dir, name));
  const read = async (name: string) => {
    try {
      return await readText(at(name));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(`${at(name)}: ${e.code === 'ENOENT' ? 'not found (is --baseline the output directory of vigil baseline?)' : e.message}`);
    }
  };
  const statistics = parseStatistics(await read('statistics.json'));
  const constraints = parseConstraints(await read('constraints.json'));
  return { statistics, constraints };
}

export async function analyzeCommand(argv: string[]): Promise<number> {
  const args = parseAnalyzeArgs(argv);
  return runCommand('analyze', async () => {
    const baseline = await loadBaseline(args.baseline);
    const input = await openInput(args);
    const result = await analyzeAgainstBaseline(await profileInput(input), baseline);
    const rows = result.statistics.dataset.item_count;
    if (!finishInput('analyze', input, args.input, rows)) return EXIT_FAILURE;
    const report = renderReport({ baseline: baseline.statistics, constraints: baseline.constraints, current: result.statistics, violations: result.violations, evaluation: result.evaluation, driftMetrics: result.driftMetrics });
    await writeOutputs(args.outputDir, {
      'statistics.json': `${jacksonPretty(result.statistics, '')}\n`,
      'constraint_violations.json': formatViolations(result.violations),
      'report.html': report,
    });
    const v = result.violations.violations;
    const summary = v.length === 0 ? 'no violations' : `${v.length} violation${v.length === 1 ? '' : 's'} (${[...new Set(v.map((x) => `${x.constraint_check_type}: ${x.feature_name}`))].slice(0, 5).join('; ')}${v.length > 5 ? '; …' : ''})`;
    process.stdout.write(`analyze: ${rows} rows, ${summary} → ${args.outputDir}\n`);
    return v.length === 0 ? EXIT_OK : EXIT_VIOLATIONS;
  });
}
