/** The process metrics `serve` and ingest export: prom-client's names, plausible values, valid Prometheus text. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ProcessMetrics } from '../../src/common/process-metrics.js';

/** name{labels} → value, asserting every line is a comment or a sample. */
function samples(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-z_][a-z0-9_]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not a sample: ${line}`);
    values.set(m[1]!, Number(m[2]));
  }
  return values;
}

test('process metrics: CPU, memory, heap, GC and event-loop delay since the last scrape', async () => {
  const metrics = new ProcessMetrics();
  metrics.start();
  try {
    await sleep(50);
    // Block the loop for ~120 ms, then let the monitor record it; allocate enough to collect.
    const until = performance.now() + 120;
    const garbage: number[][] = [];
    while (performance.now() < until) garbage.push(new Array(1000).fill(1));
    garbage.length = 0;
    await sleep(50);
    const first = samples(metrics.render());
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'process_start_time_seconds']) {
      assert.ok(first.get(name)! > 0, `${name} = ${first.get(name)}`);
    }
    assert.ok(first.get('nodejs_heap_size_used_bytes')! <= first.get('nodejs_heap_size_total_bytes')!);
    assert.ok(first.get('nodejs_eventloop_lag_max_seconds')! >= 0.1, `max lag ${first.get('nodejs_eventloop_lag_max_seconds')}`);
    assert.ok(first.get('nodejs_eventloop_lag_p99_seconds')! >= first.get('nodejs_eventloop_lag_p50_seconds')!);
    assert.ok(first.get('nodejs_gc_duration_seconds_count{kind="minor"}')! > 0, 'minor collections counted');
    await sleep(50);
    const second = samples(metrics.render());
    assert.ok(second.get('nodejs_eventloop_lag_max_seconds')! < 0.1, 'the blocked stretch belongs to the previous scrape');
  } finally {
    metrics.stop();
  }
});
