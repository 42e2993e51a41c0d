/** The crash switch ingest and backfill read from the environment, for the tests that kill them mid-commit. */
import type { FlushPoint } from '../stream/job/topic-job.js';
import { UsageError } from './args.js';

/**
 * Test-only crash switch: `LAKEGRAPH_TEST_CRASH_AT=<point>:<n>` SIGKILLs this process the
 * n-th time it reaches <point> — a flush point of the job (ingest, backfill), `assignment`
 * (an ingest partition assignment: the second one is a rebalance), or `during-parquet` /
 * `during-commit`, which let the data-file write or the commit start and kill it a few
 * event-loop turns in.
 */
const CRASH_POINTS = ['before-parquet', 'after-data-files', 'before-commit', 'after-commit', 'assignment', 'during-parquet', 'during-commit'] as const;
type CrashPoint = (typeof CRASH_POINTS)[number];

export function crashSwitch(spec: string | undefined): ((point: FlushPoint | 'assignment') => void) | undefined {
  if (spec === undefined || spec === '') return undefined;
  const m = /^([a-z-]+):(\d+)$/.exec(spec);
  if (!m || !(CRASH_POINTS as readonly string[]).includes(m[1])) throw new UsageError(`LAKEGRAPH_TEST_CRASH_AT: "${spec}" is not <point>:<n> with point one of ${CRASH_POINTS.join(', ')}`);
  const target = m[1] as CrashPoint;
  const trigger: FlushPoint | 'assignment' = target === 'during-parquet' ? 'before-parquet' : target === 'during-commit' ? 'before-commit' : target;
  const delayed = target !== trigger;
  let remaining = Number(m[2]);
  const kill = () => process.kill(process.pid, 'SIGKILL');
  return (point) => {
    if (point !== trigger || --remaining !== 0) return;
    if (!delayed) return kill();
    // Three turns: far enough for the file open / first manifest write to be under way.
    setImmediate(() => setImmediate(() => setImmediate(kill)));
  };
}
