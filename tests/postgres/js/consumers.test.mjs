// Many consumers on both nodes, at once: every message is received exactly once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSdk, QuerySdk } from '../../integration/js/helpers.mjs';
import { Client, NODE1, NODE2, PAIRS, queueName, counters, eventually, sleep } from './nodes.mjs';

const MESSAGES = 500;
const CONSUMERS_PER_NODE = 4;

test(`${MESSAGES} messages, ${CONSUMERS_PER_NODE} consumers per node: each received exactly once`, async () => {
  // Consumers alternate between the SDKs (unless WHARF_JS_PROTOCOLS restricts them).
  const sdks = PAIRS.map((p) => [p.name, p.name === 'json' ? JsonSdk : QuerySdk]);
  const consumers = [];
  for (const [node, endpoint] of [['node1', NODE1], ['node2', NODE2]]) {
    for (let i = 0; i < CONSUMERS_PER_NODE; i++) {
      const [name, sdk] = sdks[i % sdks.length];
      consumers.push({ node, C: new Client(name, sdk, endpoint), got: 0 });
    }
  }
  const admin = consumers[0].C;
  const url = (await admin.send('CreateQueue', { QueueName: queueName('many', 'mixed') })).QueueUrl;
  try {
    await eventually(() => consumers.at(-1).C.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['QueueArn'] }));

    const sent = new Set();
    const receivedBy = new Map(); // MessageId → "node1/json#0"
    const duplicates = [];
    const deadline = Date.now() + 60000;
    let producing = true;

    // Producers, while the consumers run: half the messages in batches of 10 to node 1, half
    // one by one (5 at a time) to node 2.
    const produceBatches = async (C, from, to) => {
      for (let first = from; first < to; first += 10) {
        const entries = [];
        for (let i = first; i < Math.min(first + 10, to); i++) entries.push({ Id: `m${i}`, MessageBody: `message ${i}` });
        const r = await C.send('SendMessageBatch', { QueueUrl: url, Entries: entries });
        assert.equal(r.Failed?.length ?? 0, 0, JSON.stringify(r.Failed));
        for (const s of r.Successful) sent.add(s.MessageId);
      }
    };
    const produceSingles = async (C, from, to) => {
      let next = from;
      const worker = async () => {
        while (next < to) {
          const i = next++;
          sent.add((await C.send('SendMessage', { QueueUrl: url, MessageBody: `message ${i}` })).MessageId);
        }
      };
      await Promise.all(Array.from({ length: 5 }, worker));
    };
    const consume = async (c, index) => {
      const tag = `${c.node}/${c.C.name}#${index}`;
      while (Date.now() < deadline && (producing || receivedBy.size < sent.size)) {
        const r = await c.C.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 120 });
        const msgs = r.Messages ?? [];
        if (msgs.length === 0) {
          await sleep(20);
          continue;
        }
        for (const m of msgs) {
          if (receivedBy.has(m.MessageId)) duplicates.push(`${m.MessageId}: ${receivedBy.get(m.MessageId)} and ${tag}`);
          else receivedBy.set(m.MessageId, tag);
        }
        c.got += msgs.length;
        const d = await c.C.send('DeleteMessageBatch', {
          QueueUrl: url,
          Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
        });
        assert.equal(d.Failed?.length ?? 0, 0, JSON.stringify(d.Failed));
      }
    };

    const running = consumers.map((c, i) => consume(c, i));
    const half = MESSAGES / 2;
    await Promise.all([produceBatches(PAIRS[0].n1, 0, half), produceSingles(PAIRS.at(-1).n2, half, MESSAGES)]);
    producing = false;
    await Promise.all(running);

    assert.equal(sent.size, MESSAGES);
    assert.deepEqual(duplicates, [], 'received twice while the visibility timeout (120 s) ran');
    const missing = [...sent].filter((id) => !receivedBy.has(id));
    assert.deepEqual(missing, [], `${missing.length} of ${MESSAGES} never received within 60 s`);
    assert.equal(receivedBy.size, MESSAGES);
    const byNode = { node1: 0, node2: 0 };
    for (const c of consumers) byNode[c.node] += c.got;
    console.log(`consumers: ${consumers.map((c, i) => `${c.node}/${c.C.name}#${i}=${c.got}`).join(' ')}`);
    assert.ok(byNode.node1 > 0 && byNode.node2 > 0, `both nodes served receives: ${JSON.stringify(byNode)}`);
    assert.deepEqual(await counters(admin, url), { visible: 0, notVisible: 0, delayed: 0 });
  } finally {
    await admin.send('DeleteQueue', { QueueUrl: url }).catch(() => {});
    for (const c of consumers) c.C.destroy();
  }
});
