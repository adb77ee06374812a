// Long polling across nodes: a ReceiveMessage waiting on node 2 returns as soon as node 1 accepts
// a send (node 1 NOTIFYs after commit, node 2 LISTENs and wakes its waiters), long before the
// wait ends; a wait with nothing to receive lasts its whole WaitTimeSeconds; a queue's
// ReceiveMessageWaitTimeSeconds is the default wait on the other node too.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PAIRS, Queues, eventually, sleep } from './nodes.mjs';

for (const { name, n1, n2 } of PAIRS) {
  describe(`long polling across nodes [${name}]`, () => {
    const queues = new Queues(n1);
    after(() => queues.cleanup());

    test('a receive waiting on node 2 returns when node 1 accepts a send', async () => {
      const { url } = await queues.create('lp');
      await eventually(() => n2.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['QueueArn'] }));
      const started = Date.now();
      const waiting = n2.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 20 });
      await sleep(1000);
      await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'wake up' });
      const r = await waiting;
      const took = Date.now() - started;
      assert.equal(r.Messages?.length, 1);
      assert.equal(r.Messages[0].Body, 'wake up');
      assert.ok(took >= 900, `returned after ${took} ms, before the send`);
      // Generous: the guarantee is the 1 s re-check; the notification makes it milliseconds.
      assert.ok(took < 10000, `returned after ${took} ms: not woken by the send`);
    });

    test('a wait with nothing to receive lasts WaitTimeSeconds and answers empty', async () => {
      const { url } = await queues.create('lp-empty');
      const started = Date.now();
      const r = await n2.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 2 });
      const took = Date.now() - started;
      assert.equal(r.Messages?.length ?? 0, 0);
      assert.ok(took >= 1800, `answered after ${took} ms, before the wait ended`);
      assert.ok(took < 10000, `answered after ${took} ms`);
    });

    test("the queue's ReceiveMessageWaitTimeSeconds is the default wait on the other node", async () => {
      const { url } = await queues.create('lp-default', { ReceiveMessageWaitTimeSeconds: '20' });
      const started = Date.now();
      const waiting = n2.send('ReceiveMessage', { QueueUrl: url });
      await sleep(1000);
      await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'by default' });
      const r = await waiting;
      const took = Date.now() - started;
      assert.equal(r.Messages?.[0]?.Body, 'by default');
      assert.ok(took >= 900 && took < 10000, `returned after ${took} ms`);
    });
  });
}
