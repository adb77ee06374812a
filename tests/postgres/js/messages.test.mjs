// Messages sent on one node are received, changed and deleted on the other; receipt handles of
// either node work on both (they are signed under a key derived from the shared root key).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ERR, expectSqsError, errorMessage, md5Hex, md5OfAttributes, UUID_RE } from '../../integration/js/helpers.mjs';
import { PAIRS, Queues, receiveUntil, receiveOne, assertNothing, counters, eventually, sleep } from './nodes.mjs';

const EMPTY = { visible: 0, notVisible: 0, delayed: 0 };
const ATTRS = {
  City: { DataType: 'String', StringValue: 'Any City ✓ <&>' },
  Population: { DataType: 'Number', StringValue: '1250800' },
  Weight: { DataType: 'Number.float', StringValue: '3.14' },
  Blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 0xfe, 0xff, 0x1e]) },
  Kind: { DataType: 'String.custom', StringValue: 'x' },
};
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const BODY = 'héllo ✓ from node 1\r\n"q" & <x> 😀';

// ReceiptHandleIsInvalid: Wharf answers the status of the current AWS model (404, what
// @aws-sdk/client-sqs models and src/api/error.cc sets; older models said 400). Exact here: both
// nodes and both protocols must answer the same as the embedded backend does.
const INVALID_HANDLE = { ...ERR.ReceiptHandleIsInvalid, status: 404 };

// A valid handle with one byte of its signed part changed (the signature no longer matches).
function tampered(handle) {
  const raw = Buffer.from(handle, 'base64');
  raw[raw.length - 13] ^= 0x01; // last byte of the seq/token part
  return raw.toString('base64');
}

