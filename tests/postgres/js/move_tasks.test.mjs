// Message move tasks are shared by the nodes (issue 11): a task started on node 1 is listed on
// node 2 with its handle and progress, a second start on node 2 gets the one-running-task error,
// and a cancel through node 2 ends it CANCELLED on both nodes with the number of messages that
// really moved (what moved is in the destination, the rest still in the dead-letter queue, and
// nothing moves afterwards), whichever node runs it. The task moves 10 messages a second out of
// 100, so it is still running when cancelled. Other nodes see a change within about a second
// (each node reads the tasks back every second), so node 2 is polled.
// Two starts for one source sent to both nodes at the same moment: exactly one succeeds, the
// other gets the one-running-task error (the source's lease in table `lease`), round after round.
// kill -9 of the node running a task: js/move_task_kill9.mjs (a step of two_nodes.sh).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ERR, expectSqsError } from '../../integration/js/helpers.mjs';
import { PAIRS, Queues, eventually, counters, sleep } from './nodes.mjs';

const ALREADY_RUNNING =
  'There is already a task running. Only one active task is allowed for a source queue arn at a given time.';
const PROPAGATION = { timeoutMs: 10000 }; // "about 1 s", with room for a busy machine
const arnOf = (name) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

async function latest(C, SourceArn) {
  const r = await C.send('ListMessageMoveTasks', { SourceArn, MaxResults: 10 });
  assert.equal(r.Results?.length, 1, `[${C.name}] one task listed by ${C.endpoint}`);
  return r.Results[0];
}

