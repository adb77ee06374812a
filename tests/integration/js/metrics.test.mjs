// GET /metrics (docs/metrics.md): known traffic through the real SDKs, then a plain fetch of the
// Prometheus text, parsed, and the exact numbers checked — the CloudWatch figures of the test's
// own queues, and the growth of the request counters by action and by error code.
//
// The request counters are server-wide, so they are compared before and after the traffic; the
// suites run one file and one test at a time (run.sh: --test-concurrency=1), so nothing else
// moves them meanwhile.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS, ENDPOINT, Queues, ERR, expectSqsError, uniqueName } from './helpers.mjs';

const METRICS_URL = new URL('/metrics', ENDPOINT).toString();

// Parses the text exposition format 0.0.4 into Map(series → number), where a series is
// `name{label="value",...}` exactly as rendered; checks that every sample follows the # TYPE
// line of its family and that no series appears twice.
function parseExposition(text) {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const samples = new Map();
  const types = new Map();
  let family = null;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      assert.ok(!types.has(name), `family ${name} declared twice`);
      types.set(name, type);
      family = name;
      continue;
    }
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const name = series.split('{')[0];
    const ownFamily =
      name === family ||
      (types.get(family) === 'histogram' &&
        ['_bucket', '_sum', '_count'].some((s) => name === family + s));
    assert.ok(ownFamily, `sample outside its family ${family}: ${line}`);
    assert.ok(!samples.has(series), `series twice: ${series}`);
    const value = line.slice(space + 1);
    samples.set(series, value === '+Inf' ? Infinity : Number(value));
  }
  return samples;
}

