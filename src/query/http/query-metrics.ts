/** Prometheus metrics of the query service: latency histogram and outcomes per query, hot tier size. */
import type { SessionStats } from '../query-session.js';

/** Seconds; member-activity aims under 50 ms, 3-hop khop under 150 ms. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  readonly counts = new Float64Array(BUCKETS.length);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) this.counts[i]!++;
  }
}

export class QueryMetrics {
  private readonly latency = new Map<string, Histogram>();
  /** `${query} ${status}` → requests. */
  private readonly responses = new Map<string, number>();

  observe(query: string, status: number, seconds: number): void {
    let histogram = this.latency.get(query);
    if (histogram === undefined) this.latency.set(query, (histogram = new Histogram()));
    histogram.observe(seconds);
    const key = `${query} ${status}`;
    this.responses.set(key, (this.responses.get(key) ?? 0) + 1);
  }

  render(stats: SessionStats): string {
    const lines = ['# HELP lakegraph_query_duration_seconds Time to answer a graph query request, queueing included.', '# TYPE lakegraph_query_duration_seconds histogram'];
    for (const [query, h] of this.latency) {
      const label = `query=${JSON.stringify(query)}`;
      BUCKETS.forEach((le, i) => lines.push(`lakegraph_query_duration_seconds_bucket{${label},le="${le}"} ${h.counts[i]}`));
      lines.push(`lakegraph_query_duration_seconds_bucket{${label},le="+Inf"} ${h.count}`);
      lines.push(`lakegraph_query_duration_seconds_sum{${label}} ${h.sum}`, `lakegraph_query_duration_seconds_count{${label}} ${h.count}`);
    }
    lines.push('# HELP lakegraph_query_requests_total Query requests by outcome.', '# TYPE lakegraph_query_requests_total counter');
    for (const [key, n] of this.responses) {
      const [query, status] = key.split(' ');
      lines.push(`lakegraph_query_requests_total{query=${JSON.stringify(query)},status="${status}"} ${n}`);
    }
    lines.push('# HELP lakegraph_hot_rows Rows in the hot tier (Kafka tail not yet in a snapshot).', '# TYPE lakegraph_hot_rows gauge');
    lines.push(`lakegraph_hot_rows{table="edges"} ${stats.hotEdgeRows}`, `lakegraph_hot_rows{table="nodes"} ${stats.hotNodeRows}`);
    lines.push('# HELP lakegraph_query_answered_total Graph requests by what answered them: the in-memory edge index, or the data files (a window reaching before the index window, or path).', '# TYPE lakegraph_query_answered_total counter');
    lines.push(`lakegraph_query_answered_total{by="index"} ${stats.answeredBy.index}`, `lakegraph_query_answered_total{by="lake"} ${stats.answeredBy.lake}`);
    lines.push('# HELP lakegraph_snapshot_swaps_total Newer snapshots swapped in.', '# TYPE lakegraph_snapshot_swaps_total counter', `lakegraph_snapshot_swaps_total ${stats.swaps}`);
    if (stats.tail !== null) {
      lines.push('# HELP lakegraph_tail_up Whether the Kafka tail is live (0: down, connecting or no tailed topic; answers come from the snapshot).', '# TYPE lakegraph_tail_up gauge', `lakegraph_tail_up ${stats.tail.state === 'live' ? 1 : 0}`);
    }
    return lines.join('\n') + '\n';
  }
}
