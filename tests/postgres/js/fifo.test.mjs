// FIFO queues across two nodes on one PostgreSQL: order within a group and SequenceNumbers,
// deduplication (explicit and content-based) whichever node a send reaches, a group held by a
// receive on one node not handed out by the other, ReceiveRequestAttemptId replayed on the
// other node, the expired-receipt error, and a long poll on one node woken by a send on the other.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ERR, expectSqsError } from '../../integration/js/helpers.mjs';
import { PAIRS, queueName, eventually, sleep } from './nodes.mjs';

const EXPIRED_TEXT = (h) => `Value ${h} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`;
const sha256Hex = (s) => crypto.createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

async function receive(C, url, input = {}) {
  const r = await C.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, ...input });
  return r.Messages ?? [];
}
const bodies = (ms) => ms.map((m) => m.Body);

for (const { name, n1, n2 } of PAIRS) {
  describe(`FIFO across nodes [${name}]`, () => {
    const urls = [];
    after(async () => {
      for (const url of urls) await n1.send('DeleteQueue', { QueueUrl: url }).catch(() => {});
    });

    // A FIFO queue created on node 1, visible on node 2.
    async function createFifo(prefix, Attributes = {}) {
      const r = await n1.send('CreateQueue', {
        QueueName: `${queueName(prefix, name)}.fifo`,
        Attributes: { FifoQueue: 'true', ...Attributes },
      });
      urls.push(r.QueueUrl);
      await eventually(() => n2.send('GetQueueAttributes', { QueueUrl: r.QueueUrl, AttributeNames: ['QueueArn'] }));
      return r.QueueUrl;
    }

    test('sends on both nodes keep group order and increasing SequenceNumbers; receives on both', async () => {
      const url = await createFifo('order');
      const sent = [];
      for (let i = 0; i < 6; i++) {
        const C = i % 2 === 0 ? n1 : n2;
        for (const g of ['a', 'b']) {
          const body = `${g}${i}`;
          const r = await C.send('SendMessage', { QueueUrl: url, MessageBody: body, MessageGroupId: g, MessageDeduplicationId: body });
          assert.match(r.SequenceNumber, /^\d{20}$/);
          sent.push(r.SequenceNumber);
        }
      }
      const batch = await n2.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: [6, 7].flatMap((i) => ['a', 'b'].map((g) => ({
          Id: `${g}${i}`, MessageBody: `${g}${i}`, MessageGroupId: g, MessageDeduplicationId: `${g}${i}`,
        }))),
      });
      assert.equal(batch.Successful.length, 4);
      for (const e of batch.Successful) sent.push(e.SequenceNumber);
      assert.deepEqual([...sent].sort(), sent, 'SequenceNumbers increase in send order');

      const got = { a: [], b: [] };
      for (let round = 0; got.a.length + got.b.length < 16 && round < 40; round++) {
        const C = round % 2 === 0 ? n2 : n1; // receive and delete on alternating nodes
        const ms = await receive(C, url, { MaxNumberOfMessages: 3, ...C.sysAttrs(['All']) });
        for (const m of ms) {
          got[m.Attributes.MessageGroupId].push(m.Body);
          assert.equal(m.Attributes.MessageDeduplicationId, m.Body);
          assert.match(m.Attributes.SequenceNumber, /^\d{20}$/);
        }
        for (const m of ms) await C.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
      }
      assert.deepEqual(got.a, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `a${i}`));
      assert.deepEqual(got.b, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `b${i}`));
    });

    test('a duplicate sent to the other node answers the original MessageId and SequenceNumber', async () => {
      const url = await createFifo('dedup');
      const first = await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
      const again = await n2.send('SendMessage', { QueueUrl: url, MessageBody: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
      assert.equal(again.MessageId, first.MessageId);
      assert.equal(again.SequenceNumber, first.SequenceNumber);
      assert.deepEqual(bodies(await receive(n2, url)), ['x']);
    });

    test('content-based deduplication across nodes', async () => {
      const url = await createFifo('content', { ContentBasedDeduplication: 'true' });
      const first = await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' });
      const again = await n2.send('SendMessage', { QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' });
      assert.equal(again.MessageId, first.MessageId);
      const ms = await receive(n2, url, n2.sysAttrs(['All']));
      assert.deepEqual(bodies(ms), ['same']);
      assert.equal(ms[0].Attributes.MessageDeduplicationId, sha256Hex('same'));
    });

    test('DeduplicationScope=messageGroup: one id in two groups stores both', async () => {
      const url = await createFifo('scope', { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
      const a = await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'in a', MessageGroupId: 'a', MessageDeduplicationId: 'd' });
      const b = await n2.send('SendMessage', { QueueUrl: url, MessageBody: 'in b', MessageGroupId: 'b', MessageDeduplicationId: 'd' });
      assert.notEqual(a.MessageId, b.MessageId);
      const dup = await n2.send('SendMessage', { QueueUrl: url, MessageBody: 'again', MessageGroupId: 'a', MessageDeduplicationId: 'd' });
      assert.equal(dup.MessageId, a.MessageId);
      assert.deepEqual(bodies(await receive(n1, url)).sort(), ['in a', 'in b']);
    });

    test('a group held by a receive on node 1 is not handed out by node 2 until deleted there', async () => {
      const url = await createFifo('lock');
      for (const [g, body] of [['a', 'a1'], ['a', 'a2'], ['b', 'b1']]) {
        await n1.send('SendMessage', { QueueUrl: url, MessageBody: body, MessageGroupId: g, MessageDeduplicationId: body });
      }
      const held = await receive(n1, url, { MaxNumberOfMessages: 1 });
      assert.deepEqual(bodies(held), ['a1']);
      assert.deepEqual(bodies(await receive(n2, url)), ['b1'], 'group a is held, group b is not');
      await n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: held[0].ReceiptHandle });
      assert.deepEqual(bodies(await receive(n2, url)), ['a2']);
    });

    test('ReceiveRequestAttemptId replayed on the other node returns the same messages', async () => {
      const url = await createFifo('attempt');
      for (const body of ['m1', 'm2']) {
        await n1.send('SendMessage', { QueueUrl: url, MessageBody: body, MessageGroupId: 'g', MessageDeduplicationId: body });
      }
      const first = await receive(n1, url, { ReceiveRequestAttemptId: 'attempt-1' });
      assert.deepEqual(bodies(first), ['m1', 'm2']);
      const replay = await receive(n2, url, { ReceiveRequestAttemptId: 'attempt-1' });
      assert.deepEqual(replay.map((m) => m.MessageId), first.map((m) => m.MessageId));
      assert.deepEqual(replay.map((m) => m.ReceiptHandle), first.map((m) => m.ReceiptHandle));
    });

    test('DeleteMessage on the other node with an expired handle → "The receipt handle has expired."', async () => {
      const url = await createFifo('expired');
      await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'e', MessageGroupId: 'g', MessageDeduplicationId: 'e' });
      const [m] = await receive(n1, url, { VisibilityTimeout: 1 });
      assert.ok(m);
      await sleep(1500);
      await expectSqsError(n2, n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
        ERR.InvalidParameterValue, { message: EXPIRED_TEXT(m.ReceiptHandle) });
      const [again] = await receive(n2, url);
      assert.equal(again?.Body, 'e');
      await n1.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: again.ReceiptHandle });
    });

    test('a long poll on node 2 is woken by a send on node 1', async () => {
      const url = await createFifo('poll');
      const started = Date.now();
      const polled = n2.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 15 });
      await sleep(500);
      await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'wake', MessageGroupId: 'g', MessageDeduplicationId: 'w' });
      const r = await polled;
      assert.deepEqual(bodies(r.Messages ?? []), ['wake']);
      assert.ok(Date.now() - started < 8000, `answered after ${Date.now() - started} ms, not by the send`);
    });
  });
}
