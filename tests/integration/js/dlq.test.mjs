// Dead-letter queues and message move tasks through real clients (sqs-api.md §2.17–2.20, §3.2,
// §3.3, §5.10, §5.11, §6): a consumer that always fails drives messages into the DLQ, which carry
// DeadLetterQueueSourceArn; ListDeadLetterSourceQueues lists the source; StartMessageMoveTask takes
// them back; ListMessageMoveTasks reports COMPLETED with the moved count; the messages are then
// consumed from the source. Also: cancelling a task, FIFO order through the round trip, and the
// error cases with the codes, classes and statuses the SDKs expose.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, Queues, ERR, expectSqsError, uniqueName, queueArn, receiveN, assertEmptyReceive,
  assertCounts, assertCountsSoon, counts, getAttributes, md5OfAttributes, sleep,
} from './helpers.mjs';

// §6.1: move-task resources that do not exist.
const RESOURCE_NOT_FOUND = { code: 'ResourceNotFoundException', shape: 'ResourceNotFoundException', status: 404 };
const SOURCE_MISSING = "The resource that you specified for the SourceArn parameter doesn't exist.";
const DESTINATION_MISSING = "The resource that you specified for the DestinationArn parameter doesn't exist.";
const NOT_A_DLQ = 'Source queue must be configured as a Dead Letter Queue.';
const ALREADY_RUNNING =
  'There is already a task running. Only one active task is allowed for a source queue arn at a given time.';
const ZERO_UUID = '00000000-0000-4000-8000-000000000000';

const redrivePolicy = (dlqArn, maxReceiveCount) => JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount });
const taskHandle = (taskId, sourceArn) => Buffer.from(JSON.stringify({ taskId, sourceArn })).toString('base64');

// Polls ListMessageMoveTasks until the latest task of `sourceArn` is no longer RUNNING.
async function waitForTask(P, sourceArn, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await P.send('ListMessageMoveTasks', { SourceArn: sourceArn });
    const task = (r.Results ?? [])[0];
    assert.ok(task, `[${P.name}] no task listed for ${sourceArn}`);
    if (task.Status !== 'RUNNING' || Date.now() > deadline) return task;
    await sleep(200);
  }
}

// A consumer that always fails: it receives, never deletes, and lets the short visibility timeout
// hand the message back, until nothing is left in `url`. Returns every delivery it saw.
async function failingConsumer(P, url, { timeoutMs = 30000 } = {}) {
  const deliveries = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await P.send('ReceiveMessage', {
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, ...P.sysAttrs(['All']),
    });
    deliveries.push(...(r.Messages ?? []));
    const c = await counts(P, url);
    if (c.visible + c.notVisible + c.delayed === 0) return deliveries;
  }
  assert.fail(`[${P.name}] the failing consumer did not empty ${url} in ${timeoutMs} ms`);
}

async function sendBatches(P, url, bodies, extra = () => ({})) {
  const ids = new Map();
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const r = await P.send('SendMessageBatch', {
      QueueUrl: url,
      Entries: chunk.map((b, k) => ({ Id: `e${k}`, MessageBody: b, ...extra(b) })),
    });
    assert.equal((r.Failed ?? []).length, 0, `[${P.name}] batch send failed: ${JSON.stringify(r.Failed)}`);
    for (const s of r.Successful) ids.set(chunk[Number(s.Id.slice(1))], s.MessageId);
  }
  return ids;
}

