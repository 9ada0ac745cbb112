import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The ways into taskgate, as metric labels. */
export type Door = 'graphql-http' | 'legacy-rest' | 'websocket' | 'other';

/** Operation names are client-chosen: past this many distinct ones, new names count as "other". */
const maxOperationNames = 200;

const durationBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Requests of one (door, operation, status) counted since the last scrape. */
interface CountSeries {
  labels: { door: Door; operation: string; status: string };
  pending: number;
}

/**
 * taskgate's Prometheus metrics, on a registry of its own (tests start many apps in one
 * process; the global registry would collide). Other parts record through the public
 * fields, e.g. `app.metrics.subscriptionsActive.inc()` or `app.metrics.eventsPublished.inc()`.
 * Everything on the request path is a label lookup and an add: nothing is computed until scrape.
 */
export class Metrics {
  readonly registry = new Registry();

  // Every request is counted by observeRequest in series of its own, handed to prom-client when
  // scraped: prom-client validates and hashes the labels on every inc, even through a labelled
  // child, which showed in the read path's profile. Durations go to prom-client's labelled child
  // as they come: a histogram has no public way to take counts gathered elsewhere.
  private readonly countSeries: CountSeries[] = [];

  readonly requests = new Counter({
    name: 'taskgate_requests_total',
    help: 'Requests answered, by door, GraphQL operation name and HTTP status',
    labelNames: ['door', 'operation', 'status'] as const,
    registers: [this.registry],
    collect: () => {
      for (const series of this.countSeries) {
        if (series.pending === 0) continue;
        this.requests.inc(series.labels, series.pending);
        series.pending = 0;
      }
    },
  });

  readonly requestDuration = new Histogram({
    name: 'taskgate_request_duration_seconds',
    help: 'Time from request received to response finished, by door and GraphQL operation name',
    labelNames: ['door', 'operation'] as const,
    buckets: durationBuckets,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'taskgate_errors_total',
    help: 'Errors returned to clients, by door and code (GraphQL extensions.code, or HTTP_<status> for plain HTTP errors)',
    labelNames: ['door', 'code'] as const,
    registers: [this.registry],
  });

  /** GraphQL requests over HTTP by engine since the last scrape (countExecution). */
  private readonly pendingExecutions = new Map<string, number>();

  readonly graphqlExecutions = new Counter({
    name: 'taskgate_graphql_http_executions_total',
    help: 'GraphQL requests over HTTP by how they ran: engine="direct" (straight through graphql-js), "compiled" (a document sent again, compiled by graphql-jit) or "apollo" (Apollo Server\'s pipeline)',
    labelNames: ['engine'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [engine, pending] of this.pendingExecutions) {
        if (pending === 0) continue;
        this.graphqlExecutions.inc({ engine }, pending);
        this.pendingExecutions.set(engine, 0);
      }
    },
  });

  readonly websocketConnections = new Gauge({
    name: 'taskgate_websocket_connections',
    help: 'Open GraphQL WebSocket connections',
    registers: [this.registry],
  });

  readonly subscriptionsActive = new Gauge({
    name: 'taskgate_subscriptions_active',
    help: 'Active live-feed subscriptions (GraphQL over WebSocket and Server-Sent Events)',
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'taskgate_events_published_total',
    help: 'Task events committed on this instance and published to the feed',
    registers: [this.registry],
  });

  readonly eventsDelivered = new Counter({
    name: 'taskgate_events_delivered_total',
    help: 'Task events handed to subscribers (replayed and live), one per subscriber',
    registers: [this.registry],
  });

  readonly unknownStatusWords = new Counter({
    name: 'taskgate_unknown_status_words_total',
    help: 'Writes of a status word in no phase table (it took TASKGATE_UNKNOWN_STATUS_PHASE), by word (the first 50 distinct words; later ones count as "other")',
    labelNames: ['word'] as const,
    registers: [this.registry],
  });

  /** Database connections, read from the pool at scrape time (see watchPool). */
  readonly dbPool: Gauge<'state'>;

  private readonly operations = new Set<string>();
  private readonly statusWords = new Set<string>();
  /** Bounded: operation labels are capped (maxOperationNames), doors and statuses are few. */
  private readonly requestSeries = new Map<string, Map<string, Map<number, { count: CountSeries; duration: { observe(value: number): void } }>>>();
  private poolReader?: () => { max: number; open: number; inUse: number };

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const metrics = this;
    this.dbPool = new Gauge({
      name: 'taskgate_db_pool_connections',
      help: 'Database connections: the pool size (state="max"), open ones and those in use',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = metrics.poolReader?.();
        if (!pool) return;
        this.set({ state: 'max' }, pool.max);
        this.set({ state: 'open' }, pool.open);
        this.set({ state: 'in_use' }, pool.inUse);
      },
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the database pool's figures come from; read at scrape time only. */
  watchPool(read: () => { max: number; open: number; inUse: number }): void {
    this.poolReader = read;
  }

  /** Counts one GraphQL request over HTTP by how it ran ("direct", "compiled", "apollo"); handed to prom-client when scraped. */
  countExecution(engine: string): void {
    this.pendingExecutions.set(engine, (this.pendingExecutions.get(engine) ?? 0) + 1);
  }

  /** Counts one finished request. */
  observeRequest(door: Door, operation: string | undefined, status: number, seconds: number): void {
    const op = this.operationLabel(operation);
    // The request's series, found through nested maps (no key string built per request) and
    // counted here; prom-client gets the counts when scraped (the collect hooks above).
    let byOperation = this.requestSeries.get(door);
    if (!byOperation) this.requestSeries.set(door, (byOperation = new Map()));
    let byStatus = byOperation.get(op);
    if (!byStatus) byOperation.set(op, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) {
      const count: CountSeries = { labels: { door, operation: op, status: String(status) }, pending: 0 };
      this.countSeries.push(count);
      byStatus.set(status, (series = { count, duration: this.requestDuration.labels(door, op) }));
    }
    series.count.pending++;
    series.duration.observe(seconds);
  }

  /** A bounded label for a client-chosen operation name. */
  operationLabel(name: string | undefined): string {
    if (!name) return 'anonymous';
    if (this.operations.has(name)) return name;
    if (this.operations.size >= maxOperationNames || !/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return 'other';
    this.operations.add(name);
    return name;
  }

  /** A bounded label for a caller-chosen status word (already validated: 64 safe characters at most). */
  statusWordLabel(word: string): string {
    if (this.statusWords.has(word)) return word;
    if (this.statusWords.size >= 50) return 'other';
    this.statusWords.add(word);
    return word;
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
