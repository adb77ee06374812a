// kill -9 of a node that owes SNS deliveries loses none (run by two_nodes.sh, not by node --test):
//
//   node js/sns_kill9.mjs            WHARF_NODE1_PID = node 1's pid
//     Through node 2: a topic and 8 queues subscribed to it with raw delivery (each queue's
//     policy admits the topic). Once node 1 delivers a probe to every queue (it has read the
//     subscriptions), Publish and PublishBatch loops publish to node 1 (no retries: an answered
//     request is an acknowledged one) and record every acknowledged body; after at least 1 s and
//     300 acknowledged publications node 1 gets SIGKILL. A publish is acknowledged once it is in
//     node 1's outbox, before its 8 deliveries are made, so some are still owed at the kill.
//     Node 2 adopts node 1's outbox once node 1's lease has expired (15 s) and delivers them:
//     every acknowledged body must reach every queue (lost 0; a delivery made both by node 1
//     just before the kill and by node 2 is a duplicate, counted, allowed: SNS delivers at least
//     once). Everything is received and deleted through node 2; queues and topic are deleted.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { JsonSdk, randomSuffix } from '../../integration/js/helpers.mjs';
import { Client, NODE1, NODE2, receiveUntil, sleep } from './nodes.mjs';

const require = createRequire(new URL('../../integration/package.json', import.meta.url));
const Sns = require('@aws-sdk/client-sns');

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const QUEUES = 8;
const log = (...a) => console.log('sns_kill9:', ...a);

function sns(endpoint) {
  const client = new Sns.SNSClient({
    endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1,
  });
  const call = (op, input = {}) => client.send(new Sns[`${op}Command`](input));
  call.destroy = () => client.destroy();
  return call;
}

const pid = Number(process.env.WHARF_NODE1_PID);
assert.ok(pid > 0, 'WHARF_NODE1_PID is not set');
const sns1 = sns(NODE1);
const sns2 = sns(NODE2);
const sqs2 = new Client('json', JsonSdk, NODE2);

const topic = (await sns2('CreateTopic', { Name: `pg2-sns-kill9-${randomSuffix(10)}` })).TopicArn;
const queues = [];
for (let i = 0; i < QUEUES; i++) {
  const name = `pg2-sns-kill9-${i}-${randomSuffix(8)}`;
  const Policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
      Condition: { ArnEquals: { 'aws:SourceArn': topic } },
    }],
  });
  const url = (await sqs2.send('CreateQueue', { QueueName: name, Attributes: { Policy } })).QueueUrl;
  await sns2('Subscribe', {
    TopicArn: topic, Protocol: 'sqs', Endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
    Attributes: { RawMessageDelivery: 'true' },
  });
  queues.push(url);
}

// Receives and deletes through node 2 until every body of `wanted` is in every queue or the
// time is up; returns, per queue, how many times each body came.
const seen = queues.map(() => new Map());
async function drain(wanted, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const complete = () => seen.every((m) => [...wanted].every((b) => m.has(b)));
  while (!complete() && Date.now() < deadline) {
    let any = false;
    await Promise.all(queues.map(async (url, q) => {
      const got = await receiveUntil(sqs2, url, 100, { timeoutMs: 200, VisibilityTimeout: 300 });
      if (got.length > 0) any = true;
      for (const m of got) seen[q].set(m.Body, (seen[q].get(m.Body) ?? 0) + 1);
      for (let i = 0; i < got.length; i += 10) {
        const d = await sqs2.send('DeleteMessageBatch', {
          QueueUrl: url,
          Entries: got.slice(i, i + 10).map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle })),
        });
        assert.equal(d.Failed?.length ?? 0, 0, JSON.stringify(d.Failed));
      }
    }));
    if (!any) await sleep(200);
  }
  return complete();
}

// Node 1 knows the subscriptions once it delivers a publish to all of them.
let probed = false;
for (let attempt = 0; attempt < 20 && !probed; attempt++) {
  const body = `probe-${attempt}`;
  await sns1('Publish', { TopicArn: topic, Message: body });
  probed = await drain(new Set([body]), 2000);
}
assert.ok(probed, 'node 1 never delivered a probe to every queue');
for (const m of seen) m.clear();

const acked = new Set();
let killedAt = 0;
const errorsBeforeKill = [];
let errorsAfterKill = 0;
const publisher = async (index, batch) => {
  for (let n = 0; ; n++) {
    const body = `p${index}-${n}`;
    try {
      if (batch) {
        const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, Message: `${body}-${i}` }));
        const r = await sns1('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: entries });
        assert.equal(r.Failed?.length ?? 0, 0, JSON.stringify(r.Failed));
        for (const s of r.Successful) acked.add(`${body}-${s.Id.slice(1)}`);
      } else {
        await sns1('Publish', { TopicArn: topic, Message: body });
        acked.add(body);
      }
    } catch (e) {
      if (!killedAt) errorsBeforeKill.push(`${e.name}: ${e.message}`);
      else errorsAfterKill++;
      return;
    }
  }
};
const t0 = Date.now();
const publishers = [0, 1, 2, 3].map((i) => publisher(i, i >= 2));
while ((Date.now() - t0 < 1000 || acked.size < 300) && Date.now() - t0 < 15000 && errorsBeforeKill.length === 0) {
  await sleep(20);
}
assert.deepEqual(errorsBeforeKill, [], 'publishes failed before node 1 was killed');
killedAt = Date.now();
process.kill(pid, 'SIGKILL');
await Promise.all(publishers);
log(`SIGKILL to node 1 (pid ${pid}) after ${killedAt - t0} ms; ${acked.size} publications acknowledged; ` +
  `${errorsAfterKill} publishes failed after the kill`);
assert.ok(acked.size >= 300, `too little load before the kill: ${acked.size} acknowledged`);
assert.ok(errorsAfterKill > 0, 'no publish failed: was node 1 killed?');

// What node 1 delivered before it died arrives at once; the rest only after node 2 adopts.
const complete = await drain(acked, 3000);
const owedAtKill = seen.reduce((n, m) => n + [...acked].filter((b) => !m.has(b)).length, 0);
log(`deliveries missing 3 s after the kill: ${owedAtKill} of ${acked.size * QUEUES}`);
const done = complete || (await drain(acked, 60000));
const lost = seen.map((m) => [...acked].filter((b) => !m.has(b)).length);
const duplicates = seen.reduce((n, m) => n + [...m.values()].filter((c) => c > 1).length, 0);
log(`${Date.now() - killedAt} ms after the kill (node 2 adopts node 1's outbox once its lease expired): lost per queue ` +
  `${JSON.stringify(lost)}, duplicates ${duplicates}`);
assert.ok(done, `deliveries lost: ${JSON.stringify(lost)} per queue`);

for (const url of queues) await sqs2.send('DeleteQueue', { QueueUrl: url });
await sns2('DeleteTopic', { TopicArn: topic });
for (const c of [sns1, sns2, sqs2]) c.destroy();
if (owedAtKill === 0) log('note: node 1 had delivered everything before the kill (nothing was owed)');
