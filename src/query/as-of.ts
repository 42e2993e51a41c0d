/**
 * `--as-of SNAPSHOT_ID|T` (docs/CONTRACTS.md §7): the graph as a past snapshot of each table
 * held it. A snapshot id stands for the moment it was committed, so every table is read as
 * of the same moment: each table's newest snapshot at or before it.
 */
import type { Catalog } from '../lake/catalog/catalog.js';
import { NoSuchTableError } from '../lake/catalog/catalog.js';
import type { TableMetadata } from '../lake/spec/table-metadata.js';
import { NAMESPACE, TABLE_NAMES } from '../lake/tables.js';

/** What a user asked for, before it is looked up. */
export type AsOf = { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'snapshot-or-time'; readonly digits: string };

/** The user asked for a moment the lake cannot show (unknown snapshot, expired history). */
export class AsOfError extends Error {
  override readonly name = 'AsOfError';
}

const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT.*(Z|[+-]\d\d:?\d\d)$/;

/** Undefined when `text` is neither digits nor ISO-8601 with an offset. */
export function parseAsOf(text: string): AsOf | undefined {
  if (/^\d{1,20}$/.test(text)) return { kind: 'snapshot-or-time', digits: text };
  if (ISO_WITH_OFFSET.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return { kind: 'time', ms };
  }
  return undefined;
}

export const AS_OF_HELP = 'a snapshot id of any graph table, or a time as epoch milliseconds or ISO-8601 with an offset';

/** The moment to read every table as of: a snapshot's commit time, or the time given. */
export async function asOfMoment(catalog: Catalog, asOf: AsOf): Promise<number> {
  if (asOf.kind === 'time') return asOf.ms;
  const tables = await Promise.all(
    TABLE_NAMES.map((name) =>
      catalog.loadTable({ namespace: [NAMESPACE], name }).catch((error: unknown) => {
        if (error instanceof NoSuchTableError) return undefined;
        throw error;
      }),
    ),
  );
  return momentIn(asOf, tables.filter((table) => table !== undefined));
}

/** `asOfMoment` over the graph tables' metadata, for a caller that has loaded it anyway. */
export function momentIn(asOf: AsOf, tables: readonly TableMetadata[]): number {
  if (asOf.kind === 'time') return asOf.ms;
  for (const { snapshots } of tables) {
    const snapshot = snapshots.find((s) => String(s['snapshot-id']) === asOf.digits);
    if (snapshot) return snapshot['timestamp-ms'];
  }
  // Not a snapshot id: epoch milliseconds, if it is a plausible one.
  const ms = Number(asOf.digits);
  if (asOf.digits.length <= 14 && Number.isSafeInteger(ms)) return ms;
  throw new AsOfError(`no graph table holds a snapshot ${asOf.digits} (expired, or never one of these tables); \`lakegraph status\` lists the current ones`);
}
