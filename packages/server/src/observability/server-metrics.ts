import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type PrometheusContentType,
} from 'prom-client';

/** What the server's state looks like at scrape time; read only when /metrics is asked for. */
export interface MetricsSources {
  /** Every open WebSocket: its mode once `hello` is accepted, else undefined. */
  connections(): Iterable<{ mode: string | undefined; bufferedBytes: number }>;
  sessions(): Iterable<{ kind: string; status: string }>;
  /** Whether the store accepts writes (see StoreHealth). */
  storeWritable(): boolean;
}

/**
 * The server's Prometheus metrics, on a registry of its own (never prom-client's global one),
 * so that two servers in one process (tests, an embedding app) keep separate counts.
 *
 * Counters and histograms are moved where the thing happens (observability/instrument-*.ts,
 * the WebSocket connection, the HTTP router). Gauges of current state (connections, sessions,
 * queued bytes) are computed from the live objects at scrape time, so they can never drift
 * from what the server holds.
 *
 * Other features add to it through the fields below: the Web Push sender calls
 * `metrics.pushSent.inc()` per notification delivered to a push service.
 */
export class ServerMetrics {
  readonly registry = new Registry<PrometheusContentType>();
  readonly commitDuration: Histogram;
  readonly commitBatchEvents: Histogram;
  readonly commitFailures: Counter;
  readonly snapshots: Counter;
  readonly runnerStarts: Counter<'kind'>;
  readonly runnerRestarts: Counter<'kind'>;
  readonly slowConsumerDrops: Counter;
  readonly rateLimitedFrames: Counter;
  readonly httpRequests: Counter<'code'>;
  /** Web Push notifications accepted by a push service. */
  readonly pushSent: Counter;
  private sources: MetricsSources | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // In collect(), `this` is the metric; the server's state is read through this arrow.
    const live = () => this.sources;
    new Gauge({
      name: 'baton_connections',
      help: 'Open WebSocket connections by mode (unauthenticated: hello not yet accepted)',
      labelNames: ['mode'],
      registers,
      collect() {
        this.reset();
        for (const c of live()?.connections() ?? [])
          this.inc({ mode: c.mode ?? 'unauthenticated' });
      },
    });
    new Gauge({
      name: 'baton_fanout_buffered_bytes',
      help: 'Bytes queued to WebSocket peers and not yet written, summed over connections',
      registers,
      collect() {
        let sum = 0;
        for (const c of live()?.connections() ?? []) sum += c.bufferedBytes;
        this.set(sum);
      },
    });
    new Gauge({
      name: 'baton_fanout_buffered_bytes_max',
      help: 'The largest number of bytes queued to one WebSocket peer',
      registers,
      collect() {
        let max = 0;
        for (const c of live()?.connections() ?? []) max = Math.max(max, c.bufferedBytes);
        this.set(max);
      },
    });
    new Gauge({
      name: 'baton_sessions',
      help: 'Sessions by kind and status',
      labelNames: ['kind', 'status'],
      registers,
      collect() {
        this.reset();
        for (const s of live()?.sessions() ?? []) this.inc({ kind: s.kind, status: s.status });
      },
    });
    new Gauge({
      name: 'baton_store_writable',
      help: '1 while the store accepts writes, 0 while it is degraded (full disk, I/O errors)',
      registers,
      collect() {
        this.set((live()?.storeWritable() ?? true) ? 1 : 0);
      },
    });
    this.commitDuration = new Histogram({
      name: 'baton_commit_duration_seconds',
      help: 'Time of one group commit to the store, from its start to its outcome',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.commitBatchEvents = new Histogram({
      name: 'baton_commit_batch_events',
      help: 'Events stored by one group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    });
    this.commitFailures = new Counter({
      name: 'baton_commit_failures_total',
      help: 'Group commits the store refused as a whole (full disk, I/O error)',
      registers,
    });
    this.snapshots = new Counter({
      name: 'baton_snapshots_total',
      help: 'Session snapshots stored (checkpoints and compactions)',
      registers,
    });
    this.runnerStarts = new Counter({
      name: 'baton_runner_starts_total',
      help: 'Runners (PTYs, agent conversations) started, by session kind',
      labelNames: ['kind'],
      registers,
    });
    this.runnerRestarts = new Counter({
      name: 'baton_runner_restarts_total',
      help: 'Runners started again for a session this server had already run',
      labelNames: ['kind'],
      registers,
    });
    this.slowConsumerDrops = new Counter({
      name: 'baton_slow_consumer_drops_total',
      help: 'WebSocket connections closed because they stopped reading (send queue overflow)',
      registers,
    });
    this.rateLimitedFrames = new Counter({
      name: 'baton_rate_limited_frames_total',
      help: "WebSocket frames that arrived over their connection's rate and waited for it",
      registers,
    });
    this.httpRequests = new Counter({
      name: 'baton_http_requests_total',
      help: 'HTTP requests answered, by status code',
      labelNames: ['code'],
      registers,
    });
    this.pushSent = new Counter({
      name: 'baton_push_sent_total',
      help: 'Web Push notifications accepted by a push service',
      registers,
    });
  }

  /** Connects the scrape-time gauges to the running server. */
  observe(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
