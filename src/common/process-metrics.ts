/**
 * Standard process metrics in Prometheus text, named as prom-client's defaults so the usual
 * Node.js dashboards and alerts read them: CPU seconds, resident memory, V8 heap, GC pause
 * totals by kind and event-loop delay percentiles. A handful of gauges read from `process`
 * and `perf_hooks` at scrape time; not worth a dependency.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** The delay monitor samples every 10 ms, prom-client's resolution. */
const LOOP_RESOLUTION_MS = 10;

const NS_PER_S = 1e9;

export class ProcessMetrics {
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  /** kind → [pause seconds, collections] since start. */
  private readonly gc = new Map<string, [number, number]>();
  private readonly gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A gc entry's detail says the kind (@types/node 20 does not declare it).
      const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      const [seconds, count] = this.gc.get(kind) ?? [0, 0];
      this.gc.set(kind, [seconds + entry.duration / 1000, count + 1]);
    }
  });

  start(): void {
    this.loopDelay.enable();
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.loopDelay.disable();
    this.gcObserver.disconnect();
  }

  /** The event-loop figures cover the time since the previous render (or start), as prom-client's do. */
  render(): string {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: ReadonlyArray<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([suffix, value]) => `${name}${suffix} ${value}`));
    };
    metric('process_cpu_user_seconds_total', 'counter', 'User CPU time spent in seconds.', [['', cpu.user / 1e6]]);
    metric('process_cpu_system_seconds_total', 'counter', 'System CPU time spent in seconds.', [['', cpu.system / 1e6]]);
    metric('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', [['', (cpu.user + cpu.system) / 1e6]]);
    metric('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.', [['', Math.round(Date.now() / 1000 - process.uptime())]]);
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', memory.rss]]);
    metric('nodejs_heap_size_total_bytes', 'gauge', 'Process heap size from Node.js in bytes.', [['', memory.heapTotal]]);
    metric('nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.', [['', memory.heapUsed]]);
    metric('nodejs_external_memory_bytes', 'gauge', 'Node.js external memory size in bytes.', [['', memory.external]]);
    const delay = this.loopDelay;
    // Before the first sample the histogram reports NaN or huge sentinels; say 0 then.
    const seconds = (ns: number) => (delay.count > 0 && Number.isFinite(ns) ? ns / NS_PER_S : 0);
    metric('nodejs_eventloop_lag_p50_seconds', 'gauge', 'The 50th percentile of the recorded event loop delays.', [['', seconds(delay.percentile(50))]]);
    metric('nodejs_eventloop_lag_p99_seconds', 'gauge', 'The 99th percentile of the recorded event loop delays.', [['', seconds(delay.percentile(99))]]);
    metric('nodejs_eventloop_lag_max_seconds', 'gauge', 'The maximum recorded event loop delay.', [['', seconds(delay.max)]]);
    delay.reset();
    const gc = [...this.gc].flatMap(([kind, [sum, count]]): Array<[string, number]> => [[`_sum{kind="${kind}"}`, sum], [`_count{kind="${kind}"}`, count]]);
    metric('nodejs_gc_duration_seconds', 'summary', 'Garbage collection pauses by kind, in seconds.', gc);
    return lines.join('\n') + '\n';
  }
}
