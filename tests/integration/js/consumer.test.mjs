// sqs-consumer (bbc/sqs-consumer) as an end-to-end worker on the current JSON client.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer } from 'sqs-consumer';
import { JSON_PROTOCOL as P, Queues, assertCounts, sleep } from './helpers.mjs';

describe('sqs-consumer [json]', () => {
  const queues = new Queues(P);
  after(() => queues.cleanup());

  test('a Consumer receives all 20 messages, deletes them, and leaves the queue empty', async () => {
    const { url } = await queues.create('consumer');
    const bodies = Array.from({ length: 20 }, (_, i) => `job-${i}`);
    for (let i = 0; i < 20; i += 10) {
      const r = await P.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: `m${i + j}`, MessageBody: b })),
      });
      assert.equal(r.Successful.length, 10);
    }

    const handled = [];
    const processed = new Set();
    const errors = [];
    const consumer = Consumer.create({
      queueUrl: url,
      sqs: P.client,
      batchSize: 10,
      waitTimeSeconds: 1,
      visibilityTimeout: 30,
      handleMessage: async (message) => {
        handled.push(message.Body);
        return message; // acknowledge → sqs-consumer deletes it
      },
    });
    consumer.on('error', (err) => errors.push(err));
    consumer.on('processing_error', (err) => errors.push(err));
    consumer.on('message_processed', (m) => processed.add(m.MessageId));

    const done = new Promise((resolve) => {
      const check = setInterval(() => {
        if (processed.size >= 20 || errors.length > 0) {
          clearInterval(check);
          resolve();
        }
      }, 50);
      setTimeout(() => { clearInterval(check); resolve(); }, 30000);
    });
    const stopped = new Promise((resolve) => consumer.once('stopped', resolve));
    consumer.start();
    await done;
    consumer.stop();
    await Promise.race([stopped, sleep(10000)]);

    assert.deepEqual(errors.map((e) => `${e.name}: ${e.message}`), [], 'the consumer reported errors');
    assert.equal(processed.size, 20, `processed ${processed.size} of 20 messages`);
    assert.deepEqual([...new Set(handled)].sort(), [...bodies].sort());
    await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'after the consumer finished');
  });
});
