// PurgeQueue (sqs-api.md §2.14, §5.7).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, Queues, ERR, expectSqsError, receiveN, assertEmptyReceive, assertCounts, sleep,
} from './helpers.mjs';

for (const P of PROTOCOLS) {
  describe(`PurgeQueue [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    test('removes visible, in-flight and delayed messages; a second purge within 60 s → PurgeQueueInProgress (403)', async () => {
      const { name, url } = await queues.create('purge');
      await P.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: [
          { Id: 'v1', MessageBody: 'visible 1' },
          { Id: 'v2', MessageBody: 'visible 2' },
          { Id: 'v3', MessageBody: 'visible 3' },
          { Id: 'f1', MessageBody: 'in flight' },
        ],
      });
      await P.send('SendMessage', { QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 2 });
      const inFlight = await receiveN(P, url, 1, { VisibilityTimeout: 1 });
      assert.equal(inFlight.length, 1);
      await assertCounts(P, url, { visible: 3, notVisible: 1, delayed: 1 }, 'before the purge');

      await P.send('PurgeQueue', { QueueUrl: url });
      await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'after the purge');
      await assertEmptyReceive(P, url);
      // Neither the in-flight message (1 s timeout) nor the delayed one (2 s) comes back.
      await sleep(3000);
      await assertEmptyReceive(P, url);
      await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, '3 s after the purge');

      const e = await expectSqsError(P, P.send('PurgeQueue', { QueueUrl: url }), ERR.PurgeQueueInProgress, {
        message: `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
      });
      assert.equal(e.$metadata.httpStatusCode, 403);

      // The queue is still usable after a purge.
      await P.send('SendMessage', { QueueUrl: url, MessageBody: 'after purge' });
      const got = await receiveN(P, url, 1);
      assert.equal(got[0]?.Body, 'after purge');
    });

    test('purging an empty queue succeeds; another queue is not rate-limited by it', async () => {
      const { url: a } = await queues.create('purge-a');
      const { url: b } = await queues.create('purge-b');
      await P.send('PurgeQueue', { QueueUrl: a });
      await P.send('SendMessage', { QueueUrl: b, MessageBody: 'b' });
      await P.send('PurgeQueue', { QueueUrl: b });
      await assertCounts(P, b, { visible: 0, notVisible: 0, delayed: 0 });
    });

    test('unknown queue → QueueDoesNotExist', async () => {
      const { url } = await queues.create('purge-gone');
      await P.send('DeleteQueue', { QueueUrl: url });
      await expectSqsError(P, P.send('PurgeQueue', { QueueUrl: url }), ERR.NonExistentQueue);
    });
  });
}
