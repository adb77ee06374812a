// FIFO queues through real clients (sqs-api.md §2.1, §2.6–2.10, §3.1, §4.5, §5.12–5.15, §6.3):
// sequence numbers, deduplication (explicit and content-based), batch order, group ordering and
// blocking, ReceiveRequestAttemptId, the FIFO error cases, and concurrent consumers that must never
// hold two messages of one group at once.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  PROTOCOLS, Queues, ERR, expectSqsError, uniqueName, assertEmptyReceive, assertCounts, getAttributes, sleep, timed,
} from './helpers.mjs';

const DELAY_TEXT = (v) =>
  `Value ${v} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`;
const NO_DEDUP_TEXT =
  'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly';
const NO_GROUP_TEXT = 'The request must contain the parameter MessageGroupId.';
const EXPIRED_TEXT = (h) => `Value ${h} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`;
const sha256Hex = (s) => crypto.createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

// Creates a FIFO queue (name ends in .fifo) tracked for clean-up.
async function createFifo(P, queues, prefix, Attributes = {}) {
  const name = `${uniqueName(prefix, P)}.fifo`;
  const r = await P.send('CreateQueue', { QueueName: name, Attributes: { FifoQueue: 'true', ...Attributes } });
  queues.track(r.QueueUrl);
  return { name, url: r.QueueUrl };
}

async function receive(P, url, input = {}) {
  const r = await P.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, ...input });
  return r.Messages ?? [];
}

const bodies = (ms) => ms.map((m) => m.Body);

async function sendGroup(P, url, group, list) {
  for (const body of list) {
    await P.send('SendMessage', { QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body });
  }
}

