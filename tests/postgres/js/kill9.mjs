// kill -9 under load loses nothing (run by two_nodes.sh, not by node --test):
//
//   node js/kill9.mjs load            WHARF_NODE1_PID = node 1's pid
//     Creates a queue on node 2; 6 SendMessage loops and 2 SendMessageBatch loops send to node 1
//     with both SDKs (no retries: an answered request is an acknowledged one) and record every
//     acknowledged MessageId; after at least 1 s and 200 acknowledged messages node 1 gets SIGKILL.
//     Then everything is received and deleted through node 2: every acknowledged id must come
//     back (lost 0), none twice. Messages sent but not answered before the kill may or may not
//     have been stored; they are counted, not judged. The queue is left for the next step.
//   node js/kill9.mjs after-restart   node 1 restarted on its port
//     Node 1 serves again: it finds the queue of the load step, and messages go from node 1 to
//     node 2 and back, with both SDKs; then the queue is deleted.

import assert from 'node:assert/strict';
import { JsonSdk, QuerySdk } from '../../integration/js/helpers.mjs';
import { Client, NODE1, NODE2, queueName, receiveUntil, counters, sleep } from './nodes.mjs';

const PREFIX = 'pg2-kill9-';
const log = (...a) => console.log('kill9:', ...a);

async function load() {
  const pid = Number(process.env.WHARF_NODE1_PID);
  assert.ok(pid > 0, 'WHARF_NODE1_PID is not set');
  const n2 = new Client('json', JsonSdk, NODE2);
  const url = (await n2.send('CreateQueue', { QueueName: queueName('kill9', 'load') })).QueueUrl;
  // Node 1 sees the new queue before the load starts (a failure then would not be the kill's).
  const probe = new Client('json', JsonSdk, NODE1);
  for (let i = 0; ; i++) {
    try {
      await probe.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['QueueArn'] });
      break;
    } catch (e) {
      if (i >= 30) throw e;
      await sleep(100);
    }
  }

  const acked = new Set();
  const bodies = new Map(); // MessageId → body, to check what comes back
  let killedAt = 0; // Date.now() of the kill
  const errorsBeforeKill = [];
  const errorsAfterKill = new Map(); // error name → count
  let attempted = 0;

  const sender = async (index, sdk, batch) => {
    const C = new Client(sdk === JsonSdk ? 'json' : 'query', sdk, NODE1, { maxAttempts: 1 });
    for (let n = 0; ; n++) {
      const body = `s${index}-${n}`;
      try {
        if (batch) {
          const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `${body}-${i}` }));
          attempted += 10;
          const r = await C.send('SendMessageBatch', { QueueUrl: url, Entries: entries });
          assert.equal(r.Failed?.length ?? 0, 0, JSON.stringify(r.Failed));
          for (const s of r.Successful) {
            acked.add(s.MessageId);
            bodies.set(s.MessageId, `${body}-${s.Id.slice(1)}`);
          }
        } else {
          attempted += 1;
          const r = await C.send('SendMessage', { QueueUrl: url, MessageBody: body });
          acked.add(r.MessageId);
          bodies.set(r.MessageId, body);
        }
      } catch (e) {
        if (!killedAt) {
          errorsBeforeKill.push(`${C.name}: ${e.name}: ${e.message}`);
        } else {
          const what = e.code ?? e.name;
          errorsAfterKill.set(what, (errorsAfterKill.get(what) ?? 0) + 1);
        }
        C.destroy();
        return;
      }
    }
  };

  const t0 = Date.now();
  const senders = [
    ...Array.from({ length: 6 }, (_, i) => sender(i, i % 2 ? QuerySdk : JsonSdk, false)),
    sender(6, JsonSdk, true),
    sender(7, QuerySdk, true),
  ];
  while ((Date.now() - t0 < 1000 || acked.size < 200) && Date.now() - t0 < 15000 && errorsBeforeKill.length === 0) {
    await sleep(20);
  }
  assert.deepEqual(errorsBeforeKill, [], 'sends failed before node 1 was killed');
  const ackedAtKill = acked.size;
  killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  log(`SIGKILL to node 1 (pid ${pid}) after ${killedAt - t0} ms, ${ackedAtKill} messages acknowledged`);
  await Promise.all(senders);
  log(`senders stopped: ${acked.size} acknowledged of ${attempted} attempted; errors after the kill: ` +
    JSON.stringify(Object.fromEntries(errorsAfterKill)));
  assert.ok(acked.size >= 200, `too little load before the kill: ${acked.size} acknowledged`);
  assert.equal(errorsAfterKill.size > 0, true, 'no send failed: was node 1 killed?');

  // Everything through node 2: receive (a long visibility timeout, so nothing comes twice) and delete.
  const received = new Map();
  const consumers = [new Client('json', JsonSdk, NODE2), new Client('query', QuerySdk, NODE2)];
  const deadline = Date.now() + 30000;
  let emptyRounds = 0;
  while (Date.now() < deadline && emptyRounds < 3) {
    const got = (await Promise.all(consumers.map((C) =>
      receiveUntil(C, url, 100, { timeoutMs: 200, VisibilityTimeout: 300 })))).flat();
    if (got.length === 0) {
      // Done once every acknowledged id is back and the queue is empty (counters agree).
      const c = await counters(consumers[0], url);
      if (c.visible + c.notVisible + c.delayed === 0 && [...acked].every((id) => received.has(id))) emptyRounds++;
      continue;
    }
    emptyRounds = 0;
    for (const m of got) {
      assert.ok(!received.has(m.MessageId), `${m.MessageId} received twice`);
      received.set(m.MessageId, m);
      if (bodies.has(m.MessageId)) assert.equal(m.Body, bodies.get(m.MessageId), m.MessageId);
    }
    for (let i = 0; i < got.length; i += 10) {
      const d = await consumers[1].send('DeleteMessageBatch', {
        QueueUrl: url,
        Entries: got.slice(i, i + 10).map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle })),
      });
      assert.equal(d.Failed?.length ?? 0, 0, JSON.stringify(d.Failed));
    }
  }
  const lost = [...acked].filter((id) => !received.has(id));
  const unacked = [...received.keys()].filter((id) => !acked.has(id));
  log(`received and deleted through node 2: ${received.size}; acknowledged ${acked.size}, ` +
    `lost ${lost.length}, stored but unacknowledged (in flight at the kill) ${unacked.length}`);
  assert.deepEqual(lost, [], `${lost.length} acknowledged messages lost`);
  assert.deepEqual(await counters(consumers[0], url), { visible: 0, notVisible: 0, delayed: 0 });
  for (const C of [n2, probe, ...consumers]) C.destroy();
}

