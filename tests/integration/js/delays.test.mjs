// Queue-level and per-message delays (sqs-api.md §5.6, §3.1 ApproximateNumberOfMessagesDelayed).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS, Queues, ERR, expectSqsError, assertEmptyReceive, assertCounts } from './helpers.mjs';

// Sends, checks that the message is delayed and not receivable, then long-polls for it and checks
// that it arrives no earlier than the delay.
async function checkDelayed(P, url, sendInput, delaySeconds) {
  const t0 = Date.now();
  const sent = await P.send('SendMessage', { QueueUrl: url, ...sendInput });
  await assertEmptyReceive(P, url);
  await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 1 }, 'right after sending a delayed message');
  const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 10 });
  const ms = Date.now() - t0;
  assert.equal(r.Messages?.length, 1, 'the delayed message should become receivable');
  assert.equal(r.Messages[0].MessageId, sent.MessageId);
  assert.ok(ms >= delaySeconds * 1000 - 150, `received after ${ms} ms, delay is ${delaySeconds} s`);
  assert.ok(ms < delaySeconds * 1000 + 6000, `received only after ${ms} ms, delay is ${delaySeconds} s`);
  await assertCounts(P, url, { visible: 0, notVisible: 1, delayed: 0 }, 'after receiving it');
}

for (const P of PROTOCOLS) {
  describe(`delays [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    test('queue DelaySeconds delays every new message', async () => {
      const { url } = await queues.create('delay-queue', { DelaySeconds: '2' });
      await checkDelayed(P, url, { MessageBody: 'queue delay' }, 2);
    });

    test('per-message DelaySeconds delays that message', async () => {
      const { url } = await queues.create('delay-msg');
      await checkDelayed(P, url, { MessageBody: 'message delay', DelaySeconds: 2 }, 2);
    });

    test('per-message DelaySeconds 0 overrides the queue delay on a standard queue', async () => {
      const { url } = await queues.create('delay-override', { DelaySeconds: '600' });
      const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'now', DelaySeconds: 0 });
      await assertCounts(P, url, { visible: 1, notVisible: 0, delayed: 0 });
      const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0 });
      assert.equal(r.Messages?.[0]?.MessageId, sent.MessageId);
    });

    test('per-message delay in SendMessageBatch', async () => {
      const { url } = await queues.create('delay-batch');
      await P.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: [{ Id: 'now', MessageBody: 'now' }, { Id: 'later', MessageBody: 'later', DelaySeconds: 600 }],
      });
      await assertCounts(P, url, { visible: 1, notVisible: 0, delayed: 1 });
      const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 });
      assert.deepEqual(r.Messages.map((m) => m.Body), ['now']);
    });

    test('changing the queue delay is not retroactive for standard queues', async () => {
      const { url } = await queues.create('delay-change', { DelaySeconds: '600' });
      await P.send('SendMessage', { QueueUrl: url, MessageBody: 'stays delayed' });
      await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { DelaySeconds: '0' } });
      await P.send('SendMessage', { QueueUrl: url, MessageBody: 'immediate' });
      await assertCounts(P, url, { visible: 1, notVisible: 0, delayed: 1 });
      const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 });
      assert.deepEqual(r.Messages.map((m) => m.Body), ['immediate']);
    });

    test('batch entry DelaySeconds 901 → per-entry or whole-request InvalidParameterValue', async () => {
      const { url } = await queues.create('delay-batch-bad');
      let r;
      try {
        r = await P.send('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: 'x', MessageBody: 'x', DelaySeconds: 901 }] });
      } catch (e) {
        await expectSqsError(P, Promise.reject(e), ERR.InvalidParameterValue);
        return;
      }
      assert.equal((r.Successful ?? []).length, 0, 'DelaySeconds 901 must not be accepted');
      assert.equal(r.Failed[0].Code, 'InvalidParameterValue');
    });
  });
}