for (const P of PROTOCOLS) {
  describe(`FIFO queues [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    describe('queue attributes', () => {
      test('GetQueueAttributes All includes the FIFO attributes with their defaults', async () => {
        const { name, url } = await createFifo(P, queues, 'fifo-attrs');
        assert.ok(url.endsWith(`/${name}`));
        const a = await getAttributes(P, url);
        assert.equal(a.FifoQueue, 'true');
        assert.equal(a.ContentBasedDeduplication, 'false');
        assert.equal(a.DeduplicationScope, 'queue');
        assert.equal(a.FifoThroughputLimit, 'perQueue');
      });

      test('.fifo name without FifoQueue → InvalidParameterValue', async () => {
        await expectSqsError(P, P.send('CreateQueue', { QueueName: `${uniqueName('nofifo', P)}.fifo` }),
          ERR.InvalidParameterValue);
      });

      test('FifoQueue=true without the .fifo suffix → InvalidParameterValue', async () => {
        await expectSqsError(P, P.send('CreateQueue', { QueueName: uniqueName('nosuffix', P), Attributes: { FifoQueue: 'true' } }),
          ERR.InvalidParameterValue, {
            message: 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, ' +
              'must end with .fifo suffix and be 1 to 80 in length',
          });
      });

      test('FifoThroughputLimit=perMessageGroupId with DeduplicationScope=queue → InvalidAttributeValue', async () => {
        await expectSqsError(P, P.send('CreateQueue', {
          QueueName: `${uniqueName('ht', P)}.fifo`,
          Attributes: { FifoQueue: 'true', FifoThroughputLimit: 'perMessageGroupId', DeduplicationScope: 'queue' },
        }), ERR.InvalidAttributeValue);
        const { url } = await createFifo(P, queues, 'ht-ok', { FifoThroughputLimit: 'perMessageGroupId', DeduplicationScope: 'messageGroup' });
        const a = await getAttributes(P, url, ['FifoThroughputLimit', 'DeduplicationScope']);
        assert.deepEqual(a, { FifoThroughputLimit: 'perMessageGroupId', DeduplicationScope: 'messageGroup' });
      });

      test('SetQueueAttributes FifoQueue=false → InvalidAttributeValue "Modifying queue type is not supported."', async () => {
        const { url } = await createFifo(P, queues, 'fifo-type');
        await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { FifoQueue: 'false' } }),
          ERR.InvalidAttributeValue,
          { message: 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.' });
        await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { FifoQueue: 'true' } });
      });
    });

    describe('sending', () => {
      test('SendMessage returns a SequenceNumber; a duplicate returns the same MessageId and enqueues nothing', async () => {
        const { url } = await createFifo(P, queues, 'fifo-send');
        const first = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'one', MessageGroupId: 'g', MessageDeduplicationId: 'd1' });
        assert.match(first.SequenceNumber ?? '', /^\d{20}$/);
        const dup = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'one again', MessageGroupId: 'g', MessageDeduplicationId: 'd1' });
        assert.equal(dup.MessageId, first.MessageId);
        assert.equal(dup.SequenceNumber, first.SequenceNumber);
        const second = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'two', MessageGroupId: 'g', MessageDeduplicationId: 'd2' });
        assert.ok(BigInt(second.SequenceNumber) > BigInt(first.SequenceNumber));
        await assertCounts(P, url, { visible: 2, notVisible: 0, delayed: 0 });
        const got = await receive(P, url);
        assert.deepEqual(bodies(got), ['one', 'two']);
      });

      test('SendMessageBatch keeps request order with increasing SequenceNumbers', async () => {
        const { url } = await createFifo(P, queues, 'fifo-batch');
        const Entries = Array.from({ length: 10 }, (_, i) => ({
          Id: `e${i}`, MessageBody: `m${i}`, MessageGroupId: 'g', MessageDeduplicationId: `d${i}`,
        }));
        const r = await P.send('SendMessageBatch', { QueueUrl: url, Entries });
        assert.equal((r.Failed ?? []).length, 0);
        const byId = new Map(r.Successful.map((s) => [s.Id, s]));
        for (let i = 1; i < 10; i++) {
          assert.ok(BigInt(byId.get(`e${i}`).SequenceNumber) > BigInt(byId.get(`e${i - 1}`).SequenceNumber), `e${i}`);
        }
        const got = await receive(P, url, P.sysAttrs(['SequenceNumber']));
        assert.deepEqual(bodies(got), Entries.map((e) => e.MessageBody));
        got.forEach((m, i) => assert.equal(m.Attributes.SequenceNumber, byId.get(`e${i}`).SequenceNumber));
      });

      test('ContentBasedDeduplication: the SHA-256 of the body is the id; attributes are ignored', async () => {
        const { url } = await createFifo(P, queues, 'fifo-cbd', { ContentBasedDeduplication: 'true' });
        const first = await P.send('SendMessage', {
          QueueUrl: url, MessageBody: 'hello world', MessageGroupId: 'g',
          MessageAttributes: { k: { DataType: 'String', StringValue: 'one' } },
        });
        const dup = await P.send('SendMessage', {
          QueueUrl: url, MessageBody: 'hello world', MessageGroupId: 'g',
          MessageAttributes: { k: { DataType: 'String', StringValue: 'two' } },
        });
        assert.equal(dup.MessageId, first.MessageId);
        const other = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'hello world!', MessageGroupId: 'g' });
        assert.notEqual(other.MessageId, first.MessageId);
        const got = await receive(P, url, P.sysAttrs(['MessageDeduplicationId']));
        assert.deepEqual(bodies(got), ['hello world', 'hello world!']);
        assert.equal(got[0].Attributes.MessageDeduplicationId, sha256Hex('hello world'));
        assert.equal(got[0].Attributes.MessageDeduplicationId, 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9');
      });

      test('a deleted message\'s deduplication id is still remembered', async () => {
        const { url } = await createFifo(P, queues, 'fifo-dedup-del');
        const first = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
        const [m] = await receive(P, url);
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
        const again = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
        assert.equal(again.MessageId, first.MessageId);
        await assertEmptyReceive(P, url);
      });
    });

    describe('send errors', () => {
      test('SendMessage without MessageGroupId → MissingParameter', async () => {
        const { url } = await createFifo(P, queues, 'fifo-nogroup');
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' }),
          ERR.MissingParameter, { message: NO_GROUP_TEXT });
      });

      test('SendMessageBatch with an entry without MessageGroupId → InvalidParameterValue for the whole batch', async () => {
        const { url } = await createFifo(P, queues, 'fifo-batch-nogroup');
        await expectSqsError(P, P.send('SendMessageBatch', {
          QueueUrl: url,
          Entries: [
            { Id: 'ok', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
            { Id: 'bad', MessageBody: 'b', MessageDeduplicationId: 'd2' },
          ],
        }), ERR.InvalidParameterValue, { message: NO_GROUP_TEXT });
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'no entry is enqueued');
      });

      test('per-message DelaySeconds ≠ 0 → InvalidParameterValue; DelaySeconds 0 is allowed', async () => {
        const { url } = await createFifo(P, queues, 'fifo-delay');
        await expectSqsError(P, P.send('SendMessage', {
          QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 2,
        }), ERR.InvalidParameterValue, { message: DELAY_TEXT(2) });
        const ok = await P.send('SendMessage', {
          QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 0,
        });
        assert.match(ok.SequenceNumber ?? '', /^\d{20}$/);
      });

      test('DelaySeconds 0 on a FIFO queue leaves the queue delay in effect (§2.7 step 7)', async () => {
        const { url } = await createFifo(P, queues, 'fifo-delay0', { DelaySeconds: '5' });
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 0 });
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 1 });
      });

      test('the queue DelaySeconds applies to FIFO messages', async () => {
        const { url } = await createFifo(P, queues, 'fifo-qdelay', { DelaySeconds: '2' });
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 1 });
        await assertEmptyReceive(P, url);
        const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 10 });
        assert.equal(r.Messages?.length, 1, 'visible after the 2 s queue delay');
      });

      test('no deduplication id and no ContentBasedDeduplication → InvalidParameterValue (single and batch)', async () => {
        const { url } = await createFifo(P, queues, 'fifo-nodedup');
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' }),
          ERR.InvalidParameterValue, { message: NO_DEDUP_TEXT });
        await expectSqsError(P, P.send('SendMessageBatch', {
          QueueUrl: url,
          Entries: [
            { Id: 'ok', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
            { Id: 'bad', MessageBody: 'b', MessageGroupId: 'g' },
          ],
        }), ERR.InvalidParameterValue, { message: NO_DEDUP_TEXT });
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 });
      });
    });

    describe('receiving', () => {
      test('receive returns group order and MessageGroupId, MessageDeduplicationId, SequenceNumber', async () => {
        const { url } = await createFifo(P, queues, 'fifo-recv');
        const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'm1', MessageGroupId: 'grp-1', MessageDeduplicationId: 'dd-1' });
        await sendGroup(P, url, 'grp-1', ['m2', 'm3']);
        const got = await receive(P, url, P.sysAttrs(['All']));
        assert.deepEqual(bodies(got), ['m1', 'm2', 'm3']);
        const a = got[0].Attributes;
        assert.equal(a.MessageGroupId, 'grp-1');
        assert.equal(a.MessageDeduplicationId, 'dd-1');
        assert.equal(a.SequenceNumber, sent.SequenceNumber);
        for (const k of ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp']) {
          assert.ok(k in a, k);
        }
      });

      test('group blocking: a group with its head in flight yields nothing; other groups are served', async () => {
        const { url } = await createFifo(P, queues, 'fifo-block');
        await sendGroup(P, url, 'g1', ['a1', 'a2', 'a3']);
        await sendGroup(P, url, 'g2', ['b1']);
        const [a1] = await receive(P, url, { MaxNumberOfMessages: 1 });
        assert.equal(a1.Body, 'a1');
        assert.deepEqual(bodies(await receive(P, url)), ['b1'], 'g1 is blocked behind a1');
        await assertEmptyReceive(P, url);
        await assertCounts(P, url, { visible: 2, notVisible: 2, delayed: 0 }, 'blocked messages count as visible (§3.1)');
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: a1.ReceiptHandle });
        const next = await receive(P, url, { MaxNumberOfMessages: 1 });
        assert.deepEqual(bodies(next), ['a2'], 'the delete unblocks g1');
        // Visibility 0 on the head makes it come back first.
        await P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: next[0].ReceiptHandle, VisibilityTimeout: 0 });
        assert.deepEqual(bodies(await receive(P, url)), ['a2', 'a3']);
      });

      test('§5.14 foo/bar/baz: extending bar → [foo]; extending baz → [foo, bar]; extending foo → nothing', async () => {
        for (const [extend, expected] of [['bar', ['foo']], ['baz', ['foo', 'bar']], ['foo', []]]) {
          const { url } = await createFifo(P, queues, `fifo-fbb-${extend}`);
          await sendGroup(P, url, 'g', ['foo', 'bar', 'baz']);
          const all = await receive(P, url, { VisibilityTimeout: 60 });
          assert.deepEqual(bodies(all), ['foo', 'bar', 'baz']);
          for (const m of all) {
            // "The others expire": set them to 0 instead of waiting.
            await P.send('ChangeMessageVisibility', {
              QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: m.Body === extend ? 600 : 0,
            });
          }
          assert.deepEqual(bodies(await receive(P, url)), expected, `extend ${extend}`);
        }
      });

      test('DeleteMessage with an expired handle → InvalidParameterValue "The receipt handle has expired."', async () => {
        const { url } = await createFifo(P, queues, 'fifo-expired');
        await sendGroup(P, url, 'g', ['m1']);
        const [m] = await receive(P, url, { VisibilityTimeout: 1 });
        await sleep(1500);
        await expectSqsError(P, P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
          ERR.InvalidParameterValue, { message: EXPIRED_TEXT(m.ReceiptHandle) });
        await assertCounts(P, url, { visible: 1, notVisible: 0, delayed: 0 }, 'the message is still there');
        const [again] = await receive(P, url, { VisibilityTimeout: 60 });
        await P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 0 });
        await expectSqsError(P, P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: again.ReceiptHandle }),
          ERR.InvalidParameterValue, { message: EXPIRED_TEXT(again.ReceiptHandle) });
      });

      test('ReceiveRequestAttemptId: a retry replays the same messages and receipt handles', async () => {
        const { url } = await createFifo(P, queues, 'fifo-attempt');
        await sendGroup(P, url, 'g1', ['a1', 'a2', 'a3']);
        await sendGroup(P, url, 'g2', ['b1']);
        const input = { MaxNumberOfMessages: 2, VisibilityTimeout: 60, ReceiveRequestAttemptId: 'attempt-1' };
        const first = await receive(P, url, input);
        assert.deepEqual(bodies(first), ['a1', 'a2']);
        const retry = await receive(P, url, input);
        assert.deepEqual(retry.map((m) => m.ReceiptHandle), first.map((m) => m.ReceiptHandle));
        assert.deepEqual(retry.map((m) => m.MessageId), first.map((m) => m.MessageId));
        await assertCounts(P, url, { visible: 2, notVisible: 2, delayed: 0 }, 'the replay took nothing new');
        // After a delete the same id is a new receive: g1 is still blocked by a2, g2 is served.
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle });
        assert.deepEqual(bodies(await receive(P, url, input)), ['b1']);
      });

      test('ReceiveRequestAttemptId is ignored on standard queues', async () => {
        const { url } = await queues.create('std-attempt');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 's1' });
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 's2' });
        const input = { MaxNumberOfMessages: 1, ReceiveRequestAttemptId: 'same' };
        const a = await receive(P, url, input);
        const b = await receive(P, url, input);
        assert.notEqual(a[0].MessageId, b[0].MessageId);
      });

      test('a long poll parked on a blocked group is woken when the head is deleted', async () => {
        const { url } = await createFifo(P, queues, 'fifo-wake');
        await sendGroup(P, url, 'g', ['m1', 'm2']);
        const [m1] = await receive(P, url, { MaxNumberOfMessages: 1 });
        const poll = timed(() => P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 10 }));
        await sleep(500);
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m1.ReceiptHandle });
        const { value: r, ms } = await poll;
        assert.deepEqual(bodies(r.Messages ?? []), ['m2']);
        assert.ok(ms < 5000, `answered after ${ms} ms`);
      });
    });

    describe('concurrent consumers', () => {
      const GROUPS = 5;
      const PER_GROUP = 40;

      async function fill(url) {
        const all = [];
        for (let i = 0; i < PER_GROUP; i++) {
          for (let g = 0; g < GROUPS; g++) all.push({ g, i });
        }
        for (let k = 0; k < all.length; k += 10) {
          const r = await P.send('SendMessageBatch', {
            QueueUrl: url,
            Entries: all.slice(k, k + 10).map(({ g, i }, j) => ({
              Id: `e${j}`, MessageBody: `g${g}:${i}`, MessageGroupId: `g${g}`, MessageDeduplicationId: `g${g}-${i}`,
            })),
          });
          assert.equal((r.Failed ?? []).length, 0);
        }
      }

      // Runs 4 long-polling consumers until all messages are processed. A group counts as held
      // from the moment a receive answer arrives until just before its delete is sent, which lies
      // inside the server's in-flight interval: an overlap seen here is a real overlap.
      async function consume(url, maxPerReceive) {
        const total = GROUPS * PER_GROUP;
        const held = new Map(); // group → consumer
        const processed = new Map(Array.from({ length: GROUPS }, (_, g) => [`g${g}`, []]));
        const seen = new Set();
        const violations = [];
        let done = 0;
        const deadline = Date.now() + 90_000;
        async function consumer(id) {
          while (done < total && Date.now() < deadline) {
            const r = await P.send('ReceiveMessage', {
              QueueUrl: url, MaxNumberOfMessages: maxPerReceive, WaitTimeSeconds: 2, VisibilityTimeout: 60,
              ...P.sysAttrs(['MessageGroupId']),
            });
            const msgs = r.Messages ?? [];
            const groups = [...new Set(msgs.map((m) => m.Attributes.MessageGroupId))];
            for (const g of groups) {
              if (held.has(g)) violations.push(`consumer ${id} got ${g} while consumer ${held.get(g)} holds it`);
              held.set(g, id);
            }
            for (const m of msgs) {
              await sleep(Math.floor(Math.random() * 4)); // "processing"
              const [g, i] = m.Body.split(':');
              assert.equal(m.Attributes.MessageGroupId, g);
              if (seen.has(m.MessageId)) violations.push(`${m.Body} processed twice`);
              seen.add(m.MessageId);
              processed.get(g).push(Number(i));
            }
            for (const g of groups) held.delete(g);
            if (msgs.length === 1) {
              await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: msgs[0].ReceiptHandle });
            } else if (msgs.length > 1) {
              const d = await P.send('DeleteMessageBatch', {
                QueueUrl: url, Entries: msgs.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle })),
              });
              assert.equal((d.Failed ?? []).length, 0, JSON.stringify(d.Failed));
            }
            done += msgs.length;
          }
        }
        await Promise.all([0, 1, 2, 3].map((id) => consumer(id)));
        assert.deepEqual(violations, []);
        assert.equal(done, total, 'every message processed within the deadline');
        for (const [g, list] of processed) {
          assert.deepEqual(list, Array.from({ length: PER_GROUP }, (_, i) => i), `group ${g} in order, exactly once`);
        }
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 });
      }

      test('5 groups × 40 messages, 4 consumers receiving 1 at a time: one message per group in flight, in order, once', async () => {
        const { url } = await createFifo(P, queues, 'fifo-mc1');
        await fill(url);
        await consume(url, 1);
      });

      test('5 groups × 40 messages, 4 consumers receiving up to 10: a group is held by one consumer at a time', async () => {
        const { url } = await createFifo(P, queues, 'fifo-mc10');
        await fill(url);
        await consume(url, 10);
      });
    });
  });
}
