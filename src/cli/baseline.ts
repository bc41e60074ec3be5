/** `vigil baseline`: profile a dataset and write statistics.json + suggested constraints.json. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatConstraints, jacksonPretty } from '../monitor/constraints.js';
import { baselineFromProfile } from '../monitor/jobs.js';
import { UsageError } from './usage-error.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  finishInput,
  openInput,
  profileInput,
  parseFormat,
  parseHeaderFlags,
  parseOutputPosition,
  required,
  runCommand,
  writeOutputs,
  type InputOptions,
} from './baseline-io.js';

export const INPUT_OPTIONS = {
  input: { type: 'string' },
  format: { type: 'string' },
  header: { type: 'boolean' },
  'no-header': { type: 'boolean' },
  'capture-output': { type: 'string' },
  preprocessor: { type: 'string' },
  output: { type: 'string' },
} as const;

export interface BaselineArgs extends InputOptions {
  outputDir: string;
  categoricalDriftMethod?: 'LInfinity' | 'ChiSquared';
}

export function parseBaselineArgs(argv: string[]): BaselineArgs {
  const v = parse(argv, { ...INPUT_OPTIONS, 'categorical-drift-method': { type: 'string' } });
  const method = v['categorical-drift-method'] as string | undefined;
  if (method !== undefined && method !== 'LInfinity' && method !== 'ChiSquared') {
    throw new UsageError(`--categorical-drift-method must be LInfinity or ChiSquared, got '${method}'`);
  }
  return { ...inputArgs(v), outputDir: required(v.output as string | undefined, '--output'), categoricalDriftMethod: method as BaselineArgs['categoricalDriftMethod'] };
}

type Values = { [k: string]: string | boolean | undefined };

export function inputArgs(v: Values): InputOptions {
  return {
    input: required(v.input as string | undefined, '--input'),
    format: parseFormat(v.format as string | undefined),
    header: parseHeaderFlags(v.header as boolean | undefined, v['no-header'] as boolean | undefined),
    output: parseOutputPosition(v['capture-output'] as string | undefined),
    preprocessor: v.preprocessor as string | undefined,
  };
}

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): Values {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export async function baselineCommand(argv: string[]): Promise<number> {
  const args = parseBaselineArgs(argv);
  return runCommand('baseline', async () => {
    const input = await openInput(args);
    const result = baselineFromProfile(await profileInput(input), { categoricalDriftMethod: args.categoricalDriftMethod });
    const rows = result.statistics.dataset.item_count;
    if (!finishInput('baseline', input, args.input, rows)) return EXIT_FAILURE;
    await writeOutputs(args.outputDir, {
      'statistics.json': `${jacksonPretty(result.statistics, '')}\n`,
      'constraints.json': formatConstraints(result.constraints),
    });
    process.stdout.write(`baseline: ${rows} rows, ${result.statistics.features.length} features (${input.format}${input.format === 'csv' ? input.header ? ', header' : ', no header' : ''}) → ${args.outputDir}\n`);
    return EXIT_OK;
  });
}