async function afterRestart() {
  for (const [name, sdk] of [['json', JsonSdk], ['query', QuerySdk]]) {
    const n1 = new Client(name, sdk, NODE1);
    const n2 = new Client(name, sdk, NODE2);
    const listed = await n1.send('ListQueues', { QueueNamePrefix: PREFIX });
    assert.equal(listed.QueueUrls?.length, 1, `[${name}] the load step's queue on node 1: ${JSON.stringify(listed.QueueUrls)}`);
    const url = listed.QueueUrls[0];
    const a = await n1.send('SendMessage', { QueueUrl: url, MessageBody: `after restart ${name} 1→2` });
    const m = (await receiveUntil(n2, url, 1))[0];
    assert.equal(m?.MessageId, a.MessageId, `[${name}] node 1 → node 2`);
    await n1.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
    const b = await n2.send('SendMessage', { QueueUrl: url, MessageBody: `after restart ${name} 2→1` });
    const m2 = (await receiveUntil(n1, url, 1))[0];
    assert.equal(m2?.MessageId, b.MessageId, `[${name}] node 2 → node 1`);
    await n2.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m2.ReceiptHandle });
    assert.deepEqual(await counters(n1, url), { visible: 0, notVisible: 0, delayed: 0 });
    // A new queue on the restarted node works too.
    const q = (await n1.send('CreateQueue', { QueueName: queueName('restart', name) })).QueueUrl;
    await n1.send('SendMessage', { QueueUrl: q, MessageBody: 'new' });
    assert.equal((await receiveUntil(n1, q, 1))[0]?.Body, 'new');
    await n1.send('DeleteQueue', { QueueUrl: q });
    if (name === 'query') await n1.send('DeleteQueue', { QueueUrl: url });
    log(`[${name}] node 1 serves again after the restart`);
    n1.destroy();
    n2.destroy();
  }
}

const mode = process.argv[2];
if (mode === 'load') await load();
else if (mode === 'after-restart') await afterRestart();
else {
  console.error('usage: node kill9.mjs load|after-restart');
  process.exit(2);
}