for (const { name, n1, n2 } of PAIRS) {
  describe(`messages across nodes [${name}]`, () => {
    const queues = new Queues(n1);
    after(() => queues.cleanup());

    let url; // a queue with the default 30 s visibility timeout
    before(async () => {
      ({ url } = await queues.create('msg'));
      await eventually(() => n2.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['QueueArn'] }));
    });

    test('send on node 1, receive on node 2: body, attributes and MD5s intact; delete on node 2', async () => {
      const sent = await n1.send('SendMessage', {
        QueueUrl: url,
        MessageBody: BODY,
        MessageAttributes: ATTRS,
        MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE } },
      });
      assert.match(sent.MessageId, UUID_RE);
      assert.equal(sent.MD5OfMessageBody, md5Hex(BODY));
      assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(ATTRS));
      assert.equal(sent.MD5OfMessageSystemAttributes,
        md5OfAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: TRACE } }));

      const before = Date.now();
      // The SDKs check MD5OfBody and MD5OfMessageAttributes of what they receive (validation on).
      const m = await receiveOne(n2, url, { MessageAttributeNames: ['All'], ...n2.sysAttrs(['All']) });
      assert.equal(m.MessageId, sent.MessageId);
      assert.equal(m.Body, BODY);
      assert.equal(m.MD5OfBody, sent.MD5OfMessageBody);
      assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
      assert.deepEqual(Object.keys(m.MessageAttributes).sort(), Object.keys(ATTRS).sort());
      for (const [k, a] of Object.entries(ATTRS)) {
        const got = m.MessageAttributes[k];
        assert.equal(got.DataType, a.DataType, k);
        if (a.BinaryValue) assert.deepEqual(Buffer.from(got.BinaryValue), a.BinaryValue, k);
        else assert.equal(got.StringValue, a.StringValue, k);
      }
      assert.equal(m.Attributes.ApproximateReceiveCount, '1');
      assert.equal(m.Attributes.AWSTraceHeader, TRACE);
      assert.equal(m.Attributes.SenderId, '000000000000');
      const sentAt = Number(m.Attributes.SentTimestamp);
      assert.ok(Math.abs(sentAt - before) < 10000, `SentTimestamp ${sentAt} vs now ${before}`);
      assert.ok(Number(m.Attributes.ApproximateFirstReceiveTimestamp) >= sentAt);

      assert.deepEqual(await counters(n1, url), { visible: 0, notVisible: 1, delayed: 0 });
      await n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
      assert.deepEqual(await counters(n1, url), EMPTY);
      assert.deepEqual(await counters(n2, url), EMPTY);
    });

    test('a handle obtained on node 1 deletes on node 2', async () => {
      await n2.send('SendMessage', { QueueUrl: url, MessageBody: 'delete me elsewhere' });
      const m = await receiveOne(n1, url, { VisibilityTimeout: 1 });
      await n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
      assert.deepEqual(await counters(n2, url), EMPTY);
      await sleep(1300); // past the visibility timeout: it must not come back
      await assertNothing(n1, url);
      await assertNothing(n2, url);
    });

    test('ChangeMessageVisibility across nodes: release on node 2, extend on node 1', async () => {
      const { MessageId } = await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'cmv' });
      const first = await receiveOne(n1, url, { VisibilityTimeout: 60 });
      await assertNothing(n2, url);
      // Released through node 2 with node 1's handle: visible at once, to node 2.
      await n2.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 });
      const second = await receiveOne(n2, url, { VisibilityTimeout: 1, ...n2.sysAttrs(['ApproximateReceiveCount']) });
      assert.equal(second.MessageId, MessageId);
      assert.equal(second.Attributes.ApproximateReceiveCount, '2');
      // Extended through node 1 with node 2's handle: still hidden after the 1 s it was received for.
      await n1.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 60 });
      await sleep(1300);
      await assertNothing(n1, url);
      await assertNothing(n2, url);
      assert.deepEqual(await counters(n2, url), { visible: 0, notVisible: 1, delayed: 0 });
      await n1.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: second.ReceiptHandle });
      assert.deepEqual(await counters(n2, url), EMPTY);
    });

    test('batches: send on node 1, receive on node 2, change and delete on node 1', async () => {
      const entries = Array.from({ length: 10 }, (_, i) => ({
        Id: `e${i}`,
        MessageBody: `batch ${i} ✓`,
        ...(i % 2 ? { MessageAttributes: { N: { DataType: 'Number', StringValue: String(i) } } } : {}),
      }));
      const sent = await n1.send('SendMessageBatch', { QueueUrl: url, Entries: entries });
      assert.equal(sent.Failed?.length ?? 0, 0);
      assert.equal(sent.Successful.length, 10);
      const idOf = new Map();
      for (const s of sent.Successful) {
        const e = entries.find((x) => x.Id === s.Id);
        assert.equal(s.MD5OfMessageBody, md5Hex(e.MessageBody));
        assert.equal(s.MD5OfMessageAttributes, e.MessageAttributes ? md5OfAttributes(e.MessageAttributes) : undefined);
        idOf.set(s.MessageId, e);
      }

      const got = await receiveUntil(n2, url, 10, { VisibilityTimeout: 60, MessageAttributeNames: ['All'] });
      assert.equal(got.length, 10);
      for (const m of got) {
        const e = idOf.get(m.MessageId);
        assert.ok(e, `unknown message ${m.MessageId}`);
        assert.equal(m.Body, e.MessageBody);
        assert.equal(m.MessageAttributes?.N?.StringValue, e.MessageAttributes?.N?.StringValue);
      }

      // Node 1 changes the visibility of node 2's handles; one bad entry fails on its own.
      const changed = await n1.send('ChangeMessageVisibilityBatch', {
        QueueUrl: url,
        Entries: [
          ...got.slice(0, 3).map((m, i) => ({ Id: `c${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
          { Id: 'bad', ReceiptHandle: 'garbage', VisibilityTimeout: 0 },
        ],
      });
      assert.deepEqual(changed.Successful.map((s) => s.Id).sort(), ['c0', 'c1', 'c2']);
      assert.equal(changed.Failed.length, 1);
      assert.equal(changed.Failed[0].Id, 'bad');
      assert.equal(changed.Failed[0].Code, 'ReceiptHandleIsInvalid');
      assert.equal(changed.Failed[0].SenderFault, true);
      const again = await receiveUntil(n1, url, 3, { VisibilityTimeout: 60 });
      assert.deepEqual(again.map((m) => m.MessageId).sort(), got.slice(0, 3).map((m) => m.MessageId).sort());

      // Delete all ten on node 1: the three re-received with node 1's handles, the other seven
      // with node 2's; the first batch also carries a tampered handle, which fails on its own.
      const handles = [...again, ...got.slice(3)].map((m) => m.ReceiptHandle);
      const deleted = await n1.send('DeleteMessageBatch', {
        QueueUrl: url,
        Entries: [...handles.slice(0, 9).map((h, i) => ({ Id: `d${i}`, ReceiptHandle: h })),
          { Id: 'bad', ReceiptHandle: tampered(handles[0]) }],
      });
      assert.equal(deleted.Successful.length, 9);
      assert.equal(deleted.Failed.length, 1);
      assert.equal(deleted.Failed[0].Id, 'bad');
      assert.equal(deleted.Failed[0].Code, 'ReceiptHandleIsInvalid');
      assert.equal(deleted.Failed[0].SenderFault, true);
      assert.deepEqual(await counters(n2, url), { visible: 0, notVisible: 1, delayed: 0 });
      const last = await n2.send('DeleteMessageBatch', { QueueUrl: url, Entries: [{ Id: 'd9', ReceiptHandle: handles[9] }] });
      assert.deepEqual(last.Successful.map((s) => s.Id), ['d9']);
      assert.deepEqual(await counters(n2, url), EMPTY);
    });

    test('deleted on node 1, deleted again on node 2 (ok); then ChangeMessageVisibility → InvalidParameterValue', async () => {
      await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'twice' });
      const m = await receiveOne(n2, url);
      await n1.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
      await n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle }); // §2.10: succeeds
      await expectSqsError(n2, n2.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 10 }),
        ERR.InvalidParameterValue, {
          message: `Value ${m.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
        });
      assert.deepEqual(await counters(n1, url), EMPTY);
    });

    test('queue DelaySeconds: sent on node 2, delayed for node 1, then delivered to it', async () => {
      const { url: q } = await queues.create('delay', { DelaySeconds: '2' });
      await eventually(() => n2.send('GetQueueAttributes', { QueueUrl: q, AttributeNames: ['QueueArn'] }));
      const t0 = Date.now();
      const { MessageId } = await n2.send('SendMessage', { QueueUrl: q, MessageBody: 'later' });
      assert.deepEqual(await counters(n1, q), { visible: 0, notVisible: 0, delayed: 1 });
      await assertNothing(n1, q);
      const m = await receiveOne(n1, q, { timeoutMs: 5000 });
      assert.equal(m.MessageId, MessageId);
      assert.ok(Date.now() - t0 >= 1900, `delivered after ${Date.now() - t0} ms, before the 2 s delay`);
      await n2.send('DeleteMessage', { QueueUrl: q, ReceiptHandle: m.ReceiptHandle });
    });

    test('the VisibilityTimeout given to CreateQueue on node 1 applies to receives on node 2', async () => {
      const { url: q } = await queues.create('vt', { VisibilityTimeout: '1' });
      await eventually(() => n2.send('GetQueueAttributes', { QueueUrl: q, AttributeNames: ['QueueArn'] }));
      await n1.send('SendMessage', { QueueUrl: q, MessageBody: 'short' });
      const first = await receiveOne(n2, q); // no VisibilityTimeout: the queue's 1 s
      await assertNothing(n1, q);
      const again = await receiveOne(n1, q, { timeoutMs: 4000, ...n1.sysAttrs(['ApproximateReceiveCount']) });
      assert.equal(again.MessageId, first.MessageId);
      assert.equal(again.Attributes.ApproximateReceiveCount, '2');
      await n2.send('DeleteMessage', { QueueUrl: q, ReceiptHandle: again.ReceiptHandle });
    });

    test('a 1 MiB message sent on node 2 arrives whole on node 1', async () => {
      const chunk = 'abcdefghijklmnopqrstuvwxyz0123456789ÀÉ✓😀\t\n'; // mixed 1- to 4-byte characters
      let body = chunk.repeat(Math.ceil(1048576 / Buffer.byteLength(chunk)));
      while (Buffer.byteLength(body) > 1048576) body = body.slice(0, -1);
      if (/[\ud800-\udbff]$/.test(body)) body = body.slice(0, -1); // no half surrogate pair at the end
      assert.ok(Buffer.byteLength(body) > 1048570);
      const sent = await n2.send('SendMessage', { QueueUrl: url, MessageBody: body });
      assert.equal(sent.MD5OfMessageBody, md5Hex(body));
      const m = await receiveOne(n1, url);
      assert.equal(m.MessageId, sent.MessageId);
      assert.equal(m.Body.length, body.length);
      assert.ok(m.Body === body, 'body differs');
      await n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
    });

    test('PurgeQueue on node 2 empties the queue for node 1', async () => {
      const { url: q } = await queues.create('purge');
      await eventually(() => n2.send('GetQueueAttributes', { QueueUrl: q, AttributeNames: ['QueueArn'] }));
      for (let b = 0; b < 3; b++) {
        await n1.send('SendMessageBatch', {
          QueueUrl: q,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `p${b}-${i}` })),
        });
      }
      await receiveUntil(n1, q, 5, { VisibilityTimeout: 60 }); // some in flight too
      assert.deepEqual(await counters(n2, q), { visible: 25, notVisible: 5, delayed: 0 });
      await n2.send('PurgeQueue', { QueueUrl: q });
      // AWS allows up to 60 s for a purge; this backend deletes in the same transaction.
      await assertNothing(n1, q);
      assert.deepEqual(await counters(n1, q), EMPTY);
      // The queue is still usable.
      await n1.send('SendMessage', { QueueUrl: q, MessageBody: 'after purge' });
      assert.equal((await receiveOne(n2, q)).Body, 'after purge');
    });

    describe('invalid receipt handles (same answer on both nodes)', () => {
      let url; // its own queue, so that the counters below are exact
      let other; // another queue, for handles of the wrong queue
      let handle; // a live handle of `url`, in flight for 60 s
      before(async () => {
        ({ url } = await queues.create('handles'));
        ({ url: other } = await queues.create('other'));
        await n1.send('SendMessage', { QueueUrl: url, MessageBody: 'target' });
        handle = (await receiveOne(n1, url, { VisibilityTimeout: 60 })).ReceiptHandle;
      });

      for (const [what, make] of [
        ['garbled', () => 'garbage'],
        ['truncated', () => handle.slice(0, -4)],
        ['tampered (signature does not match)', () => tampered(handle)],
      ]) {
        test(`${what} handle → ReceiptHandleIsInvalid, the message untouched`, async () => {
          const h = make();
          for (const C of [n1, n2]) {
            const e = await expectSqsError(C, C.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: h }), INVALID_HANDLE);
            assert.equal(errorMessage(e), `The input receipt handle "${h}" is not a valid receipt handle.`);
            await expectSqsError(C, C.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: h, VisibilityTimeout: 0 }),
              INVALID_HANDLE);
          }
          assert.deepEqual(await counters(n2, url), { visible: 0, notVisible: 1, delayed: 0 });
        });
      }

      test('a valid handle used on another queue → ReceiptHandleIsInvalid, both queues untouched', async () => {
        await n2.send('SendMessage', { QueueUrl: other, MessageBody: 'bystander' });
        for (const C of [n1, n2]) {
          await expectSqsError(C, C.send('DeleteMessage', { QueueUrl: other, ReceiptHandle: handle }), INVALID_HANDLE);
          await expectSqsError(C, C.send('ChangeMessageVisibility', { QueueUrl: other, ReceiptHandle: handle, VisibilityTimeout: 0 }),
            INVALID_HANDLE);
        }
        assert.deepEqual(await counters(n1, url), { visible: 0, notVisible: 1, delayed: 0 });
        assert.deepEqual(await counters(n1, other), { visible: 1, notVisible: 0, delayed: 0 });
        // The handle still works on its own queue, on the other node.
        await n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: handle });
        assert.deepEqual(await counters(n1, url), EMPTY);
      });
    });
  });
}
