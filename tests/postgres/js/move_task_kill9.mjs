// kill -9 of the node that runs a message move task (run by two_nodes.sh, not by node --test):
//
//   node js/move_task_kill9.mjs start <state-file>
//     Creates a dead-letter queue (of a source queue) and a destination through node 1, puts 150
//     messages in the dead-letter queue and starts a task moving them at 20 a second through
//     node 1; returns once the task has moved some (so a node holds its lease), writing the
//     queues to <state-file>. two_nodes.sh then finds the lease's holder and SIGKILLs it.
//   WHARF_SURVIVOR=<url> node js/move_task_kill9.mjs finish <state-file>
//     Through the node still alive: the task must end COMPLETED (taken over once the dead
//     runner's lease expired, about 12 s), and every message must be in the destination exactly
//     once (none lost, none doubled), none left in the dead-letter queue. The moved count goes on
//     from the last one stored, so it may miss what the dead node moved in its last second.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { JsonSdk } from '../../integration/js/helpers.mjs';
import { Client, NODE1, queueName, counters, sleep } from './nodes.mjs';

const COUNT = 150;
const log = (...a) => console.log('move_task_kill9:', ...a);
const arnOf = (name) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

async function latest(C, SourceArn) {
  const r = await C.send('ListMessageMoveTasks', { SourceArn, MaxResults: 10 });
  assert.equal(r.Results?.length, 1);
  return r.Results[0];
}

async function start(stateFile) {
  const n1 = new Client('json', JsonSdk, NODE1);
  const create = async (prefix, Attributes) =>
    (await n1.send('CreateQueue', { QueueName: queueName(prefix, 'json'), ...(Attributes ? { Attributes } : {}) })).QueueUrl;
  const dlqUrl = await create('mtk-dlq');
  const dlqArn = arnOf(dlqUrl.split('/').pop());
  const srcUrl = await create('mtk-src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) });
  const destUrl = await create('mtk-dest');
  for (let b = 0; b < COUNT / 10; b++) {
    const Entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `mtk-${b * 10 + i}` }));
    const r = await n1.send('SendMessageBatch', { QueueUrl: dlqUrl, Entries });
    assert.equal(r.Failed?.length ?? 0, 0);
  }
  await n1.send('StartMessageMoveTask', {
    SourceArn: dlqArn, DestinationArn: arnOf(destUrl.split('/').pop()), MaxNumberOfMessagesPerSecond: 20,
  });
  for (let i = 0; ; i++) {
    const t = await latest(n1, dlqArn);
    assert.equal(t.Status, 'RUNNING');
    if (t.ApproximateNumberOfMessagesMoved >= 10) break;
    assert.ok(i < 100, `the task has not started moving within 10 s (${JSON.stringify(t)})`);
    await sleep(100);
  }
  writeFileSync(stateFile, JSON.stringify({ srcUrl, dlqUrl, dlqArn, destUrl }));
  log('running, moved', (await latest(n1, dlqArn)).ApproximateNumberOfMessagesMoved);
}

async function finish(stateFile) {
  const { srcUrl, dlqUrl, dlqArn, destUrl } = JSON.parse(readFileSync(stateFile, 'utf8'));
  const survivor = process.env.WHARF_SURVIVOR;
  assert.ok(survivor, 'WHARF_SURVIVOR is not set');
  const C = new Client('json', JsonSdk, survivor);
  const t0 = Date.now();
  let task;
  for (;;) {
    // The survivor reads the shared task records every second: a task started less than a
    // second before the kill may not be on it yet.
    const listed = await C.send('ListMessageMoveTasks', { SourceArn: dlqArn, MaxResults: 10 });
    if (!listed.Results?.length) {
      assert.ok(Date.now() - t0 < 10000, 'the survivor does not list the task after 10 s');
      await sleep(250);
      continue;
    }
    task = await latest(C, dlqArn);
    if (task.Status !== 'RUNNING') break;
    assert.ok(Date.now() - t0 < 60000, `still RUNNING after 60 s: ${JSON.stringify(task)}`);
    await sleep(250);
  }
  log(`ended ${task.Status} after ${Date.now() - t0} ms, moved ${task.ApproximateNumberOfMessagesMoved}`);
  assert.equal(task.Status, 'COMPLETED');
  assert.ok(task.ApproximateNumberOfMessagesMoved > 0 && task.ApproximateNumberOfMessagesMoved <= COUNT);
  assert.deepEqual(await counters(C, dlqUrl), { visible: 0, notVisible: 0, delayed: 0 });
  const bodies = new Map();
  for (let i = 0; i < 200 && bodies.size < COUNT; i++) {
    const r = await C.send('ReceiveMessage', { QueueUrl: destUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 });
    for (const m of r.Messages ?? []) {
      assert.ok(!bodies.has(m.Body), `${m.Body} is in the destination twice`);
      bodies.set(m.Body, m.MessageId);
    }
    if (!(r.Messages?.length)) await sleep(50);
  }
  assert.equal(bodies.size, COUNT, 'every message reached the destination');
  for (let i = 0; i < COUNT; i++) assert.ok(bodies.has(`mtk-${i}`), `mtk-${i} is missing`);
  const r = await C.send('ReceiveMessage', { QueueUrl: destUrl, MaxNumberOfMessages: 10 });
  assert.deepEqual(r.Messages ?? [], [], 'nothing more in the destination');
  for (const url of [srcUrl, dlqUrl, destUrl]) await C.send('DeleteQueue', { QueueUrl: url }).catch(() => {});
}

const [mode, stateFile] = process.argv.slice(2);
assert.ok(stateFile, 'usage: move_task_kill9.mjs start|finish <state-file>');
if (mode === 'start') await start(stateFile);
else if (mode === 'finish') await finish(stateFile);
else throw new Error(`unknown mode ${mode}`);
