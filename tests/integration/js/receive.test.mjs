// ReceiveMessage: MaxNumberOfMessages, system-attribute and message-attribute selection (with
// MD5OfMessageAttributes over the returned subset), receive-side system attributes, VisibilityTimeout
// override and long polling (sqs-api.md §2.9, §4.5, §4.6, §5.5).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, Queues, ERR, expectSqsError, receiveN, receiveOne, assertEmptyReceive, assertCounts, sleep, timed,
} from './helpers.mjs';

// §4.6 Example C.
const EXAMPLE_C = {
  'Help.Me': { DataType: 'String', StringValue: 'Me' },
  Hello: { DataType: 'String', StringValue: 'There' },
  General: { DataType: 'String', StringValue: 'Kenobi' },
};
const STANDARD_ALL = ['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp'];

for (const P of PROTOCOLS) {
  describe(`ReceiveMessage [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    describe('MaxNumberOfMessages', () => {
      test('default is 1; 10 returns 10 of 15 available', async () => {
        const { url } = await queues.create('rm-max');
        for (let i = 0; i < 15; i += 5) {
          await P.send('SendMessageBatch', {
            QueueUrl: url,
            Entries: Array.from({ length: 5 }, (_, j) => ({ Id: `m${i + j}`, MessageBody: `body ${i + j}` })),
          });
        }
        const one = await P.send('ReceiveMessage', { QueueUrl: url, VisibilityTimeout: 60 });
        assert.equal(one.Messages.length, 1, 'default MaxNumberOfMessages is 1');
        const ten = await P.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 });
        assert.equal(ten.Messages.length, 10, 'Wharf returns up to MaxNumberOfMessages available messages (§5.3)');
        const ids = new Set([...one.Messages, ...ten.Messages].map((m) => m.MessageId));
        assert.equal(ids.size, 11, 'no message is handed out twice while in flight');
        const rest = await P.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 });
        assert.equal(rest.Messages.length, 4);
        await assertEmptyReceive(P, url);
      });

      test('11 → InvalidParameterValue with the §6.3 text', async () => {
        const { url } = await queues.create('rm-max11');
        await expectSqsError(P, P.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 11 }), ERR.InvalidParameterValue, {
          message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
        });
      });

      test('0 → InvalidParameterValue', async () => {
        const { url } = await queues.create('rm-max0');
        await expectSqsError(P, P.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 0 }), ERR.InvalidParameterValue, {
          message: 'Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
        });
      });

      test('an empty queue returns no Messages member', async () => {
        const { url } = await queues.create('rm-empty');
        const r = await P.send('ReceiveMessage', { QueueUrl: url });
        if (P.isJson) assert.equal(r.Messages, undefined, 'JSON: Messages omitted when empty (§1.4.2)');
        else assert.equal((r.Messages ?? []).length, 0);
      });
    });

    describe('system attributes selection', () => {
      let url;
      before(async () => {
        ({ url } = await queues.create('rm-sys'));
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'sys' });
      });
      const recv = (input) => receiveOne(P, url, { VisibilityTimeout: 0, ...input });

      test('none requested → no Attributes', async () => {
        const m = await recv({});
        assert.deepEqual(m.Attributes ?? {}, {});
      });

      test('All → exactly the standard-queue set', async () => {
        const m = await recv(P.sysAttrs(['All']));
        assert.deepEqual(Object.keys(m.Attributes).sort(), STANDARD_ALL);
      });

      test('a single name returns only that one', async () => {
        const m = await recv(P.sysAttrs(['SentTimestamp']));
        assert.deepEqual(Object.keys(m.Attributes), ['SentTimestamp']);
      });

      test('several names', async () => {
        const m = await recv(P.sysAttrs(['SenderId', 'ApproximateReceiveCount']));
        assert.deepEqual(Object.keys(m.Attributes).sort(), ['ApproximateReceiveCount', 'SenderId']);
      });

      test('a name that does not apply (SequenceNumber on standard) returns nothing for it', async () => {
        const m = await recv(P.sysAttrs(['SequenceNumber']));
        assert.deepEqual(m.Attributes ?? {}, {});
      });

      if (P.isJson) {
        test('AttributeNames and MessageSystemAttributeNames are united', async () => {
          const a = await recv({ AttributeNames: ['SenderId'], MessageSystemAttributeNames: ['SentTimestamp'] });
          assert.deepEqual(Object.keys(a.Attributes).sort(), ['SenderId', 'SentTimestamp']);
          const b = await recv({ AttributeNames: ['All'], MessageSystemAttributeNames: ['SenderId'] });
          assert.deepEqual(Object.keys(b.Attributes).sort(), STANDARD_ALL);
          const c = await recv({ AttributeNames: ['SentTimestamp'] }); // the deprecated member alone
          assert.deepEqual(Object.keys(c.Attributes), ['SentTimestamp']);
        });
      }
    });

    describe('message attribute selection and MD5OfMessageAttributes over the returned subset (Example C)', () => {
      let url;
      before(async () => {
        ({ url } = await queues.create('rm-mattr'));
        const r = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'example C', MessageAttributes: EXAMPLE_C });
        assert.equal(r.MD5OfMessageAttributes, '4c360f3fdafd970e05fae2f149d997f5');
      });
      const cases = [
        [['All'], ['General', 'Hello', 'Help.Me'], '4c360f3fdafd970e05fae2f149d997f5'],
        [['.*'], ['General', 'Hello', 'Help.Me'], '4c360f3fdafd970e05fae2f149d997f5'],
        [['*'], ['General', 'Hello', 'Help.Me'], '4c360f3fdafd970e05fae2f149d997f5'],
        [['Hel.*'], ['Hello', 'Help.Me'], '83fee93c1bcd8b9a5a923ffacdc636c7'],
        [['General', 'Hello'], ['General', 'Hello'], 'fca026605781cb4126a1e9044df24232'],
        [['Hello'], ['Hello'], 'a311262e065454b75da111d535b8dacd'],
        [['Hello', 'NoSuchName'], ['Hello'], 'a311262e065454b75da111d535b8dacd'],
        [['General', 'Hel.*'], ['General', 'Hello', 'Help.Me'], '4c360f3fdafd970e05fae2f149d997f5'],
      ];
      for (const [filter, names, md5] of cases) {
        test(`${JSON.stringify(filter)} → ${names.join(',')} / ${md5}`, async () => {
          const m = await receiveOne(P, url, { VisibilityTimeout: 0, MessageAttributeNames: filter });
          assert.deepEqual(Object.keys(m.MessageAttributes ?? {}).sort(), names);
          for (const n of names) assert.deepEqual(
            { DataType: m.MessageAttributes[n].DataType, StringValue: m.MessageAttributes[n].StringValue }, EXAMPLE_C[n]);
          assert.equal(m.MD5OfMessageAttributes, md5);
        });
      }
      for (const filter of [undefined, ['NoSuchName'], ['AWS.'], ['..foo'], ['hello']]) {
        test(`${JSON.stringify(filter)} → no attributes and no MD5OfMessageAttributes`, async () => {
          const input = { VisibilityTimeout: 0 };
          if (filter) input.MessageAttributeNames = filter;
          const m = await receiveOne(P, url, input);
          assert.deepEqual(m.MessageAttributes ?? {}, {});
          assert.equal(m.MD5OfMessageAttributes, undefined);
        });
      }
    });

    describe('receive-side system attribute values', () => {
      test('ApproximateReceiveCount increments, ApproximateFirstReceiveTimestamp is stable, SentTimestamp/SenderId', async () => {
        const { url } = await queues.create('rm-sysval');
        const before_ = Date.now();
        const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'count me' });
        const after_ = Date.now();
        const seen = [];
        for (let i = 1; i <= 3; i++) {
          if (i > 1) await sleep(1100);
          const m = await receiveOne(P, url, { VisibilityTimeout: 0, ...P.sysAttrs(['All']) });
          assert.equal(m.MessageId, sent.MessageId);
          assert.equal(m.Attributes.ApproximateReceiveCount, String(i));
          seen.push(m);
        }
        const [first, , third] = seen;
        assert.notEqual(first.ReceiptHandle, third.ReceiptHandle, 'a new receipt handle on every receive');
        assert.equal(new Set(seen.map((m) => m.ReceiptHandle)).size, 3);
        // Milliseconds (§4.5), not seconds.
        const sentTs = Number(first.Attributes.SentTimestamp);
        assert.match(first.Attributes.SentTimestamp, /^\d+$/);
        assert.ok(sentTs >= before_ - 5000 && sentTs <= after_ + 5000, `SentTimestamp ${sentTs} not near ${before_} (ms)`);
        const firstRecv = Number(first.Attributes.ApproximateFirstReceiveTimestamp);
        assert.match(first.Attributes.ApproximateFirstReceiveTimestamp, /^\d+$/);
        assert.ok(firstRecv >= sentTs, 'first receive is not before the send');
        assert.ok(firstRecv <= Date.now() + 5000);
        for (const m of seen) {
          assert.equal(m.Attributes.ApproximateFirstReceiveTimestamp, first.Attributes.ApproximateFirstReceiveTimestamp,
            'ApproximateFirstReceiveTimestamp must not change on later receives');
          assert.equal(m.Attributes.SentTimestamp, first.Attributes.SentTimestamp);
          assert.equal(typeof m.Attributes.SenderId, 'string');
          assert.ok(m.Attributes.SenderId.length > 0, 'SenderId present');
        }
      });
    });

    describe('VisibilityTimeout override', () => {
      test('the request value hides the message for that long instead of the queue value', async () => {
        const { url } = await queues.create('rm-vto', { VisibilityTimeout: '600' });
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'short' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 2 });
        await assertEmptyReceive(P, url);
        const { value: again, ms } = await timed(() => P.send('ReceiveMessage', {
          QueueUrl: url, WaitTimeSeconds: 10, ...P.sysAttrs(['ApproximateReceiveCount']),
        }));
        assert.equal(again.Messages?.length, 1, 'message should reappear after the 2 s override');
        assert.equal(again.Messages[0].MessageId, m.MessageId);
        assert.equal(again.Messages[0].Attributes.ApproximateReceiveCount, '2');
        assert.ok(ms < 9000, `reappeared only after ${ms} ms (override 2 s, queue 600 s)`);
      });

      test('VisibilityTimeout 43201 → InvalidParameterValue', async () => {
        const { url } = await queues.create('rm-vto-bad');
        await expectSqsError(P, P.send('ReceiveMessage', { QueueUrl: url, VisibilityTimeout: 43201 }), ERR.InvalidParameterValue);
      });
    });

    test('unknown queue → QueueDoesNotExist', async () => {
      const { url } = await queues.create('rm-gone');
      await P.send('DeleteQueue', { QueueUrl: url });
      await expectSqsError(P, P.send('ReceiveMessage', { QueueUrl: url }), ERR.NonExistentQueue);
    });

    test('ten large messages with XML-special characters come back in one receive', async () => {
      const { url } = await queues.create('rm-large');
      const unit = 'a&b<c>d"e\r\nf\'g😀 ';
      const bodies = Array.from({ length: 10 }, (_, i) => `#${i} ` + unit.repeat(Math.floor(400000 / Buffer.byteLength(unit))));
      for (let i = 0; i < 10; i += 2) {
        await P.send('SendMessageBatch', {
          QueueUrl: url,
          Entries: [{ Id: `m${i}`, MessageBody: bodies[i] }, { Id: `m${i + 1}`, MessageBody: bodies[i + 1] }],
        });
      }
      const got = await receiveN(P, url, 10, { VisibilityTimeout: 120 });
      assert.equal(got.length, 10);
      assert.deepEqual(got.map((m) => m.Body).sort(), [...bodies].sort());
    });

    test('concurrent receivers: 100 messages, each delivered exactly once', async () => {
      const { url } = await queues.create('rm-concurrent');
      const sent = new Set();
      await Promise.all(Array.from({ length: 10 }, async (_, b) => {
        const r = await P.send('SendMessageBatch', {
          QueueUrl: url,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `batch ${b} msg ${i}` })),
        });
        assert.equal(r.Successful.length, 10);
        for (const s of r.Successful) sent.add(s.MessageId);
      }));
      assert.equal(sent.size, 100);
      const received = [];
      const deadline = Date.now() + 30000;
      await Promise.all(Array.from({ length: 5 }, async () => {
        while (Date.now() < deadline) {
          const r = await P.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 120 });
          const msgs = r.Messages ?? [];
          if (msgs.length === 0) return;
          received.push(...msgs.map((m) => m.MessageId));
          const d = await P.send('DeleteMessageBatch', {
            QueueUrl: url, Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
          });
          assert.equal((d.Failed ?? []).length, 0);
        }
      }));
      assert.equal(received.length, 100, `received ${received.length} messages (duplicates: ${received.length - new Set(received).size})`);
      assert.deepEqual(new Set(received), sent);
      await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 });
    });

    describe('long polling', () => {
      test('returns early when a message arrives during the wait', async () => {
        const { url } = await queues.create('rm-lp-early');
        const t0 = Date.now();
        const poll = P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 10 });
        await sleep(1000);
        const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'wake up' });
        const r = await poll;
        const ms = Date.now() - t0;
        assert.equal(r.Messages?.length, 1, 'the long poll must return the message sent during the wait');
        assert.equal(r.Messages[0].MessageId, sent.MessageId);
        assert.ok(ms >= 900, `returned after ${ms} ms, before the message was sent`);
        assert.ok(ms < 7000, `returned after ${ms} ms; expected well before the 10 s wait ended`);
      });

      test('returns immediately when a message is already available (does not wait to fill MaxNumberOfMessages)', async () => {
        const { url } = await queues.create('rm-lp-avail');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'ready' });
        const { value: r, ms } = await timed(() => P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 10, MaxNumberOfMessages: 10 }));
        assert.equal(r.Messages?.length, 1);
        assert.ok(ms < 6000, `took ${ms} ms`);
      });

      test('waits the full WaitTimeSeconds on an empty queue, then returns empty', async () => {
        const { url } = await queues.create('rm-lp-full');
        const { value: r, ms } = await timed(() => P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 2 }));
        assert.equal((r.Messages ?? []).length, 0);
        assert.ok(ms >= 1900, `returned after ${ms} ms, expected >= ~2000`);
        assert.ok(ms < 10000, `returned after ${ms} ms`);
      });

      test('WaitTimeSeconds 21 and -1 → InvalidParameterValue', async () => {
        const { url } = await queues.create('rm-lp-bad');
        await expectSqsError(P, P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 21 }), ERR.InvalidParameterValue, {
          message: 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
        });
        await expectSqsError(P, P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: -1 }), ERR.InvalidParameterValue, {
          message: 'Value -1 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
        });
      });

      test('queue ReceiveMessageWaitTimeSeconds applies when the request has none; an explicit 0 overrides it', async () => {
        const { url } = await queues.create('rm-lp-queue', { ReceiveMessageWaitTimeSeconds: '6' });
        const short = await timed(() => P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0 }));
        assert.equal((short.value.Messages ?? []).length, 0);
        assert.ok(short.ms < 3000, `explicit WaitTimeSeconds=0 took ${short.ms} ms (queue default 6 s)`);
        const long = await timed(() => P.send('ReceiveMessage', { QueueUrl: url }));
        assert.equal((long.value.Messages ?? []).length, 0);
        assert.ok(long.ms >= 5900, `request without WaitTimeSeconds returned after ${long.ms} ms; queue default is 6 s`);
        assert.ok(long.ms < 15000, `took ${long.ms} ms`);
      });

      test('queue-level long poll also returns early on a new message', async () => {
        const { url } = await queues.create('rm-lp-queue-early', { ReceiveMessageWaitTimeSeconds: '10' });
        const t0 = Date.now();
        const poll = P.send('ReceiveMessage', { QueueUrl: url });
        await sleep(1000);
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'wake' });
        const r = await poll;
        const ms = Date.now() - t0;
        assert.equal(r.Messages?.length, 1);
        assert.ok(ms >= 900 && ms < 7000, `returned after ${ms} ms`);
      });

      test('a waiting long poll is woken when an in-flight message visibility timeout expires', async () => {
        const { url } = await queues.create('rm-lp-expiry');
        const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'expires' });
        await receiveOne(P, url, { VisibilityTimeout: 2 });
        const t0 = Date.now();
        const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 15 });
        const ms = Date.now() - t0;
        assert.equal(r.Messages?.[0]?.MessageId, sent.MessageId, 'the expired message should be returned by the waiting poll');
        assert.ok(ms < 9000, `returned after ${ms} ms; the visibility timeout was 2 s`);
      });

      test('a waiting long poll is woken by ChangeMessageVisibility to 0', async () => {
        const { url } = await queues.create('rm-lp-cmv');
        const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'released' });
        const m = await receiveOne(P, url, { VisibilityTimeout: 600 });
        const t0 = Date.now();
        const poll = P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 15 });
        await sleep(1000);
        await P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 });
        const r = await poll;
        const ms = Date.now() - t0;
        assert.equal(r.Messages?.[0]?.MessageId, sent.MessageId);
        assert.ok(ms < 9000, `returned after ${ms} ms; visibility was set to 0 after 1 s`);
      });

      test('long polls on different queues are woken independently', async () => {
        const qs = [];
        for (let i = 0; i < 6; i++) qs.push((await queues.create(`rm-lp-multi${i}`)).url);
        const t0 = Date.now();
        const polls = qs.map((q) => P.send('ReceiveMessage', { QueueUrl: q, WaitTimeSeconds: 8 }).then((r) => ({ r, ms: Date.now() - t0 })));
        await sleep(800);
        // Only the even queues get a message; the odd ones must wait out their full 8 s.
        for (let i = 0; i < qs.length; i += 2) await P.send('SendMessage', { QueueUrl: qs[i], MessageBody: `for queue ${i}` });
        const results = await Promise.all(polls);
        results.forEach(({ r, ms }, i) => {
          if (i % 2 === 0) {
            assert.equal(r.Messages?.[0]?.Body, `for queue ${i}`, `queue ${i} should get its own message`);
            assert.ok(ms < 6000, `queue ${i} returned after ${ms} ms; a message arrived at ~800 ms`);
          } else {
            assert.equal((r.Messages ?? []).length, 0, `queue ${i} received a message that was not sent to it`);
            assert.ok(ms >= 7900, `queue ${i} returned after ${ms} ms without a message; wait was 8 s`);
          }
        });
      });

      test('concurrent long polls never receive the same message', async () => {
        const { url } = await queues.create('rm-lp-concurrent');
        const polls = Array.from({ length: 3 }, () => P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 5 }));
        await sleep(800);
        await P.send('SendMessageBatch', {
          QueueUrl: url,
          Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }],
        });
        const results = await Promise.all(polls);
        const ids = results.flatMap((r) => (r.Messages ?? []).map((m) => m.MessageId));
        assert.equal(new Set(ids).size, ids.length, `a message was delivered twice: ${ids}`);
        const rest = await receiveN(P, url, 2 - ids.length, { timeoutMs: 3000 });
        assert.equal(ids.length + rest.length, 2);
      });
    });
  });
}
