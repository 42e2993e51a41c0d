/** The host's file cache takes its bound from LAKEGRAPH_CACHE_MB and refuses a value it cannot use. */
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { SettingError } from '../../src/common/setting-error.js';
import { LocalFileIO } from '../../src/lake/io/local-file-io.js';
import { localReplicasOf } from '../../src/lake/io/local-replicas.js';

const saved = process.env['LAKEGRAPH_CACHE_MB'];
afterEach(() => {
  if (saved === undefined) delete process.env['LAKEGRAPH_CACHE_MB'];
  else process.env['LAKEGRAPH_CACHE_MB'] = saved;
});

it('a LAKEGRAPH_CACHE_MB that is not a positive number is a setting error naming it, not a silent default', () => {
  for (const bad of ['lots', '0', '-5']) {
    process.env['LAKEGRAPH_CACHE_MB'] = bad;
    assert.throws(() => localReplicasOf(new LocalFileIO()), (e: unknown) => e instanceof SettingError && e.message.startsWith(`LAKEGRAPH_CACHE_MB: "${bad}" is not a positive number`));
  }
  process.env['LAKEGRAPH_CACHE_MB'] = '512';
  assert.ok(localReplicasOf(new LocalFileIO()));
});
