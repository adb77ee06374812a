// SendMessageBatch: success, per-entry failures and whole-request errors (sqs-api.md §2.8, §5.16).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, Queues, ERR, expectSqsError, md5Hex, md5OfAttributes, receiveN, assertCounts, UUID_RE,
} from './helpers.mjs';

for (const P of PROTOCOLS) {
  describe(`SendMessageBatch [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    test('all entries succeed; MD5s per entry; messages are receivable', async () => {
      const { url } = await queues.create('sb-ok');
      const attrs = { Hello: { DataType: 'String', StringValue: 'There' } };
      const entries = [
        { Id: 'a', MessageBody: 'hello world' },
        { Id: 'B-2_x', MessageBody: 'with attributes', MessageAttributes: attrs },
        { Id: 'c', MessageBody: 'a\r\nb "q" & <x>' },
      ];
      const r = await P.send('SendMessageBatch', { QueueUrl: url, Entries: entries });
      assert.equal((r.Failed ?? []).length, 0, `unexpected failures ${JSON.stringify(r.Failed)}`);
      assert.equal(r.Successful.length, 3);
      const byId = Object.fromEntries(r.Successful.map((s) => [s.Id, s]));
      assert.deepEqual(Object.keys(byId).sort(), ['B-2_x', 'a', 'c']);
      for (const e of entries) {
        const s = byId[e.Id];
        assert.match(s.MessageId, UUID_RE);
        assert.equal(s.MD5OfMessageBody, md5Hex(e.MessageBody));
        assert.equal(s.SequenceNumber, undefined);
      }
      assert.equal(byId.a.MD5OfMessageAttributes, undefined);
      assert.equal(byId['B-2_x'].MD5OfMessageAttributes, 'a311262e065454b75da111d535b8dacd');
      assert.equal(new Set(r.Successful.map((s) => s.MessageId)).size, 3);

      const got = await receiveN(P, url, 3, { MessageAttributeNames: ['All'] });
      assert.deepEqual(new Set(got.map((m) => m.MessageId)), new Set(r.Successful.map((s) => s.MessageId)));
      for (const m of got) {
        const entry = entries.find((e) => byId[e.Id].MessageId === m.MessageId);
        assert.equal(m.Body, entry.MessageBody);
        if (entry.MessageAttributes) {
          assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(entry.MessageAttributes));
          assert.equal(m.MessageAttributes.Hello.StringValue, 'There');
        }
      }
    });

    test('per-entry AWSTraceHeader → MD5OfMessageSystemAttributes; per-entry attributes → MD5OfMessageAttributes', async () => {
      const { url } = await queues.create('sb-sysattr');
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
      const r = await P.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: [
          { Id: 't', MessageBody: 'traced', MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } } },
          { Id: 'd', MessageBody: 'ts', MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } } },
        ],
      });
      const byId = Object.fromEntries(r.Successful.map((s) => [s.Id, s]));
      assert.equal(byId.t.MD5OfMessageSystemAttributes, '5ae4d5d7636402d80f4eb6d213245a88');
      assert.equal(byId.t.MD5OfMessageAttributes, undefined);
      assert.equal(byId.d.MD5OfMessageAttributes, '235c5c510d26fb653d073faed50ae77c');
      assert.equal(byId.d.MD5OfMessageSystemAttributes, undefined);
      const got = await receiveN(P, url, 2, { ...P.sysAttrs(['AWSTraceHeader']) });
      const traced = got.find((m) => m.MessageId === byId.t.MessageId);
      assert.equal(traced.Attributes.AWSTraceHeader, trace);
    });

    test('ten entries are accepted', async () => {
      const { url } = await queues.create('sb-ten');
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
      const r = await P.send('SendMessageBatch', { QueueUrl: url, Entries: entries });
      assert.equal(r.Successful.length, 10);
      await assertCounts(P, url, { visible: 10, notVisible: 0, delayed: 0 });
    });

    test('partial failure: an oversized entry fails, the others are sent', async () => {
      const { url } = await queues.create('sb-partial', { MaximumMessageSize: '1024' });
      const r = await P.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: [
          { Id: 'ok1', MessageBody: 'a'.repeat(1024) },
          { Id: 'big', MessageBody: 'a'.repeat(1025) },
          { Id: 'ok2', MessageBody: 'small' },
        ],
      });
      assert.deepEqual(r.Successful.map((s) => s.Id).sort(), ['ok1', 'ok2']);
      assert.equal(r.Successful.find((s) => s.Id === 'ok1').MD5OfMessageBody, 'c9a34cfc85d982698c6ac89f76071abd');
      assert.equal(r.Failed.length, 1);
      const f = r.Failed[0];
      assert.equal(f.Id, 'big');
      assert.equal(f.SenderFault, true);
      assert.equal(f.Code, 'InvalidParameterValue');
      assert.equal(f.Message, 'One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes.');
      await assertCounts(P, url, { visible: 2, notVisible: 0, delayed: 0 });
    });

    test('partial failure: invalid characters → per-entry InvalidMessageContents', async () => {
      const { url } = await queues.create('sb-badchar');
      const r = await P.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: [
          { Id: 'good', MessageBody: 'fine' },
          { Id: 'bad', MessageBody: 'nul\u0000' },
        ],
      });
      assert.deepEqual(r.Successful.map((s) => s.Id), ['good']);
      assert.equal(r.Failed.length, 1);
      assert.equal(r.Failed[0].Id, 'bad');
      assert.equal(r.Failed[0].Code, 'InvalidMessageContents');
      assert.equal(r.Failed[0].SenderFault, true);
      await assertCounts(P, url, { visible: 1, notVisible: 0, delayed: 0 });
    });

    test('0 entries → EmptyBatchRequest (the SDK sends the request; the server must reject it)', async () => {
      // Both SDK generations send it: JSON `"Entries":[]`, Query `SendMessageBatchRequestEntry=`.
      const { url } = await queues.create('sb-empty');
      await expectSqsError(P, P.send('SendMessageBatch', { QueueUrl: url, Entries: [] }), ERR.EmptyBatchRequest);
    });

    test('11 entries → TooManyEntriesInBatchRequest', async () => {
      const { url } = await queues.create('sb-eleven');
      const entries = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
      await expectSqsError(P, P.send('SendMessageBatch', { QueueUrl: url, Entries: entries }),
        ERR.TooManyEntriesInBatchRequest, { message: 'Maximum number of entries per request are 10. You have sent 11.' });
      await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'nothing enqueued');
    });

    test('duplicate ids → BatchEntryIdsNotDistinct', async () => {
      const { url } = await queues.create('sb-dup');
      await expectSqsError(P, P.send('SendMessageBatch', {
        QueueUrl: url,
        Entries: [{ Id: 'same', MessageBody: '1' }, { Id: 'other', MessageBody: '2' }, { Id: 'same', MessageBody: '3' }],
      }), ERR.BatchEntryIdsNotDistinct);
      await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'nothing enqueued');
    });

    const badIdText = 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. ' +
      'It can be at most 80 letters long.';
    for (const [what, id] of [['invalid:id', 'invalid:id'], ['a dot', 'a.b'], ['81 characters', 'x'.repeat(81)]]) {
      test(`bad entry id (${what}) → InvalidBatchEntryId`, async () => {
        const { url } = await queues.create('sb-badid');
        await expectSqsError(P, P.send('SendMessageBatch', {
          QueueUrl: url,
          Entries: [{ Id: 'fine', MessageBody: '1' }, { Id: id, MessageBody: '2' }],
        }), ERR.InvalidBatchEntryId, { message: badIdText });
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'nothing enqueued');
      });
    }

    test('an 80-character entry id is accepted', async () => {
      const { url } = await queues.create('sb-id80');
      const id = 'i'.repeat(80);
      const r = await P.send('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: id, MessageBody: 'x' }] });
      assert.equal(r.Successful[0].Id, id);
    });

    test('a total of exactly 1 MiB is accepted; one byte more → BatchRequestTooLong', async () => {
      const { url } = await queues.create('sb-total');
      const half = 'h'.repeat(524288);
      const ok = await P.send('SendMessageBatch', {
        QueueUrl: url, Entries: [{ Id: 'a', MessageBody: half }, { Id: 'b', MessageBody: half }],
      });
      assert.equal(ok.Successful.length, 2);

      // Each entry is well under the queue's MaximumMessageSize (1 MiB); only the sum is too long.
      const sizes = Array.from({ length: 10 }, (_, i) => (i === 0 ? 104857 + 7 : 104857)); // 1048577 bytes
      const total = sizes.reduce((a, b) => a + b, 0);
      assert.equal(total, 1048577);
      const entries = sizes.map((n, i) => ({ Id: `e${i}`, MessageBody: 'q'.repeat(n) }));
      await expectSqsError(P, P.send('SendMessageBatch', { QueueUrl: url, Entries: entries }), ERR.BatchRequestTooLong,
        { message: `Batch requests cannot be longer than 1048576 bytes. You have sent ${total} bytes.` });
      await assertCounts(P, url, { visible: 2, notVisible: 0, delayed: 0 }, 'only the first batch was enqueued');
    });

    test('attributes count toward the batch total', async () => {
      const { url } = await queues.create('sb-total-attr');
      const attrs = { k: { DataType: 'String', StringValue: 'x' } }; // 8 bytes
      const entries = [
        { Id: 'a', MessageBody: 'h'.repeat(524288) },
        { Id: 'b', MessageBody: 'h'.repeat(524288 - 7), MessageAttributes: attrs }, // sum = 1048577
      ];
      await expectSqsError(P, P.send('SendMessageBatch', { QueueUrl: url, Entries: entries }), ERR.BatchRequestTooLong,
        { message: 'Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.' });
    });

    test('unknown queue → QueueDoesNotExist', async () => {
      const { url } = await queues.create('sb-gone');
      await P.send('DeleteQueue', { QueueUrl: url });
      await expectSqsError(P, P.send('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'x' }] }),
        ERR.NonExistentQueue);
    });
  });
}
