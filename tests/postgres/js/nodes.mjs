// Clients of the two Wharf nodes that tests/postgres/two_nodes.sh starts on one PostgreSQL.
//
// Both SDK generations of tests/integration (helpers.mjs loads them from its node_modules):
// @aws-sdk/client-sqs (AWS JSON 1.0) and sqs-query (@aws-sdk/client-sqs@3.445.0, AWS Query).
// The endpoint is set explicitly, so the SDK sends to that node whatever host the QueueUrl names
// (the queue URLs of node 1 name node 1's port; requests with them go to node 2 all the same).

import assert from 'node:assert/strict';
import { JsonSdk, QuerySdk, randomSuffix } from '../../integration/js/helpers.mjs';

export const NODE1 = process.env.WHARF_NODE1;
export const NODE2 = process.env.WHARF_NODE2;
if (!NODE1 || !NODE2) throw new Error('WHARF_NODE1 / WHARF_NODE2 not set (run tests/postgres/two_nodes.sh)');

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

// One client of one SDK talking to one node.
export class Client {
  constructor(protocol, sdk, endpoint, options = {}) {
    this.name = protocol; // 'json' | 'query': what helpers.expectSqsError expects in `name`
    this.sdk = sdk;
    this.endpoint = endpoint;
    this.client = new sdk.SQSClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, ...options });
  }

  get isJson() {
    return this.name === 'json';
  }

  send(op, input = {}) {
    return this.client.send(new this.sdk[`${op}Command`](input));
  }

  // The receive-side system attribute selector (see helpers.mjs Protocol.sysAttrs).
  sysAttrs(names) {
    return this.isJson ? { MessageSystemAttributeNames: names } : { AttributeNames: names };
  }

  destroy() {
    this.client.destroy();
  }
}

// For each protocol (WHARF_JS_PROTOCOLS=json|query restricts it): a client of node 1 and one of node 2.
const only = process.env.WHARF_JS_PROTOCOLS?.split(',');
export const PAIRS = [
  ['json', JsonSdk],
  ['query', QuerySdk],
]
  .filter(([name]) => !only || only.includes(name))
  .map(([name, sdk]) => ({ name, n1: new Client(name, sdk, NODE1), n2: new Client(name, sdk, NODE2) }));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function queueName(prefix, name) {
  return `pg2-${prefix}-${name}-${randomSuffix(10)}`;
}

// Waiting for messages with short polls and a pause when nothing came: these tests check what
// arrives, not when (long_poll.test.mjs checks WaitTimeSeconds across nodes).
export async function receiveUntil(C, url, count, { timeoutMs = 10000, ...input } = {}) {
  const got = new Map();
  const deadline = Date.now() + timeoutMs;
  while (got.size < count && Date.now() < deadline) {
    const r = await C.send('ReceiveMessage', {
      QueueUrl: url,
      MaxNumberOfMessages: Math.min(10, count - got.size),
      ...input,
    });
    const msgs = r.Messages ?? [];
    for (const m of msgs) {
      assert.ok(!got.has(m.MessageId), `[${C.name}] ${m.MessageId} received twice`);
      got.set(m.MessageId, m);
    }
    if (msgs.length === 0) await sleep(50);
  }
  return [...got.values()];
}

export async function receiveOne(C, url, input = {}) {
  const msgs = await receiveUntil(C, url, 1, input);
  assert.equal(msgs.length, 1, `[${C.name}] expected a message on ${url} from ${C.endpoint}`);
  return msgs[0];
}

export async function assertNothing(C, url, input = {}) {
  const r = await C.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, ...input });
  assert.deepEqual((r.Messages ?? []).map((m) => m.Body), [], `[${C.name}] expected no message from ${C.endpoint}`);
}

export async function counters(C, url) {
  const r = await C.send('GetQueueAttributes', {
    QueueUrl: url,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  });
  const a = r.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    notVisible: Number(a.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed),
  };
}

// Retries `fn` while it throws, for up to `timeoutMs` (AWS documents that a new queue may take a
// moment to be visible everywhere); rethrows the last error.
export async function eventually(fn, { timeoutMs = 3000, stepMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() >= deadline) throw e;
      await sleep(stepMs);
    }
  }
}

// Creates queues on a node and deletes them (on the same node) in an `after` hook.
export class Queues {
  constructor(C) {
    this.C = C;
    this.urls = new Set();
  }

  async create(prefix, Attributes) {
    const name = queueName(prefix, this.C.name);
    const r = await this.C.send('CreateQueue', Attributes ? { QueueName: name, Attributes } : { QueueName: name });
    this.urls.add(r.QueueUrl);
    return { name, url: r.QueueUrl };
  }

  async cleanup() {
    for (const url of this.urls) {
      await this.C.send('DeleteQueue', { QueueUrl: url }).catch(() => {});
    }
    this.urls.clear();
  }
}
