/**
 * What the query benches share: live app.playback traffic of the synthetic members of
 * edge-table.ts (accounts a-0…a-24999, profiles p-0…p-49999) for a Kafka tail, and how
 * they print latencies.
 */
import { randomBytes } from 'node:crypto';
import type { Producer } from 'kafkajs';

export const ACCOUNTS = 25_000;
export const PROFILES = 50_000;

/** app.playback events of random synthetic members, at `rate` per second, until stopped. */
export function feedTail(producer: Producer, topic: string, rate: number): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  const loop = (async () => {
    const started = performance.now();
    while (running) {
      const messages = Array.from({ length: Math.max(1, Math.round(rate / 10)) }, () => {
        const n = Math.floor(Math.random() * PROFILES);
        const account = `a-${n % ACCOUNTS}`;
        const value = JSON.stringify({ event_id: randomBytes(8).toString('hex'), event_type: 'play_heartbeat', ts: Date.now(), account_id: account, profile_id: `p-${n}`, device_id: `d-${n % 80_000}`, title_id: `t-${n % 5_000}` });
        return { key: account, value };
      });
      await producer.send({ topic, messages });
      sent += messages.length;
      const aheadMs = (sent / rate) * 1000 - (performance.now() - started);
      if (aheadMs > 0) await new Promise((resolve) => setTimeout(resolve, aheadMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return sent;
    },
  };
}

/** The nearest-rank `q` quantile (0 < q ≤ 1) of samples sorted ascending. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))]!;
}

export function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${nearestRank(sorted, 0.5).toFixed(1)} ms, p99 ${nearestRank(sorted, 0.99).toFixed(1)} ms`;
}