for (const P of PROTOCOLS) {
  describe(`Dead-letter queues and move tasks [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    test('a failing consumer fills the DLQ; the messages are redriven and consumed from the source', async () => {
      const dlq = await queues.create('dlq');
      const dlqArn = queueArn(dlq.name);
      const src = await queues.create('dlq-src', {
        VisibilityTimeout: '1', RedrivePolicy: redrivePolicy(dlqArn, 2),
      });
      const srcArn = queueArn(src.name);
      const attrs = { Kind: { DataType: 'String', StringValue: 'poison' }, N: { DataType: 'Number', StringValue: '7' } };
      const sent = new Map();
      for (let i = 0; i < 5; i++) {
        const body = `failing-${i}`;
        const r = await P.send('SendMessage', { QueueUrl: src.url, MessageBody: body, MessageAttributes: attrs });
        assert.equal(r.MD5OfMessageAttributes, md5OfAttributes(attrs));
        sent.set(body, r.MessageId);
      }
      const policy = JSON.parse((await getAttributes(P, src.url, ['RedrivePolicy'])).RedrivePolicy);
      assert.deepEqual(policy, { deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }, '§3.2: the count is a JSON number');

      // §5.10: each message is delivered at most maxReceiveCount (2) times, then moved.
      const deliveries = await failingConsumer(P, src.url);
      const perMessage = new Map();
      for (const m of deliveries) perMessage.set(m.MessageId, (perMessage.get(m.MessageId) ?? 0) + 1);
      assert.equal(perMessage.size, 5);
      for (const [id, n] of perMessage) assert.equal(n, 2, `[${P.name}] ${id} delivered ${n} times`);
      for (const m of deliveries) {
        assert.ok(Number(m.Attributes.ApproximateReceiveCount) <= 2);
        assert.equal(m.Attributes.DeadLetterQueueSourceArn, undefined);
      }
      await assertCounts(P, src.url, { visible: 0, notVisible: 0, delayed: 0 }, 'source after dead-lettering');
      // The dead-letter queue takes a message once its move is durable (one group commit,
      // docs/guarantees.md), so the last move may still be landing when the source is empty.
      await assertCountsSoon(P, dlq.url, { visible: 5, notVisible: 0, delayed: 0 }, 'DLQ after dead-lettering');

      const dead = await receiveN(P, dlq.url, 5, {
        VisibilityTimeout: 0, MessageAttributeNames: ['All'], ...P.sysAttrs(['All']),
      });
      assert.equal(dead.length, 5);
      for (const m of dead) {
        assert.equal(m.MessageId, sent.get(m.Body), `[${P.name}] same MessageId in the DLQ`);
        assert.equal(m.Attributes.DeadLetterQueueSourceArn, srcArn);
        assert.ok(Number(m.Attributes.ApproximateReceiveCount) >= 3, 'the count carries over');
        assert.equal(m.MessageAttributes.Kind.StringValue, 'poison');
        assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attrs));
      }

      // §2.17: the DLQ knows its source.
      const sources = await P.send('ListDeadLetterSourceQueues', { QueueUrl: dlq.url });
      assert.deepEqual(sources.queueUrls, [src.url]);
      assert.equal(sources.NextToken, undefined);

      // §5.11: redrive back to the source (no DestinationArn).
      const started = Date.now();
      const { TaskHandle } = await P.send('StartMessageMoveTask', { SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 10 });
      assert.equal(typeof TaskHandle, 'string');
      const task = await waitForTask(P, dlqArn);
      assert.equal(task.Status, 'COMPLETED');
      assert.equal(task.ApproximateNumberOfMessagesMoved, 5);
      assert.equal(task.ApproximateNumberOfMessagesToMove, 5);
      assert.equal(task.SourceArn, dlqArn);
      assert.equal(task.MaxNumberOfMessagesPerSecond, 10);
      assert.equal(task.DestinationArn, undefined, 'only when given');
      assert.equal(task.TaskHandle, undefined, 'only while RUNNING');
      assert.equal(task.FailureReason, undefined);
      assert.equal(typeof task.StartedTimestamp, 'number');
      assert.ok(Math.abs(task.StartedTimestamp - started) < 60000, `StartedTimestamp ${task.StartedTimestamp} is epoch ms`);
      await assertCounts(P, dlq.url, { visible: 0, notVisible: 0, delayed: 0 }, 'DLQ after the redrive');

      // A working consumer now handles them from the source.
      const back = await receiveN(P, src.url, 5, { MessageAttributeNames: ['All'], ...P.sysAttrs(['All']) });
      assert.equal(back.length, 5);
      for (const m of back) {
        assert.equal(m.MessageId, sent.get(m.Body));
        assert.equal(m.Attributes.ApproximateReceiveCount, '1', 'the receive count starts again');
        assert.equal(m.Attributes.DeadLetterQueueSourceArn, undefined);
        assert.equal(m.MessageAttributes.N.StringValue, '7');
        await P.send('DeleteMessage', { QueueUrl: src.url, ReceiptHandle: m.ReceiptHandle });
      }
      await assertCounts(P, src.url, { visible: 0, notVisible: 0, delayed: 0 }, 'source at the end');
      await assertCounts(P, dlq.url, { visible: 0, notVisible: 0, delayed: 0 }, 'DLQ at the end');
    });

    test('ListDeadLetterSourceQueues pages with MaxResults and NextToken', async () => {
      const dlq = await queues.create('dlq-list');
      const dlqArn = queueArn(dlq.name);
      const urls = [];
      for (let i = 0; i < 3; i++) {
        urls.push((await queues.create(`dlq-list-src${i}`, { RedrivePolicy: redrivePolicy(dlqArn, 5) })).url);
      }
      urls.sort();
      const seen = [];
      let NextToken;
      for (let page = 0; page < 5; page++) {
        const r = await P.send('ListDeadLetterSourceQueues', { QueueUrl: dlq.url, MaxResults: 2, NextToken });
        assert.ok(r.queueUrls.length <= 2);
        seen.push(...r.queueUrls);
        NextToken = r.NextToken;
        if (!NextToken) break;
      }
      assert.deepEqual(seen, urls);
      const none = await P.send('ListDeadLetterSourceQueues', { QueueUrl: urls[0] });
      assert.deepEqual(none.queueUrls ?? [], []);
    });

    test('CancelMessageMoveTask stops a running task; what moved stays moved, the rest stays put', async () => {
      const dlq = await queues.create('dlq-cancel');
      const dlqArn = queueArn(dlq.name);
      await queues.create('dlq-cancel-src', { RedrivePolicy: redrivePolicy(dlqArn, 3) });
      const dest = await queues.create('dlq-cancel-dest');
      const bodies = Array.from({ length: 60 }, (_, i) => `cancel-${i}`);
      await sendBatches(P, dlq.url, bodies);
      const { TaskHandle } = await P.send('StartMessageMoveTask', {
        SourceArn: dlqArn, DestinationArn: queueArn(dest.name), MaxNumberOfMessagesPerSecond: 10,
      });
      const running = (await P.send('ListMessageMoveTasks', { SourceArn: dlqArn })).Results[0];
      assert.equal(running.Status, 'RUNNING');
      assert.equal(running.TaskHandle, TaskHandle);
      assert.equal(running.DestinationArn, queueArn(dest.name));
      await expectSqsError(P, P.send('StartMessageMoveTask', { SourceArn: dlqArn }), ERR.InvalidParameterValue,
        { message: ALREADY_RUNNING });
      await sleep(1000);
      const cancelled = await P.send('CancelMessageMoveTask', { TaskHandle });
      assert.equal(typeof cancelled.ApproximateNumberOfMessagesMoved, 'number');
      assert.ok(cancelled.ApproximateNumberOfMessagesMoved < 60, `moved ${cancelled.ApproximateNumberOfMessagesMoved}`);
      await sleep(700);
      const task = (await P.send('ListMessageMoveTasks', { SourceArn: dlqArn, MaxResults: 10 })).Results;
      assert.equal(task.length, 1);
      assert.equal(task[0].Status, 'CANCELLED');
      assert.equal(task[0].TaskHandle, undefined);
      const moved = task[0].ApproximateNumberOfMessagesMoved;
      assert.ok(moved >= cancelled.ApproximateNumberOfMessagesMoved && moved < 60);
      await sleep(500);
      const d = await counts(P, dest.url);
      const s = await counts(P, dlq.url);
      assert.equal(d.visible, moved, 'what moved is in the destination');
      assert.equal(s.visible, 60 - moved, 'the rest stays in the DLQ');
      await expectSqsError(P, P.send('CancelMessageMoveTask', { TaskHandle }), ERR.InvalidParameterValue);
    });

    test('FIFO: a failing consumer moves a whole group in order, and the redrive keeps it', async () => {
      const dlqName = `${uniqueName('dlqf', P)}.fifo`;
      const dlqUrl = (await P.send('CreateQueue', { QueueName: dlqName, Attributes: { FifoQueue: 'true' } })).QueueUrl;
      queues.track(dlqUrl);
      const srcName = `${uniqueName('dlqf-src', P)}.fifo`;
      const srcUrl = (await P.send('CreateQueue', {
        QueueName: srcName,
        Attributes: { FifoQueue: 'true', VisibilityTimeout: '1', RedrivePolicy: redrivePolicy(queueArn(dlqName), 1) },
      })).QueueUrl;
      queues.track(srcUrl);
      const order = ['f1', 'f2', 'f3', 'f4'];
      for (const body of order) {
        await P.send('SendMessage', { QueueUrl: srcUrl, MessageBody: body, MessageGroupId: 'g', MessageDeduplicationId: body });
      }
      await failingConsumer(P, srcUrl);
      await assertCountsSoon(P, dlqUrl, { visible: 4, notVisible: 0, delayed: 0 }, 'FIFO DLQ');
      const dead = (await P.send('ReceiveMessage', {
        QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, ...P.sysAttrs(['All']),
      })).Messages ?? [];
      assert.deepEqual(dead.map((m) => m.Body), order, 'group order in the DLQ');
      for (const m of dead) {
        assert.equal(m.Attributes.MessageGroupId, 'g');
        assert.equal(m.Attributes.DeadLetterQueueSourceArn, queueArn(srcName));
      }
      await P.send('StartMessageMoveTask', { SourceArn: queueArn(dlqName) });
      const task = await waitForTask(P, queueArn(dlqName));
      assert.equal(task.Status, 'COMPLETED');
      assert.equal(task.ApproximateNumberOfMessagesMoved, 4);
      const back = (await P.send('ReceiveMessage', {
        QueueUrl: srcUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, ...P.sysAttrs(['All']),
      })).Messages ?? [];
      assert.deepEqual(back.map((m) => m.Body), order, 'group order after the redrive');
      for (const m of back) assert.equal(m.Attributes.ApproximateReceiveCount, '1');
    });

    test('move task errors carry the SDK-visible codes, classes and statuses', async () => {
      const dlq = await queues.create('dlq-err');
      const dlqArn = queueArn(dlq.name);
      const src = await queues.create('dlq-err-src', { RedrivePolicy: redrivePolicy(dlqArn, 3) });
      const missingArn = queueArn(uniqueName('missing', P));

      await expectSqsError(P, P.send('StartMessageMoveTask', { SourceArn: missingArn }), RESOURCE_NOT_FOUND,
        { message: SOURCE_MISSING });
      await expectSqsError(P, P.send('StartMessageMoveTask', { SourceArn: queueArn(src.name) }), ERR.InvalidParameterValue,
        { message: NOT_A_DLQ });
      await expectSqsError(P, P.send('StartMessageMoveTask', { SourceArn: 'not-an-arn' }), ERR.InvalidParameterValue);
      await expectSqsError(P, P.send('StartMessageMoveTask', { SourceArn: dlqArn, DestinationArn: missingArn }),
        RESOURCE_NOT_FOUND, { message: DESTINATION_MISSING });
      for (const rate of [0, 501]) {
        await expectSqsError(P, P.send('StartMessageMoveTask', { SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: rate }),
          ERR.InvalidParameterValue);
      }
      await expectSqsError(P, P.send('CancelMessageMoveTask', { TaskHandle: 'garbage!' }), ERR.InvalidParameterValue,
        { message: 'Value for parameter TaskHandle is invalid.' });
      await expectSqsError(P, P.send('CancelMessageMoveTask', { TaskHandle: taskHandle(ZERO_UUID, dlqArn) }),
        RESOURCE_NOT_FOUND, { message: 'Task does not exist.' });
      await expectSqsError(P, P.send('CancelMessageMoveTask', { TaskHandle: taskHandle(ZERO_UUID, missingArn) }),
        RESOURCE_NOT_FOUND, { message: SOURCE_MISSING });
      await expectSqsError(P, P.send('ListMessageMoveTasks', { SourceArn: missingArn }), RESOURCE_NOT_FOUND);
      await expectSqsError(P, P.send('ListMessageMoveTasks', { SourceArn: dlqArn, MaxResults: 11 }), ERR.InvalidParameterValue);
      const empty = await P.send('ListMessageMoveTasks', { SourceArn: dlqArn });
      assert.deepEqual(empty.Results ?? [], []);
    });

    test('RedrivePolicy and RedriveAllowPolicy errors', async () => {
      const dlq = await queues.create('dlq-pol');
      const dlqArn = queueArn(dlq.name);
      const src = await queues.create('dlq-pol-src');
      const missing = redrivePolicy(queueArn(uniqueName('missing', P)), 3);
      await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: src.url, Attributes: { RedrivePolicy: missing } }),
        ERR.InvalidParameterValue,
        { message: `Value ${missing} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.` });
      const zero = redrivePolicy(dlqArn, 0);
      await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: src.url, Attributes: { RedrivePolicy: zero } }),
        ERR.InvalidParameterValue,
        { message: `Value ${zero} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.` });
      const noCount = JSON.stringify({ deadLetterTargetArn: dlqArn });
      await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: src.url, Attributes: { RedrivePolicy: noCount } }),
        ERR.InvalidParameterValue,
        { message: `Value ${noCount} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.` });
      assert.equal((await getAttributes(P, src.url, ['RedrivePolicy'])).RedrivePolicy, undefined);

      await P.send('SetQueueAttributes', {
        QueueUrl: dlq.url, Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) },
      });
      await expectSqsError(P, P.send('SetQueueAttributes', {
        QueueUrl: src.url, Attributes: { RedrivePolicy: redrivePolicy(dlqArn, 3) },
      }), ERR.InvalidParameterValue);
      await P.send('SetQueueAttributes', {
        QueueUrl: dlq.url,
        Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [queueArn(src.name)] }) },
      });
      await P.send('SetQueueAttributes', { QueueUrl: src.url, Attributes: { RedrivePolicy: redrivePolicy(dlqArn, 3) } });
      const tooMany = JSON.stringify({
        redrivePermission: 'byQueue', sourceQueueArns: Array.from({ length: 11 }, (_, i) => queueArn(`s${i}`)),
      });
      await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: dlq.url, Attributes: { RedriveAllowPolicy: tooMany } }),
        ERR.InvalidParameterValue);

      await P.send('DeleteQueue', { QueueUrl: dlq.url });
      await expectSqsError(P, P.send('ListDeadLetterSourceQueues', { QueueUrl: dlq.url }), ERR.NonExistentQueue);
      await assertEmptyReceive(P, src.url);
    });
  });
}