for (const { name, n1, n2 } of PAIRS) {
  describe(`message move tasks across nodes [${name}]`, () => {
    const queues = new Queues(n1);
    after(() => queues.cleanup());

    test('started on node 1, listed and cancelled on node 2: CANCELLED on both with the moved count', async () => {
      const dlq = await queues.create('mt-dlq');
      const dlqArn = arnOf(dlq.name);
      await queues.create('mt-src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) });
      const dest = await queues.create('mt-dest');
      for (let b = 0; b < 10; b++) {
        const Entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `mt-${b * 10 + i}` }));
        const r = await n1.send('SendMessageBatch', { QueueUrl: dlq.url, Entries });
        assert.equal(r.Failed?.length ?? 0, 0);
      }
      // Node 2 knows the queues (its cache of queue rows refreshes every second).
      await eventually(() => n2.send('GetQueueAttributes', { QueueUrl: dest.url, AttributeNames: ['QueueArn'] }), PROPAGATION);

      const { TaskHandle } = await n1.send('StartMessageMoveTask', {
        SourceArn: dlqArn, DestinationArn: arnOf(dest.name), MaxNumberOfMessagesPerSecond: 10,
      });
      // Node 2 lists it, running, with its handle, and follows its progress.
      const seen = await eventually(async () => {
        const t = await latest(n2, dlqArn);
        assert.equal(t.Status, 'RUNNING');
        assert.ok(t.ApproximateNumberOfMessagesMoved > 0, `moved ${t.ApproximateNumberOfMessagesMoved}`);
        return t;
      }, PROPAGATION);
      assert.equal(seen.TaskHandle, TaskHandle);
      assert.equal(seen.DestinationArn, arnOf(dest.name));
      assert.equal(seen.MaxNumberOfMessagesPerSecond, 10);
      assert.equal(seen.ApproximateNumberOfMessagesToMove, 100);
      // One running task per source, whichever node is asked.
      await expectSqsError(n2, n2.send('StartMessageMoveTask', { SourceArn: dlqArn }), ERR.InvalidParameterValue,
        { message: ALREADY_RUNNING });

      const cancelled = await n2.send('CancelMessageMoveTask', { TaskHandle });
      assert.equal(typeof cancelled.ApproximateNumberOfMessagesMoved, 'number');
      assert.ok(cancelled.ApproximateNumberOfMessagesMoved > 0 && cancelled.ApproximateNumberOfMessagesMoved < 100,
        `moved ${cancelled.ApproximateNumberOfMessagesMoved}`);
      // A second cancel, on either node, is refused: the task is no longer RUNNING.
      await expectSqsError(n2, n2.send('CancelMessageMoveTask', { TaskHandle }), ERR.InvalidParameterValue);

      // CANCELLED on both nodes, with one count: the messages that moved.
      const ended = [];
      for (const C of [n1, n2]) {
        ended.push(await eventually(async () => {
          const t = await latest(C, dlqArn);
          assert.equal(t.Status, 'CANCELLED', `[${C.name}] on ${C.endpoint}`);
          return t;
        }, PROPAGATION));
      }
      const moved = ended[0].ApproximateNumberOfMessagesMoved;
      assert.equal(ended[1].ApproximateNumberOfMessagesMoved, moved, 'both nodes report one count');
      assert.equal(ended[0].TaskHandle, undefined, 'no handle once ended');
      assert.ok(moved >= cancelled.ApproximateNumberOfMessagesMoved && moved < 100, `moved ${moved}`);
      await expectSqsError(n1, n1.send('CancelMessageMoveTask', { TaskHandle }), ERR.InvalidParameterValue);
      // Nothing moves any more: the counts stay where the task left them.
      await sleep(1500);
      assert.deepEqual(await counters(n1, dest.url), { visible: moved, notVisible: 0, delayed: 0 });
      assert.deepEqual(await counters(n2, dlq.url), { visible: 100 - moved, notVisible: 0, delayed: 0 });
      // The source is free again: a new task can start, through either node.
      await n2.send('StartMessageMoveTask', { SourceArn: dlqArn, DestinationArn: arnOf(dest.name) });
      const done = await eventually(async () => {
        const r = await n1.send('ListMessageMoveTasks', { SourceArn: dlqArn, MaxResults: 10 });
        assert.equal(r.Results.length, 2);
        assert.equal(r.Results[0].Status, 'COMPLETED');
        return r.Results[0];
      }, { timeoutMs: 20000 });
      assert.equal(done.ApproximateNumberOfMessagesMoved, 100 - moved);
      assert.deepEqual(await counters(n2, dest.url), { visible: 100, notVisible: 0, delayed: 0 });
    });

    test('started on both nodes at once: exactly one start succeeds, every round', async () => {
      const dlq = await queues.create('mt2-dlq');
      const dlqArn = arnOf(dlq.name);
      await queues.create('mt2-src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) });
      const dest = await queues.create('mt2-dest');
      const Entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `mt2-${i}` }));
      assert.equal((await n1.send('SendMessageBatch', { QueueUrl: dlq.url, Entries })).Failed?.length ?? 0, 0);
      // Both nodes know the queues, and that the source is a dead-letter queue (a start checks it).
      for (const N of [n1, n2]) {
        await eventually(async () => {
          await N.send('GetQueueAttributes', { QueueUrl: dest.url, AttributeNames: ['QueueArn'] });
          const r = await N.send('ListDeadLetterSourceQueues', { QueueUrl: dlq.url });
          assert.equal(r.queueUrls?.length, 1, `[${N.name}] ${N.endpoint} knows the redrive policy`);
        }, PROPAGATION);
      }
      const input = { SourceArn: dlqArn, DestinationArn: arnOf(dest.name), MaxNumberOfMessagesPerSecond: 1 };
      for (let round = 1; round <= 5; round++) {
        const settled = await Promise.allSettled([n1, n2].map((C) => C.send('StartMessageMoveTask', input)));
        const won = settled.map((s, i) => (s.status === 'fulfilled' ? i : -1)).filter((i) => i >= 0);
        assert.equal(won.length, 1, `round ${round}: ${won.length} starts succeeded: ${settled.map((s) => s.status)}`);
        const winner = won[0];
        const loser = 1 - winner;
        const C = [n1, n2][loser];
        await expectSqsError(C, Promise.reject(settled[loser].reason), ERR.InvalidParameterValue, { message: ALREADY_RUNNING });
        // Cancelled through the node that started (and runs) it; both nodes must see it ended
        // before the next round, or the next starts are refused by the records alone.
        const { TaskHandle } = settled[winner].value;
        await [n1, n2][winner].send('CancelMessageMoveTask', { TaskHandle });
        for (const N of [n1, n2]) {
          await eventually(async () => {
            const r = await N.send('ListMessageMoveTasks', { SourceArn: dlqArn, MaxResults: 1 });
            assert.equal(r.Results?.[0]?.Status, 'CANCELLED', `[${N.name}] round ${round} on ${N.endpoint}`);
          }, PROPAGATION);
        }
      }
    });
  });
}
