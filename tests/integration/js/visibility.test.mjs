// Visibility timeout, ChangeMessageVisibility(Batch), DeleteMessage(Batch)
// (sqs-api.md §2.10–2.13, §5.4).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, Queues, ERR, expectSqsError, receiveN, receiveOne, assertEmptyReceive, assertCounts, sleep, timed,
} from './helpers.mjs';

const GARBAGE = 'garbage';

for (const P of PROTOCOLS) {
  describe(`visibility and deletion [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    test('a received message is invisible, then reappears with ApproximateReceiveCount 2 and a new handle', async () => {
      const { url } = await queues.create('vis-expire');
      const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'comes back' });
      const first = await receiveOne(P, url, { VisibilityTimeout: 1, ...P.sysAttrs(['ApproximateReceiveCount']) });
      assert.equal(first.MessageId, sent.MessageId);
      assert.equal(first.Attributes.ApproximateReceiveCount, '1');
      await assertEmptyReceive(P, url);
      await assertCounts(P, url, { visible: 0, notVisible: 1, delayed: 0 }, 'while in flight');
      const { value: r, ms } = await timed(() => P.send('ReceiveMessage', {
        QueueUrl: url, WaitTimeSeconds: 10, VisibilityTimeout: 30, ...P.sysAttrs(['ApproximateReceiveCount']),
      }));
      assert.equal(r.Messages?.length, 1, 'message should reappear after its 1 s visibility timeout');
      const second = r.Messages[0];
      assert.equal(second.MessageId, sent.MessageId);
      assert.equal(second.Attributes.ApproximateReceiveCount, '2');
      assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
      assert.ok(ms < 8000, `reappeared after ${ms} ms (timeout 1 s)`);
    });

    test('VisibilityTimeout 0 on receive leaves the message immediately visible', async () => {
      const { url } = await queues.create('vis-zero');
      await P.send('SendMessage', { QueueUrl: url, MessageBody: 'zero' });
      await receiveOne(P, url, { VisibilityTimeout: 0 });
      const again = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0, ...P.sysAttrs(['ApproximateReceiveCount']) });
      assert.equal(again.Messages?.length, 1);
      assert.equal(again.Messages[0].Attributes.ApproximateReceiveCount, '2');
    });

    describe('ChangeMessageVisibility', () => {
      test('extending keeps the message hidden past its original timeout', async () => {
        const { url } = await queues.create('cmv-extend');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'extend me' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 2 });
        await P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 30 });
        await sleep(3500);
        await assertEmptyReceive(P, url);
        await assertCounts(P, url, { visible: 0, notVisible: 1, delayed: 0 });
      });

      test('0 makes the message visible immediately', async () => {
        const { url } = await queues.create('cmv-zero');
        const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'release me' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 600 });
        await assertEmptyReceive(P, url);
        await P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 });
        const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0, ...P.sysAttrs(['ApproximateReceiveCount']) });
        assert.equal(r.Messages?.length, 1);
        assert.equal(r.Messages[0].MessageId, sent.MessageId);
        assert.equal(r.Messages[0].Attributes.ApproximateReceiveCount, '2');
      });

      test('the new timeout counts from now (shortening works)', async () => {
        const { url } = await queues.create('cmv-shorten');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'shorten' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 600 });
        await P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 1 });
        const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 10 });
        assert.equal(r.Messages?.length, 1, 'message should be visible again about 1 s after the change');
      });

      test('garbage handle → ReceiptHandleIsInvalid', async () => {
        const { url } = await queues.create('cmv-garbage');
        await expectSqsError(P, P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: GARBAGE, VisibilityTimeout: 10 }),
          ERR.ReceiptHandleIsInvalid);
      });

      test('handle of a deleted message → InvalidParameterValue', async () => {
        const { url } = await queues.create('cmv-deleted');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'gone' });
        const m = await receiveOne(P, url);
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
        await expectSqsError(P, P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 10 }),
          ERR.InvalidParameterValue, {
            message: `Value ${m.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
          });
      });

      test('extending beyond 12 hours since the receive → InvalidParameterValue (no clamping)', async () => {
        const { url } = await queues.create('cmv-12h');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: '12h' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 600 });
        await sleep(1100);
        // received ≥ 1 s ago, so now + 43200 s is beyond received_at + 12 h (§5.4).
        await expectSqsError(P, P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43200 }),
          ERR.InvalidParameterValue, {
            message: 'Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].',
          });
        // A value inside the budget is still accepted.
        await P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 3600 });
      });

      test('VisibilityTimeout -1 → InvalidParameterValue', async () => {
        const { url } = await queues.create('cmv-negative');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'negative' });
        const m = await receiveOne(P, url);
        await expectSqsError(P, P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: -1 }),
          ERR.InvalidParameterValue);
      });

      test('VisibilityTimeout 43201 → InvalidParameterValue', async () => {
        const { url } = await queues.create('cmv-range');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'range' });
        const m = await receiveOne(P, url);
        await expectSqsError(P, P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43201 }),
          ERR.InvalidParameterValue);
      });
    });

    describe('ChangeMessageVisibilityBatch', () => {
      test('valid entries succeed, a bad handle fails per entry with ReceiptHandleIsInvalid', async () => {
        const { url } = await queues.create('cmvb');
        await P.send('SendMessageBatch', {
          QueueUrl: url, Entries: [{ Id: '1', MessageBody: 'one' }, { Id: '2', MessageBody: 'two' }],
        });
        const got = await receiveN(P, url, 2, { VisibilityTimeout: 600 });
        assert.equal(got.length, 2);
        const r = await P.send('ChangeMessageVisibilityBatch', {
          QueueUrl: url,
          Entries: [
            { Id: 'm1', ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: 0 },
            { Id: 'bad', ReceiptHandle: GARBAGE, VisibilityTimeout: 0 },
            { Id: 'm2', ReceiptHandle: got[1].ReceiptHandle, VisibilityTimeout: 0 },
          ],
        });
        assert.deepEqual(r.Successful.map((s) => s.Id).sort(), ['m1', 'm2']);
        assert.equal(r.Failed.length, 1);
        assert.equal(r.Failed[0].Id, 'bad');
        assert.equal(r.Failed[0].Code, 'ReceiptHandleIsInvalid');
        assert.equal(r.Failed[0].SenderFault, true);
        // The successful changes took effect: both messages are visible again.
        const again = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 });
        assert.equal(again.Messages?.length, 2);
      });

      test('an entry for a deleted message fails per entry with InvalidParameterValue', async () => {
        const { url } = await queues.create('cmvb-deleted');
        await P.send('SendMessageBatch', {
          QueueUrl: url, Entries: [{ Id: '1', MessageBody: 'one' }, { Id: '2', MessageBody: 'two' }],
        });
        const [a, b] = await receiveN(P, url, 2, { VisibilityTimeout: 600 });
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: b.ReceiptHandle });
        const r = await P.send('ChangeMessageVisibilityBatch', {
          QueueUrl: url,
          Entries: [
            { Id: 'live', ReceiptHandle: a.ReceiptHandle, VisibilityTimeout: 100 },
            { Id: 'deleted', ReceiptHandle: b.ReceiptHandle, VisibilityTimeout: 100 },
          ],
        });
        assert.deepEqual(r.Successful.map((s) => s.Id), ['live']);
        assert.equal(r.Failed.length, 1);
        assert.equal(r.Failed[0].Id, 'deleted');
        assert.equal(r.Failed[0].Code, 'InvalidParameterValue');
        assert.equal(r.Failed[0].SenderFault, true);
      });

      test('0 entries → EmptyBatchRequest; duplicate ids → BatchEntryIdsNotDistinct', async () => {
        const { url } = await queues.create('cmvb-shape');
        await expectSqsError(P, P.send('ChangeMessageVisibilityBatch', { QueueUrl: url, Entries: [] }), ERR.EmptyBatchRequest);
        await expectSqsError(P, P.send('ChangeMessageVisibilityBatch', {
          QueueUrl: url,
          Entries: [
            { Id: 'x', ReceiptHandle: GARBAGE, VisibilityTimeout: 0 },
            { Id: 'x', ReceiptHandle: GARBAGE, VisibilityTimeout: 0 },
          ],
        }), ERR.BatchEntryIdsNotDistinct);
      });
    });

    describe('DeleteMessage', () => {
      test('garbage handle → ReceiptHandleIsInvalid with the handle in the text', async () => {
        const { url } = await queues.create('dm-garbage');
        await expectSqsError(P, P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: GARBAGE }), ERR.ReceiptHandleIsInvalid, {
          message: 'The input receipt handle "garbage" is not a valid receipt handle.',
        });
      });

      test('a truncated or extended handle → ReceiptHandleIsInvalid, and the message stays in flight', async () => {
        const { url } = await queues.create('dm-altered');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'keep me' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 600 });
        const h = m.ReceiptHandle;
        for (const bad of [h.slice(0, Math.floor(h.length / 2)), `${h}x`, `x${h}`]) {
          await expectSqsError(P, P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: bad }), ERR.ReceiptHandleIsInvalid);
        }
        await assertCounts(P, url, { visible: 0, notVisible: 1, delayed: 0 }, 'after deletes with altered handles');
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: h });
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'after the delete with the real handle');
      });

      test('a handle with one character changed never deletes a message', async () => {
        // A changed handle may look like a stale handle of a deleted message (success is allowed,
        // §2.10) or be rejected (ReceiptHandleIsInvalid); it must not delete any in-flight message.
        const { url } = await queues.create('dm-tampered');
        await P.send('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] });
        const got = await receiveN(P, url, 2, { VisibilityTimeout: 600 });
        assert.equal(got.length, 2);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        for (const m of got) {
          const h = m.ReceiptHandle;
          for (let i = 0; i < h.length; i += 1) {
            if (h[i] === '=') continue;
            const c = alphabet[(alphabet.indexOf(h[i]) + 1) % alphabet.length] ?? 'A';
            const tampered = h.slice(0, i) + c + h.slice(i + 1);
            // A change in the unused bits of the last base64 character decodes to the same bytes,
            // i.e. the same handle: not a tampered one.
            if (/^[A-Za-z0-9+/]+=*$/.test(h) && Buffer.from(tampered, 'base64').equals(Buffer.from(h, 'base64'))) continue;
            try {
              await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: tampered });
            } catch (e) {
              assert.equal(e.Code ?? e.Error?.Code, 'ReceiptHandleIsInvalid', `tampered handle ${tampered}: ${e.name} ${e.message}`);
            }
          }
        }
        await assertCounts(P, url, { visible: 0, notVisible: 2, delayed: 0 }, 'after deletes with tampered handles');
      });

      test('missing ReceiptHandle → MissingParameter', async () => {
        const { url } = await queues.create('dm-missing');
        await expectSqsError(P, P.send('DeleteMessage', { QueueUrl: url }), ERR.MissingParameter,
          { message: 'The request must contain the parameter ReceiptHandle.' });
      });

      test('a handle from another queue → ReceiptHandleIsInvalid', async () => {
        const { url: a } = await queues.create('dm-foreign-a');
        const { url: b } = await queues.create('dm-foreign-b');
        await P.send('SendMessage', { QueueUrl: a, MessageBody: 'in a' });
        const m = await receiveOne(P, a, { VisibilityTimeout: 600 });
        await expectSqsError(P, P.send('DeleteMessage', { QueueUrl: b, ReceiptHandle: m.ReceiptHandle }), ERR.ReceiptHandleIsInvalid);
        await assertCounts(P, a, { visible: 0, notVisible: 1, delayed: 0 }, 'the message in queue a is untouched');
      });

      test('deletes the message; deleting twice succeeds', async () => {
        const { url } = await queues.create('dm-twice');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'delete me' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 1 });
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 });
        await sleep(1500); // past the 1 s visibility timeout: a deleted message must not come back
        await assertEmptyReceive(P, url);
      });

      test('a handle whose visibility timeout expired still deletes the message (standard queue)', async () => {
        const { url } = await queues.create('dm-expired');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'late delete' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 1 });
        await sleep(2500);
        await assertCounts(P, url, { visible: 1, notVisible: 0, delayed: 0 }, 'visible again after expiry');
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'deleted by the expired handle');
        await assertEmptyReceive(P, url);
      });
    });

    describe('DeleteMessageBatch', () => {
      test('deletes the valid entries; a bad handle fails per entry', async () => {
        const { url } = await queues.create('dmb');
        await P.send('SendMessageBatch', {
          QueueUrl: url,
          Entries: [{ Id: '1', MessageBody: 'one' }, { Id: '2', MessageBody: 'two' }, { Id: '3', MessageBody: 'three' }],
        });
        const got = await receiveN(P, url, 3, { VisibilityTimeout: 1 });
        assert.equal(got.length, 3);
        const r = await P.send('DeleteMessageBatch', {
          QueueUrl: url,
          Entries: [
            ...got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
            { Id: 'bad', ReceiptHandle: GARBAGE },
          ],
        });
        assert.deepEqual(r.Successful.map((s) => s.Id).sort(), ['d0', 'd1', 'd2']);
        assert.equal(r.Failed.length, 1);
        assert.equal(r.Failed[0].Id, 'bad');
        assert.equal(r.Failed[0].Code, 'ReceiptHandleIsInvalid');
        assert.equal(r.Failed[0].SenderFault, true);
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 });
        await sleep(1500);
        await assertEmptyReceive(P, url);
      });

      test('whole-request errors: empty, too many, duplicate and invalid ids', async () => {
        const { url } = await queues.create('dmb-shape');
        await expectSqsError(P, P.send('DeleteMessageBatch', { QueueUrl: url, Entries: [] }), ERR.EmptyBatchRequest);
        await expectSqsError(P, P.send('DeleteMessageBatch', {
          QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, ReceiptHandle: GARBAGE })),
        }), ERR.TooManyEntriesInBatchRequest, { message: 'Maximum number of entries per request are 10. You have sent 11.' });
        await expectSqsError(P, P.send('DeleteMessageBatch', {
          QueueUrl: url, Entries: [{ Id: 'x', ReceiptHandle: GARBAGE }, { Id: 'x', ReceiptHandle: GARBAGE }],
        }), ERR.BatchEntryIdsNotDistinct);
        await expectSqsError(P, P.send('DeleteMessageBatch', {
          QueueUrl: url, Entries: [{ Id: 'invalid:id', ReceiptHandle: GARBAGE }],
        }), ERR.InvalidBatchEntryId);
      });
    });
  });
}
