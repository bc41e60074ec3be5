import { describe, expect, it } from 'vitest';
import { MAX_DATASET_FEATURES } from '../../../monitor/profile.js';
import { withEachBackend } from '../../../state/testing.js';
import { ROLE, smHarness } from '../testing.js';
import { baselineJob, settled, withMemoryS3 } from './testing.js';

describe('Model Monitor processing jobs: dataset width cap', () => {
  withEachBackend((_name, open) => {
    it('fails a job whose dataset has more than MAX_DATASET_FEATURES columns, with the reason', async () => {
      const h = await smHarness(await open());
      withMemoryS3(h);
      const line = Array.from({ length: MAX_DATASET_FEATURES + 1 }, (_, i) => i).join(',');
      h.s3.objects.set('data/wide/wide.csv', `${line}\n${line}\n${line}\n`);
      await h.call('CreateProcessingJob', baselineJob('wide', ROLE, 's3://data/wide/wide.csv', 's3://data/out'));
      const d = await settled(h, 'wide');
      expect(d).toMatchObject({ ProcessingJobStatus: 'Failed', FailureReason: expect.stringContaining(`the dataset has more than ${MAX_DATASET_FEATURES} columns;`) });
      expect(h.s3.objects.has('data/out/statistics.json')).toBe(false);
    });
  });
});