async function scrape() {
  const response = await fetch(METRICS_URL);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

const queueSeries = (name, queue) => `${name}{account="000000000000",queue="${queue}"}`;
const requests = (action) => `wharf_requests_total{service="sqs",action="${action}"}`;
const errors = (action, code) =>
  `wharf_request_errors_total{service="sqs",action="${action}",code="${code}"}`;

for (const P of PROTOCOLS) {
  describe(`GET /metrics [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    test('per-queue CloudWatch figures and request counters after known traffic', async () => {
      const before = await scrape();
      const delta = (after, series) => (after.get(series) ?? 0) - (before.get(series) ?? 0);

      const { name, url } = await queues.create('metrics');
      const { name: emptyName, url: emptyUrl } = await queues.create('metrics-empty');
      // N = 5 sent: two single sends and a batch of three.
      const bodies = ['one', 'two', 'three', 'four', 'x'.repeat(2000)];
      await P.send('SendMessage', { QueueUrl: url, MessageBody: bodies[0] });
      await P.send('SendMessage', { QueueUrl: url, MessageBody: bodies[1] });
      await P.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: bodies.slice(2).map((b, i) => ({ Id: `e${i}`, MessageBody: b })),
      });
      // M = 3 received (asking for what is still missing, so exactly three).
      const received = [];
      let receiveCalls = 0;
      while (received.length < 3) {
        const r = await P.send('ReceiveMessage', {
          QueueUrl: url,
          MaxNumberOfMessages: 3 - received.length,
          VisibilityTimeout: 300,
          WaitTimeSeconds: 1,
        });
        receiveCalls += 1;
        assert.ok((r.Messages ?? []).length > 0, 'messages are waiting');
        received.push(...r.Messages);
      }
      // K = 2 deleted.
      for (const m of received.slice(0, 2)) {
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
      }
      // One empty receive, on the other queue.
      const empty = await P.send('ReceiveMessage', { QueueUrl: emptyUrl, WaitTimeSeconds: 0 });
      assert.equal((empty.Messages ?? []).length, 0);
      // One error: a queue that does not exist.
      await expectSqsError(
        P,
        P.send('GetQueueUrl', { QueueName: uniqueName('metrics-absent', P) }),
        ERR.NonExistentQueue,
      );

      const m = await scrape();
      assert.equal(m.get(queueSeries('wharf_sqs_number_of_messages_sent_total', name)), 5);
      assert.equal(m.get(queueSeries('wharf_sqs_number_of_messages_received_total', name)), 3);
      assert.equal(m.get(queueSeries('wharf_sqs_number_of_messages_deleted_total', name)), 2);
      assert.equal(m.get(queueSeries('wharf_sqs_number_of_empty_receives_total', name)), 0);
      assert.equal(m.get(queueSeries('wharf_sqs_number_of_empty_receives_total', emptyName)), 1);
      assert.equal(m.get(queueSeries('wharf_sqs_number_of_messages_sent_total', emptyName)), 0);
      assert.equal(m.get(queueSeries('wharf_sqs_approximate_number_of_messages_visible', name)), 2);
      assert.equal(
        m.get(queueSeries('wharf_sqs_approximate_number_of_messages_not_visible', name)), 1);
      assert.equal(m.get(queueSeries('wharf_sqs_approximate_number_of_messages_delayed', name)), 0);
      const age = m.get(queueSeries('wharf_sqs_approximate_age_of_oldest_message_seconds', name));
      assert.ok(age >= 0 && age < 60, `age of the oldest message: ${age}`);
      // SentMessageSize: four short bodies up to 1 KiB, the 2000-byte one up to 4 KiB.
      const labels = `account="000000000000",queue="${name}"`;
      assert.equal(m.get(`wharf_sqs_sent_message_size_bytes_bucket{${labels},le="1024"}`), 4);
      assert.equal(m.get(`wharf_sqs_sent_message_size_bytes_bucket{${labels},le="4096"}`), 5);
      assert.equal(m.get(`wharf_sqs_sent_message_size_bytes_bucket{${labels},le="+Inf"}`), 5);
      assert.equal(
        m.get(`wharf_sqs_sent_message_size_bytes_sum{${labels}}`),
        bodies.reduce((n, b) => n + b.length, 0),
      );
      assert.equal(m.get(`wharf_sqs_sent_message_size_bytes_count{${labels}}`), 5);

      // Requests by action grew by exactly what this test sent.
      assert.equal(delta(m, requests('CreateQueue')), 2);
      assert.equal(delta(m, requests('SendMessage')), 2);
      assert.equal(delta(m, requests('SendMessageBatch')), 1);
      assert.equal(delta(m, requests('ReceiveMessage')), receiveCalls + 1);
      assert.equal(delta(m, requests('DeleteMessage')), 2);
      assert.equal(delta(m, requests('GetQueueUrl')), 1);
      assert.equal(delta(m, errors('GetQueueUrl', 'QueueDoesNotExist')), 1);
      assert.equal(delta(m, errors('SendMessage', 'QueueDoesNotExist')), 0);
      // Every request counted is in its latency histogram.
      assert.equal(
        m.get('wharf_request_duration_seconds_count{service="sqs",action="SendMessage"}'),
        m.get(requests('SendMessage')),
      );
      // Server-wide figures are there.
      assert.ok(m.get('wharf_http_open_connections') >= 1, 'this scrape holds a connection');
      assert.ok(m.get('wharf_sqs_queues') >= 2);
      assert.equal(m.get('wharf_sqs_metrics_queues_aggregated'), 0);
      assert.ok(m.get('wharf_storage_commit_batch_records_count') >= 1, 'the server commits');
      assert.ok(m.get('wharf_storage_sync_duration_seconds_count') >= 1);
      assert.ok(m.has('wharf_sns_deliveries_total'));
    });

    test('the allocator gauges follow the bytes the server holds (jemalloc builds only)', async () => {
      const allocated = 'wharf_allocator_allocated_bytes';
      const resident = 'wharf_allocator_resident_bytes';
      const first = await scrape();
      if (process.env.WHARF_IT_JEMALLOC !== '1') {
        // Sanitizer builds run on their own allocator: no figures rather than wrong ones.
        assert.ok(!first.has(allocated) && !first.has(resident), 'no allocator gauges');
        return;
      }
      assert.ok(first.get(allocated) > 0);
      assert.ok(first.get(resident) >= first.get(allocated), 'live bytes are resident');
      // 40 bodies of 200,000 bytes stay in memory while they wait in the queue...
      const { url } = await queues.create('metrics-memory');
      const body = 'm'.repeat(200_000);
      for (let i = 0; i < 40; i += 1) {
        await P.send('SendMessage', { QueueUrl: url, MessageBody: body });
      }
      const filled = await scrape();
      const held = filled.get(allocated) - first.get(allocated);
      assert.ok(held >= 6_000_000, `8 MB of bodies added ${held} allocated bytes`);
      // ...and are freed by a purge: the gauge counts live bytes, not pages kept for reuse.
      await P.send('PurgeQueue', { QueueUrl: url });
      let after = filled;
      for (let i = 0; i < 50 && filled.get(allocated) - after.get(allocated) < 6_000_000; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        after = await scrape();
      }
      const freed = filled.get(allocated) - after.get(allocated);
      assert.ok(freed >= 6_000_000, `the purge freed ${freed} allocated bytes`);
    });

    test('the scrape itself is not an AWS request', async () => {
      const first = await scrape();
      const second = await scrape();
      const total = (s) =>
        [...s].filter(([k]) => k.startsWith('wharf_requests_total')).reduce((n, [, v]) => n + v, 0);
      assert.equal(total(second), total(first));
    });
  });
}
