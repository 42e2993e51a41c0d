/** Shared by the compaction integration tests: small-commit warehouses, the CLI as a real process, third-party readers. */
import { setTimeout as sleep } from 'node:timers/promises';
import { FilesystemCatalog } from '../../src/lake/catalog/filesystem-catalog.js';
import { planFiles } from '../../src/lake/scan/plan-files.js';
import type { DataFile } from '../../src/lake/spec/data-file.js';
import { currentSnapshot, type TableMetadata } from '../../src/lake/spec/table-metadata.js';
import { NAMESPACE, type TableName } from '../../src/lake/tables.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator, type GeneratorOptions } from '../../src/stream/generator/record-generator.js';
import type { SourceRecord } from '../../src/stream/source-record.js';
import { committedOffsets } from '../support/ingest-harness.js';

export const PARTITIONS = 4;

/** Flushing at this many edge rows makes every few hundred events a commit, as a busy stream would. */
export const SMALL_WINDOW = { maxEdgeRows: 80, maxRejectedBytes: 64 << 20, idleTableCommitMs: 60_000 };

export function generatorOptions(events: number, topics?: GeneratorOptions['topics']): GeneratorOptions {
  return { events, seed: 11, partitions: PARTITIONS, topics, baseTs: Date.UTC(2026, 10, 26, 12, 0, 0) };
}

export function allRecords(options: GeneratorOptions): SourceRecord[] {
  return [...new RecordGenerator(options)];
}

/** Ingests the generator's records (only the first `take` when given) with small windows, in this process. */
export async function ingestEmbedded(warehouse: string, options: GeneratorOptions, take = Infinity): Promise<number> {
  const generator = new RecordGenerator(options);
  let taken = 0;
  const limited = { next: () => (taken++ < take ? generator.next() : null) } as RecordGenerator;
  const totals = await runEmbeddedPipeline({
    catalog: new FilesystemCatalog(warehouse),
    generator: limited,
    topics: options.topics ?? ['app.session', 'app.playback', 'app.ads', 'app.games', 'app.live'],
    partitions: PARTITIONS,
    commitIntervalMs: 60_000,
    job: { limits: SMALL_WINDOW },
  });
  return totals.snapshots;
}

export async function loadMetadata(warehouse: string, table: TableName): Promise<TableMetadata> {
  return new FilesystemCatalog(warehouse).loadTable({ namespace: [NAMESPACE], name: table });
}

export async function liveFiles(warehouse: string, table: TableName): Promise<readonly DataFile[]> {
  return (await planFiles(new FilesystemCatalog(warehouse).io, await loadMetadata(warehouse, table))).files;
}

/** The `lakegraph.*` keys of the current snapshot's summary: the Kafka offsets chain. */
export async function carriedSummary(warehouse: string, table: TableName): Promise<Record<string, string>> {
  const summary = currentSnapshot(await loadMetadata(warehouse, table))?.summary ?? {};
  return Object.fromEntries(Object.entries(summary as Record<string, string>).filter(([k]) => k.startsWith('lakegraph.')));
}

/**
 * Resolves once graph.edges and graph.nodes hold `topic` up to `ends` (rejected_events is
 * committed only by windows that have rejects, so it may stay behind with nothing missing).
 */
export async function untilCommitted(warehouse: string, topic: string, ends: ReadonlyMap<number, number>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tables = await Promise.all((['edges', 'nodes'] as const).map((name) => committedOffsets(warehouse, name, topic)));
    if (tables.every((offsets) => [...ends].every(([partition, end]) => (offsets.get(partition) ?? 0) === end))) return;
    if (Date.now() > deadline) throw new Error(`${topic} not committed up to ${JSON.stringify([...ends])} within ${timeoutMs} ms`);
    await sleep(100);
  }
}


