import { Metrics } from '../../../src/ops/metrics';

/** The value of one sample line of the Prometheus text, or undefined when there is no such line. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('request metrics counted per request and handed to prom-client when scraped', () => {
  it('shows each request in the count by status and in the duration histogram by operation', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.observeRequest('graphql-http', 'Task', 200, 0.001);
    metrics.observeRequest('graphql-http', 'Task', 200, 0.004);
    metrics.observeRequest('graphql-http', 'Task', 400, 0.03);
    metrics.observeRequest('legacy-rest', undefined, 200, 20);
    const text = await metrics.text();

    expect(sample(text, 'taskgate_requests_total{door="graphql-http",operation="Task",status="200"}')).toBe(2);
    expect(sample(text, 'taskgate_requests_total{door="graphql-http",operation="Task",status="400"}')).toBe(1);
    expect(sample(text, 'taskgate_requests_total{door="legacy-rest",operation="anonymous",status="200"}')).toBe(1);
    const task = 'door="graphql-http",operation="Task"';
    expect(sample(text, `taskgate_request_duration_seconds_bucket{le="0.002",${task}}`)).toBe(1);
    expect(sample(text, `taskgate_request_duration_seconds_bucket{le="0.005",${task}}`)).toBe(2);
    expect(sample(text, `taskgate_request_duration_seconds_bucket{le="0.025",${task}}`)).toBe(2);
    expect(sample(text, `taskgate_request_duration_seconds_bucket{le="0.05",${task}}`)).toBe(3);
    expect(sample(text, `taskgate_request_duration_seconds_bucket{le="+Inf",${task}}`)).toBe(3);
    expect(sample(text, `taskgate_request_duration_seconds_sum{${task}}`)).toBeCloseTo(0.035, 10);
    expect(sample(text, `taskgate_request_duration_seconds_count{${task}}`)).toBe(3);
    const slow = 'door="legacy-rest",operation="anonymous"';
    expect(sample(text, `taskgate_request_duration_seconds_bucket{le="10",${slow}}`)).toBe(0);
    expect(sample(text, `taskgate_request_duration_seconds_bucket{le="+Inf",${slow}}`)).toBe(1);
  });

  it('adds the requests answered between two scrapes to what the first scrape showed', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.observeRequest('graphql-http', 'Task', 200, 0.001);
    await metrics.text();
    metrics.observeRequest('graphql-http', 'Task', 200, 0.003);
    const text = await metrics.text();
    expect(sample(text, 'taskgate_requests_total{door="graphql-http",operation="Task",status="200"}')).toBe(2);
    expect(sample(text, 'taskgate_request_duration_seconds_bucket{le="0.002",door="graphql-http",operation="Task"}')).toBe(1);
    expect(sample(text, 'taskgate_request_duration_seconds_bucket{le="0.005",door="graphql-http",operation="Task"}')).toBe(2);
    expect(sample(text, 'taskgate_request_duration_seconds_count{door="graphql-http",operation="Task"}')).toBe(2);
    expect(sample(text, 'taskgate_request_duration_seconds_sum{door="graphql-http",operation="Task"}')).toBeCloseTo(0.004, 10);
  });
});
