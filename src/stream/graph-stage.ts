/**
 * The stream stage every consumer of records shares (ingest job, query hot tail, demo):
 * decode → dedup → map into the flush window, or reject with the raw bytes.
 */
import { decodeEvent } from '../events/decode.js';
import { mapEvent } from '../graph/map-event.js';
import type { GraphSink } from '../graph/sink.js';
import { Deduplicator } from './dedup/deduplicator.js';
import type { DedupOptions } from './dedup/partition-dedup.js';
import type { SourceRecord } from './source-record.js';
import { GraphWindow } from './window/graph-window.js';
import { RejectedBuffer } from './window/rejected-buffer.js';

export type RecordOutcome = 'admitted' | 'duplicate' | 'rejected';

export interface StageCounters {
  records: number;
  /** Mapped into the window (includes deliveries older than the dedup horizon). */
  admitted: number;
  duplicates: number;
  rejected: number;
}

export class GraphStage {
  readonly window = new GraphWindow();
  readonly rejected = new RejectedBuffer();
  readonly dedup: Deduplicator;
  readonly counters: StageCounters = { records: 0, admitted: 0, duplicates: 0, rejected: 0 };
  private readonly sinks = new Map<string, GraphSink>();

  constructor(dedupOptions?: DedupOptions, private readonly clock: () => number = Date.now) {
    this.dedup = new Deduplicator(dedupOptions);
  }

  process(record: SourceRecord): RecordOutcome {
    const { counters } = this;
    counters.records++;
    const decoded = decodeEvent(record.topic, record.value);
    if (!decoded.ok) {
      this.rejected.add(record, decoded.reason, this.clock());
      counters.rejected++;
      return 'rejected';
    }
    const { event } = decoded;
    if (this.dedup.partition(record.topic, record.partition).admit(event.event_id, event.ts) === 'duplicate') {
      counters.duplicates++;
      return 'duplicate';
    }
    let sink = this.sinks.get(record.topic);
    if (sink === undefined) this.sinks.set(record.topic, (sink = this.window.sinkFor(record.topic)));
    mapEvent(event, sink);
    counters.admitted++;
    return 'admitted';
  }
}
