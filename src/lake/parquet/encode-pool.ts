/**
 * A small pool of Parquet-encoding worker threads, one per core, started on first use.
 * Workers are unref'd so an idle pool never keeps the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EncodeRequest, EncodeResponse } from './encode-worker.js';

interface Pending {
  readonly worker: number;
  resolve(file: Uint8Array<ArrayBuffer>): void;
  reject(error: Error): void;
}

class EncodePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight: number[] = [];
  private nextId = 0;

  constructor(private readonly size: number) {}

  encode(ipc: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    const index = this.leastBusy();
    const worker = this.workers[index] ?? this.start(index);
    const id = this.nextId++;
    this.inFlight[index]++;
    return new Promise<Uint8Array<ArrayBuffer>>((resolve, reject) => {
      this.pending.set(id, {
        worker: index,
        resolve: (file) => {
          this.inFlight[index]--;
          resolve(file);
        },
        reject: (error) => {
          this.inFlight[index]--;
          reject(error);
        },
      });
      worker.postMessage({ id, ipc } satisfies EncodeRequest, [ipc.buffer as ArrayBuffer]);
      worker.ref();
    }).finally(() => {
      if (this.inFlight[index] === 0) worker.unref();
    });
  }

  private leastBusy(): number {
    let best = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.workers[i] === undefined) return i;
      if (this.inFlight[i] < this.inFlight[best]) best = i;
    }
    return best;
  }

  private start(index: number): Worker {
    const worker = new Worker(new URL('./encode-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (response: EncodeResponse) => {
      const waiter = this.pending.get(response.id);
      if (waiter === undefined) return;
      this.pending.delete(response.id);
      if ('error' in response) waiter.reject(new Error(`Parquet encoding failed: ${response.error}`));
      else waiter.resolve(response.file as Uint8Array<ArrayBuffer>);
    });
    worker.on('error', (error) => {
      // A dead worker fails what it held; the next request starts a fresh one.
      for (const [id, waiter] of this.pending) {
        if (waiter.worker !== index) continue;
        this.pending.delete(id);
        waiter.reject(error);
      }
      delete this.workers[index];
    });
    this.workers[index] = worker;
    this.inFlight[index] = 0;
    return worker;
  }
}

let pool: EncodePool | undefined;

/** Encodes an Arrow IPC stream into Parquet bytes on a worker thread. The IPC buffer is transferred. */
export function encodeParquetInWorker(ipc: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  pool ??= new EncodePool(Math.max(1, availableParallelism()));
  return pool.encode(ipc);
}
