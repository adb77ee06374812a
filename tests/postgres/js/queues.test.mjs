// Queues are shared: created on node 1, seen and used on node 2; deleted on node 1, gone on node 2.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ERR, expectSqsError } from '../../integration/js/helpers.mjs';
import { PAIRS, Queues, queueName, eventually, receiveOne, counters, NODE2 } from './nodes.mjs';

for (const { name, n1, n2 } of PAIRS) {
  describe(`queues across nodes [${name}]`, () => {
    const queues = new Queues(n1);
    after(() => queues.cleanup());

    test('a queue created on node 1 is found, listed and usable on node 2', async () => {
      const attrs = { VisibilityTimeout: '45', DelaySeconds: '0', MessageRetentionPeriod: '7200' };
      const { name: q, url } = await queues.create('create', attrs);
      // AWS documents a short propagation delay after CreateQueue: allowed, briefly.
      const r = await eventually(() => n2.send('GetQueueUrl', { QueueName: q }));
      // The URL names the node the client asked (node 2), the path is the same.
      assert.equal(r.QueueUrl, `${NODE2}/000000000000/${q}`);
      assert.equal(new URL(r.QueueUrl).pathname, new URL(url).pathname);

      const listed = await n2.send('ListQueues', { QueueNamePrefix: q });
      assert.deepEqual(listed.QueueUrls, [`${NODE2}/000000000000/${q}`]);

      const a = await n2.send('GetQueueAttributes', { QueueUrl: r.QueueUrl, AttributeNames: ['All'] });
      assert.equal(a.Attributes.VisibilityTimeout, '45');
      assert.equal(a.Attributes.MessageRetentionPeriod, '7200');
      assert.equal(a.Attributes.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${q}`);

      // Creating it again on node 2 with the same attributes answers the same queue.
      const again = await n2.send('CreateQueue', { QueueName: q, Attributes: attrs });
      assert.equal(new URL(again.QueueUrl).pathname, new URL(url).pathname);
      // ... and with different ones, QueueNameExists (QueueAlreadyExists in Query).
      await expectSqsError(n2, n2.send('CreateQueue', { QueueName: q, Attributes: { VisibilityTimeout: '46' } }),
        ERR.QueueAlreadyExists);

      // Usable from node 2, with node 2's URL, and from node 1 with it.
      await n2.send('SendMessage', { QueueUrl: r.QueueUrl, MessageBody: 'via node 2' });
      const m = await receiveOne(n1, r.QueueUrl);
      assert.equal(m.Body, 'via node 2');
      await n1.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
      assert.deepEqual(await counters(n2, url), { visible: 0, notVisible: 0, delayed: 0 });
    });

    test('DeleteQueue on node 1: node 2 answers QueueDoesNotExist (after its next refresh)', async () => {
      const { name: q, url } = await queues.create('delete');
      await eventually(() => n2.send('GetQueueUrl', { QueueName: q }));
      await n2.send('SendMessage', { QueueUrl: url, MessageBody: 'doomed' });
      await n2.send('SendMessage', { QueueUrl: url, MessageBody: 'doomed too' });
      const m = await receiveOne(n2, url, { MaxNumberOfMessages: 1 });
      await n1.send('DeleteQueue', { QueueUrl: url });

      // Node 2 drops the queue from its cache of queue rows at its next refresh (every second).
      // AWS documents the same: "the deletion process takes up to 60 seconds. Requests you send
      // involving that queue during the 60 seconds might succeed." Once gone, it is gone for
      // every operation below.
      await eventually(() => expectSqsError(n2, n2.send('GetQueueUrl', { QueueName: q }), ERR.NonExistentQueue),
        { timeoutMs: 5000 });
      await expectSqsError(n2, n2.send('SendMessage', { QueueUrl: url, MessageBody: 'x' }), ERR.NonExistentQueue);
      await expectSqsError(n2, n2.send('ReceiveMessage', { QueueUrl: url }), ERR.NonExistentQueue);
      await expectSqsError(n2, n2.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] }),
        ERR.NonExistentQueue);
      await expectSqsError(n2, n2.send('PurgeQueue', { QueueUrl: url }), ERR.NonExistentQueue);
      await expectSqsError(n2, n2.send('DeleteQueue', { QueueUrl: url }), ERR.NonExistentQueue);
      // A handle received before the deletion: the queue is checked first.
      await expectSqsError(n2, n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
        ERR.NonExistentQueue);
      await expectSqsError(n1, n1.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }),
        ERR.NonExistentQueue);
      const listed = await n2.send('ListQueues', { QueueNamePrefix: q });
      assert.deepEqual(listed.QueueUrls ?? [], []);
    });
  });
}

test('ListQueues on either node lists the queues of both', async () => {
  const { n1, n2 } = PAIRS[0];
  const a = queueName('list', 'a');
  const b = queueName('list', 'b');
  const ua = (await n1.send('CreateQueue', { QueueName: a })).QueueUrl;
  const ub = (await n2.send('CreateQueue', { QueueName: b })).QueueUrl;
  try {
    for (const C of PAIRS.flatMap((p) => [p.n1, p.n2])) {
      const r = await eventually(async () => {
        const l = await C.send('ListQueues', { QueueNamePrefix: 'pg2-list-' });
        const names = (l.QueueUrls ?? []).map((u) => u.split('/').pop()).sort();
        assert.deepEqual(names.filter((n) => n === a || n === b), [a, b].sort());
        return l;
      });
      for (const u of r.QueueUrls) assert.ok(u.startsWith(`${C.endpoint}/000000000000/`), u);
    }
  } finally {
    await n1.send('DeleteQueue', { QueueUrl: ua }).catch(() => {});
    await n2.send('DeleteQueue', { QueueUrl: ub }).catch(() => {});
  }
});
