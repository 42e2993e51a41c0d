/**
 * What an ingest process reports beyond the job's own counters: commit latency, offset
 * fences, failed flush attempts, DLQ sends and consumer lag, rendered with the job
 * counters in the Prometheus text exposition format (version 0.0.4).
 */
import type { TableName } from '../../lake/tables.js';
import type { JobCounters } from '../job/topic-job.js';

/** With `--committer group`: whether this member commits for the group now, and the snapshots it committed for it per table. */
export interface GroupCommitterState {
  readonly isActive: boolean;
  readonly commits: ReadonlyMap<TableName, number>;
}

export class IngestMetrics {
  commits = 0;
  commitSecondsSum = 0;
  commitSecondsMax = 0;
  /** Commits refused because another group member had taken a partition. */
  offsetFences = 0;
  /** Windows re-read because `lakegraph forget` purged a table meanwhile. */
  forgetFences = 0;
  flushFailures = 0;
  dlqRecords = 0;
  rebalances = 0;
  /** Per partition: the broker's high watermark minus the next offset this process reads. */
  readonly lag = new Map<number, number>();

  recordCommit(seconds: number): void {
    this.commits++;
    this.commitSecondsSum += seconds;
    if (seconds > this.commitSecondsMax) this.commitSecondsMax = seconds;
  }

  totalLag(): number {
    let total = 0;
    for (const lag of this.lag.values()) total += lag;
    return total;
  }

  render(topic: string, job: JobCounters, group?: GroupCommitterState): string {
    const label = `topic=${JSON.stringify(topic)}`;
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: ReadonlyArray<readonly [labels: string, value: number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}{${labels}} ${value}`);
    };
    const counter = (name: string, help: string, value: number) => metric(name, 'counter', help, [[label, value]]);
    counter('lakegraph_records_total', 'Records consumed (replays after a restart included).', job.records);
    counter('lakegraph_accepted_total', 'Records that passed validation.', job.accepted);
    counter('lakegraph_rejected_total', 'Records rejected into the DLQ and graph.rejected_events.', job.rejected);
    counter('lakegraph_forgotten_total', 'Records of forgotten accounts dropped (lakegraph forget), neither graph rows nor rejects.', job.forgotten);
    counter('lakegraph_duplicates_total', 'Accepted records dropped as duplicates within the dedup horizon.', job.duplicates);
    counter('lakegraph_late_duplicates_total', 'Re-deliveries older than the dedup horizon, counted again.', job.lateDuplicates);
    metric('lakegraph_dedup_ratio', 'gauge', 'Duplicates per accepted record.', [[label, job.accepted > 0 ? job.duplicates / job.accepted : 0]]);
    counter('lakegraph_snapshots_total', 'Table commits of this member\'s windows (with --committer group: its contributions that landed).', job.snapshots);
    counter('lakegraph_dlq_records_total', 'Records sent to the DLQ topic (at-least-once).', this.dlqRecords);
    counter('lakegraph_offset_fences_total', 'Commits refused because another writer owns a partition now.', this.offsetFences);
    counter('lakegraph_forget_fences_total', 'Windows re-read because lakegraph forget purged a table meanwhile.', this.forgetFences);
    counter('lakegraph_flush_failures_total', 'Flush attempts that failed and were retried.', this.flushFailures);
    counter('lakegraph_rebalances_total', 'Partition assignments received.', this.rebalances);
    lines.push('# HELP lakegraph_flush_seconds Time from flush start to the last table commit.', '# TYPE lakegraph_flush_seconds summary');
    lines.push(`lakegraph_flush_seconds_sum{${label}} ${this.commitSecondsSum}`, `lakegraph_flush_seconds_count{${label}} ${this.commits}`);
    metric('lakegraph_flush_seconds_max', 'gauge', 'Slowest flush so far.', [[label, this.commitSecondsMax]]);
    metric('lakegraph_consumer_lag', 'gauge', 'High watermark minus next offset, per partition.', [...this.lag].map(([p, lag]) => [`${label},partition="${p}"`, lag] as const));
    if (group !== undefined) {
      metric('lakegraph_group_committer', 'gauge', '1 while this member commits for its group (it holds partition 0).', [[label, group.isActive ? 1 : 0]]);
      metric('lakegraph_group_commits_total', 'counter', 'Snapshots this member committed for its group, per table.', [...group.commits].map(([table, n]) => [`${label},table="${table}"`, n] as const));
    }
    return lines.join('\n') + '\n';
  }
}
