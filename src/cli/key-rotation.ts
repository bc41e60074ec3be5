import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MasterKey } from '../crypto/masterkey.js';
import { STATE_KEY_META, rewrapStateKey } from '../crypto/state-key.js';
import { readIfExists, writeFileAtomic } from '../util/files.js';
import { openState } from '../state/index.js';
import { UsageError } from './usage-error.js';
import { decodeMasterKey, prepareDataDir } from './datadir.js';

const USAGE = 'vigil master-key rotate [--data-dir DIR] [--database URL] [--database-schema S] [--master-key-file FILE] [--new-master-key-file FILE]';

/**
 * `vigil master-key rotate`: re-wraps the state key under a new master key in one transaction. Running
 * replicas keep serving (they hold the unwrapped state key); each restarts later with the new master key.
 * The new key is on disk before the database changes, so a crash never leaves data that no key file opens.
 */
export async function masterKeyCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'rotate') throw new UsageError(`usage: ${USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string', default: './.vigil' },
      database: { type: 'string' },
      'database-schema': { type: 'string' },
      'master-key-file': { type: 'string' },
      'new-master-key-file': { type: 'string' },
    },
    strict: true,
  });
  const dir = await prepareDataDir(values['data-dir'], { masterKeyFile: values['master-key-file'], env });
  const usesDirKey = dir.masterKeySource === 'generated' || dir.masterKeySource === 'existing';
  const newKeyPath = values['new-master-key-file'] ?? (usesDirKey ? path.join(dir.dir, 'master.key.new') : undefined);
  if (!newKeyPath) {
    throw new UsageError('the current master key comes from VIGIL_MASTER_KEY or --master-key-file: give --new-master-key-file FILE for the new one');
  }
  const current = MasterKey.fromBase64(dir.masterKeyBase64);
  const next = await newMasterKey(newKeyPath);
  const state = await openState(values.database
    ? { url: values.database, pgSchema: values['database-schema'] }
    : { sqlitePath: path.join(dir.dir, 'state.db') });
  try {
    await state.db.transaction(async () => {
      const wrapped = await state.meta.get(STATE_KEY_META);
      if (!wrapped) throw new Error('this data has no state key yet: start vigil once before rotating');
      let updates: Record<string, string>;
      try {
        updates = rewrapStateKey(wrapped, current, next);
      } catch {
        throw new Error('the current master key does not open this data; nothing was changed');
      }
      for (const [k, v] of Object.entries(updates)) await state.meta.set(k, v);
    });
  } catch (err) {
    if (!values['new-master-key-file']) await rm(newKeyPath, { force: true });
    throw err;
  } finally {
    await state.close();
  }
  if (usesDirKey && !values['new-master-key-file']) await rename(newKeyPath, path.join(dir.dir, 'master.key'));
  process.stderr.write(`vigil: master key rotated (new fingerprint ${next.fingerprint().slice(0, 16)}…). Running replicas keep ` +
    `serving; restart them with the new key${usesDirKey && !values['new-master-key-file'] ? ` (now in ${path.join(dir.dir, 'master.key')})` : ` from ${newKeyPath}`}.\n`);
  return 0;
}

/** Uses the key in `file` if it exists, else generates one and writes it there (0600) before anything else changes. */
async function newMasterKey(file: string): Promise<MasterKey> {
  const existing = await readIfExists(file);
  if (existing !== undefined) return MasterKey.fromBase64(decodeMasterKey(existing, file));
  const key = MasterKey.generate();
  await writeFileAtomic(file, `${key.toBase64()}\n`, 0o600);
  return key;
}
