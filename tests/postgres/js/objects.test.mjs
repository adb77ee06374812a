// IAM identities, KMS keys and SNS topics/subscriptions are shared by the nodes through
// PostgreSQL: what one node creates, changes or deletes, the other serves within about a second
// (a LISTEN notification, or the 1 s poll as the fallback). Before this, each node kept them in
// its own --data-dir and a write through the load balancer existed on one node only.
//
// - IAM: a user, access key and inline policy created on node 1 sign SQS requests on node 2
//   (both SQS protocols) and STS GetCallerIdentity; ListUsers on node 2 lists the user; the policy
//   deleted on node 2 → node 1 answers AccessDenied; the key deleted on node 2 → node 1 answers
//   InvalidClientTokenId "The security token included in the request is invalid." (as for an
//   unknown key, tests/integration/js/access.test.mjs).
// - KMS: a key and alias created on node 1 → DescribeKey by alias on node 2; Encrypt on one node,
//   Decrypt on the other (both ways); DisableKey on node 2 → node 1 sees KeyState Disabled and
//   refuses Encrypt with DisabledException.
// - SNS: a topic created on node 1 is listed on node 2; a raw-delivery SQS subscription made on
//   node 2 delivers what node 1 publishes; Unsubscribe on node 1 → node 2 stops delivering;
//   DeleteTopic on node 2 → node 1 answers NotFound "Topic does not exist".
//
// Every change propagates asynchronously, so the other node is polled (eventually, up to 10 s)
// until it shows the exact final state. Names are unique per run; every test cleans up after
// itself.
// - SSE-KMS queues: a body sealed on node 1 opens on node 2 (the data-key record read from the
//   data_key table), also after node 2's receive dead-lettered it into a queue with another key.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  ERR, JsonSdk, errorCode, errorMessage, expectSqsError, randomSuffix,
} from '../../integration/js/helpers.mjs';
import { PAIRS, Client, NODE1, NODE2, Queues, eventually, receiveOne, assertNothing, sleep } from './nodes.mjs';

// The SDKs come from tests/integration/node_modules, as in helpers.mjs.
const require = createRequire(new URL('../../integration/package.json', import.meta.url));
const Iam = require('@aws-sdk/client-iam');
const Sts = require('@aws-sdk/client-sts');
const Kms = require('@aws-sdk/client-kms');
const Sns = require('@aws-sdk/client-sns');

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };
const PROPAGATION = { timeoutMs: 10000 }; // "about 1 s", with room for a busy machine

// A client of one AWS service on one node; call(op, input) sends `${op}Command`.
function service(sdk, Client_, endpoint, credentials = ROOT) {
  const client = new sdk[Client_]({ endpoint, region: REGION, credentials, maxAttempts: 1 });
  const call = (op, input = {}) => client.send(new sdk[`${op}Command`](input));
  call.endpoint = endpoint;
  call.destroy = () => client.destroy();
  return call;
}
const iam = (endpoint) => service(Iam, 'IAMClient', endpoint);
const sts = (endpoint, credentials) => service(Sts, 'STSClient', endpoint, credentials);
const kms = (endpoint) => service(Kms, 'KMSClient', endpoint);
const sns = (endpoint) => service(Sns, 'SNSClient', endpoint);

const quiet = (p) => p.catch(() => {});

// Awaits a call that must fail with the given error: the error code (Query protocols: IAM, STS,
// SNS; the SDK's error name for KMS's JSON), HTTP status and, when given, the exact message.
async function rejectsWith(promise, name, status, message) {
  let error;
  try {
    const result = await promise;
    assert.fail(`expected ${name}, but the call succeeded: ${JSON.stringify(result, (k, v) => (k === '$metadata' ? undefined : v))}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    error = e;
  }
  const where = `${name}: got name=${error?.name} Code=${errorCode(error)} ` +
    `status=${error?.$metadata?.httpStatusCode} message=${JSON.stringify(errorMessage(error))}`;
  assert.ok(error?.$metadata, `${where}: not a service error (${error?.stack ?? error})`);
  assert.equal(errorCode(error) ?? error.name, name, `${where}: wrong code`);
  assert.equal(error.$metadata.httpStatusCode, status, `${where}: wrong HTTP status`);
  if (message instanceof RegExp) assert.match(errorMessage(error) ?? '', message, `${where}: wrong message`);
  else if (message !== undefined) assert.equal(errorMessage(error), message, `${where}: wrong message`);
  return error;
}

const allowAllSqs = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }],
});

describe('IAM identities shared by the nodes', () => {
  const iam1 = iam(NODE1);
  const iam2 = iam(NODE2);
  const userName = `pg2-user-${randomSuffix(10)}`;
  let accessKeyId;
  const queueUrls = [];

  after(async () => {
    const root = new Client('json', JsonSdk, NODE1);
    for (const url of queueUrls) await quiet(root.send('DeleteQueue', { QueueUrl: url }));
    root.destroy();
    await quiet(iam1('DeleteUserPolicy', { UserName: userName, PolicyName: 'sqs-all' }));
    if (accessKeyId) await quiet(iam1('DeleteAccessKey', { UserName: userName, AccessKeyId: accessKeyId }));
    await quiet(iam1('DeleteUser', { UserName: userName }));
  });

  test('a user, key and policy made on node 1 work on node 2; deleted on node 2, refused on node 1', async () => {
    await iam1('CreateUser', { UserName: userName, Path: '/pg2/' });
    const created = await iam1('CreateAccessKey', { UserName: userName });
    accessKeyId = created.AccessKey.AccessKeyId;
    const key = { accessKeyId, secretAccessKey: created.AccessKey.SecretAccessKey };
    await iam1('PutUserPolicy', { UserName: userName, PolicyName: 'sqs-all', PolicyDocument: allowAllSqs });

    // Node 2 lists the user and knows who the key belongs to.
    await eventually(async () => {
      const listed = await iam2('ListUsers', { PathPrefix: '/pg2/' });
      const me = (listed.Users ?? []).filter((u) => u.UserName === userName);
      assert.equal(me.length, 1, `node 2 does not list ${userName}`);
      assert.equal(me[0].Arn, `arn:aws:iam::${ACCOUNT}:user/pg2/${userName}`);
      assert.equal(me[0].Path, '/pg2/');
    }, PROPAGATION);
    const who = await eventually(() => sts(NODE2, key)('GetCallerIdentity'), PROPAGATION);
    assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/pg2/${userName}`);
    assert.equal(who.Account, ACCOUNT);
    const policy = await eventually(() => iam2('GetUserPolicy', { UserName: userName, PolicyName: 'sqs-all' }),
      PROPAGATION);
    assert.equal(decodeURIComponent(policy.PolicyDocument), allowAllSqs);

    // SQS with the new key on node 2 (the policy allows sqs:*), and back on node 1; both protocols.
    const users = PAIRS.map(({ name, n1 }) => ({
      name,
      u1: new Client(name, n1.sdk, NODE1, { credentials: key, maxAttempts: 1 }),
      u2: new Client(name, n1.sdk, NODE2, { credentials: key, maxAttempts: 1 }),
    }));
    try {
      for (const { name, u1, u2 } of users) {
        const q = `pg2-iam-${name}-${randomSuffix(10)}`;
        const { QueueUrl: url } = await eventually(() => u2.send('CreateQueue', { QueueName: q }), PROPAGATION);
        queueUrls.push(url);
        assert.equal(url, `${NODE2}/${ACCOUNT}/${q}`);
        await u2.send('SendMessage', { QueueUrl: url, MessageBody: `signed by ${userName} on node 2` });
        await eventually(() => u1.send('GetQueueUrl', { QueueName: q }), PROPAGATION); // node 1's queue cache
        const m = await receiveOne(u1, url);
        assert.equal(m.Body, `signed by ${userName} on node 2`);
        await u1.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
      }

      // The policy deleted on node 2: node 1 denies (the key itself is still valid).
      await iam2('DeleteUserPolicy', { UserName: userName, PolicyName: 'sqs-all' });
      for (const { u1 } of users) {
        await eventually(() => expectSqsError(u1, u1.send('SendMessage', { QueueUrl: queueUrls[0], MessageBody: 'x' }),
          ERR.AccessDenied), PROPAGATION);
      }
      const policies = await iam1('ListUserPolicies', { UserName: userName });
      assert.deepEqual(policies.PolicyNames ?? [], []);

      // The key deleted on node 2: node 1 no longer knows it, as for a key that never existed.
      await iam2('DeleteAccessKey', { UserName: userName, AccessKeyId: accessKeyId });
      for (const { u1 } of users) {
        await eventually(() => expectSqsError(u1, u1.send('ListQueues', {}), ERR.InvalidClientTokenId, {
          message: 'The security token included in the request is invalid.',
        }), PROPAGATION);
      }
      await rejectsWith(sts(NODE1, key)('GetCallerIdentity'), 'InvalidClientTokenId', 403);
      const keys = await iam1('ListAccessKeys', { UserName: userName });
      assert.deepEqual(keys.AccessKeyMetadata ?? [], []);
      accessKeyId = undefined;
    } finally {
      for (const { u1, u2 } of users) {
        u1.destroy();
        u2.destroy();
      }
    }
  });

  test('a user deleted on node 1 is gone on node 2', async () => {
    const name = `pg2-gone-${randomSuffix(10)}`;
    await iam1('CreateUser', { UserName: name });
    try {
      await eventually(async () => assert.equal((await iam2('GetUser', { UserName: name })).User.UserName, name),
        PROPAGATION);
      await iam1('DeleteUser', { UserName: name });
      await eventually(() => rejectsWith(iam2('GetUser', { UserName: name }), 'NoSuchEntity', 404,
        `The user with name ${name} cannot be found.`), PROPAGATION);
      const listed = await iam2('ListUsers', {});
      assert.deepEqual((listed.Users ?? []).filter((u) => u.UserName === name), []);
    } finally {
      await quiet(iam1('DeleteUser', { UserName: name }));
    }
  });
});

describe('KMS keys shared by the nodes', () => {
  const kms1 = kms(NODE1);
  const kms2 = kms(NODE2);
  const bytes = (text) => new TextEncoder().encode(text);
  const text = (array) => new TextDecoder().decode(array);
  const keys = [];
  const aliases = [];

  after(async () => {
    for (const a of aliases) await quiet(kms1('DeleteAlias', { AliasName: a }));
    for (const k of keys) await quiet(kms1('ScheduleKeyDeletion', { KeyId: k, PendingWindowInDays: 7 }));
  });

  async function createKey(description) {
    const alias = `alias/pg2-kms-${randomSuffix(10)}`;
    const { KeyMetadata: m } = await kms1('CreateKey', { Description: description });
    keys.push(m.KeyId);
    await kms1('CreateAlias', { AliasName: alias, TargetKeyId: m.KeyId });
    aliases.push(alias);
    return { keyId: m.KeyId, arn: m.Arn, alias };
  }

  test('a key and alias made on node 1: DescribeKey, Encrypt and Decrypt across the nodes', async () => {
    const { keyId, arn, alias } = await createKey('pg2 shared key');
    assert.equal(arn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`);

    const { KeyMetadata: m } = await eventually(() => kms2('DescribeKey', { KeyId: alias }), PROPAGATION);
    assert.equal(m.KeyId, keyId);
    assert.equal(m.Arn, arn);
    assert.equal(m.AWSAccountId, ACCOUNT);
    assert.equal(m.Description, 'pg2 shared key');
    assert.equal(m.KeyState, 'Enabled');
    assert.equal(m.Enabled, true);
    assert.equal(m.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(m.KeyUsage, 'ENCRYPT_DECRYPT');
    const listed = await kms2('ListAliases', { KeyId: keyId });
    assert.deepEqual((listed.Aliases ?? []).map((a) => [a.AliasName, a.TargetKeyId]), [[alias, keyId]]);

    // Node 1 encrypts, node 2 decrypts (the key material is the same on both), and back.
    const context = { purpose: 'pg2' };
    const sealed = await kms1('Encrypt', { KeyId: alias, Plaintext: bytes('sealed on node 1 ü'), EncryptionContext: context });
    assert.equal(sealed.KeyId, arn);
    const opened = await kms2('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context });
    assert.equal(text(opened.Plaintext), 'sealed on node 1 ü');
    assert.equal(opened.KeyId, arn);
    const back = await kms2('Encrypt', { KeyId: alias, Plaintext: bytes('sealed on node 2') });
    assert.equal(back.KeyId, arn);
    assert.equal(text((await kms1('Decrypt', { CiphertextBlob: back.CiphertextBlob })).Plaintext), 'sealed on node 2');
    const dk = await kms2('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' });
    assert.deepEqual(Buffer.from((await kms1('Decrypt', { CiphertextBlob: dk.CiphertextBlob })).Plaintext),
      Buffer.from(dk.Plaintext));
  });

  test('an SSE-KMS queue: sealed on node 1, opened on node 2, also dead-lettered into another key', async () => {
    const { alias } = await createKey('pg2 sse queue key');
    const { arn: dlqKeyArn } = await createKey('pg2 sse dead-letter key');
    await eventually(() => kms2('DescribeKey', { KeyId: alias }), PROPAGATION);
    await eventually(() => kms2('DescribeKey', { KeyId: dlqKeyArn }), PROPAGATION);
    for (const { name, n1, n2 } of PAIRS) {
      const queues = new Queues(n1);
      try {
        const dlq = await queues.create('sse-dlq', { KmsMasterKeyId: dlqKeyArn });
        const src = await queues.create('sse', {
          KmsMasterKeyId: alias,
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${dlq.name}`,
            maxReceiveCount: 1,
          }),
        });
        const body = `sealed on node 1 \u00fc ${name}`;
        const sent = await n1.send('SendMessage', { QueueUrl: src.url, MessageBody: body });
        const first = await receiveOne(n2, src.url, { VisibilityTimeout: 0 });
        assert.equal(first.Body, body, `[${name}] opened on node 2`);
        // Past maxReceiveCount: node 2's next receive moves it, still sealed, to the DLQ.
        const dead = await eventually(async () => {
          await n2.send('ReceiveMessage', { QueueUrl: src.url, MaxNumberOfMessages: 10 });
          return receiveOne(n1, dlq.url, { timeoutMs: 500 });
        }, PROPAGATION);
        assert.equal(dead.MessageId, sent.MessageId);
        assert.equal(dead.Body, body, `[${name}] opened from the DLQ on node 1`);
      } finally {
        await queues.cleanup();
      }
    }
  });

  test('a key disabled on node 2 is disabled on node 1', async () => {
    const { keyId, arn, alias } = await createKey('pg2 disabled key');
    const blob = (await kms1('Encrypt', { KeyId: keyId, Plaintext: bytes('before') })).CiphertextBlob;
    await eventually(() => kms2('DescribeKey', { KeyId: keyId }), PROPAGATION);
    await kms2('DisableKey', { KeyId: keyId });
    await eventually(async () => {
      const { KeyMetadata: m } = await kms1('DescribeKey', { KeyId: alias });
      assert.equal(m.KeyState, 'Disabled');
      assert.equal(m.Enabled, false);
    }, PROPAGATION);
    await rejectsWith(kms1('Encrypt', { KeyId: keyId, Plaintext: bytes('x') }), 'DisabledException', 400,
      `${arn} is disabled.`);
    await rejectsWith(kms1('Decrypt', { CiphertextBlob: blob }), 'DisabledException', 400);
    await kms1('EnableKey', { KeyId: keyId });
    const reopened = await eventually(() => kms2('Decrypt', { CiphertextBlob: blob }), PROPAGATION);
    assert.equal(text(reopened.Plaintext), 'before');
  });
});

describe('SNS topics and subscriptions shared by the nodes', () => {
  const sns1 = sns(NODE1);
  const sns2 = sns(NODE2);
  const sqs1 = PAIRS[0].n1; // queues through one SQS client (MD5 validation on)
  const sqs2 = PAIRS[0].n2;
  const topicArn = (name) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
  const queueArn = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
  const topics = [];
  const queueUrls = [];

  after(async () => {
    for (const arn of topics) await quiet(sns1('DeleteTopic', { TopicArn: arn }));
    for (const url of queueUrls) await quiet(sqs1.send('DeleteQueue', { QueueUrl: url }));
  });

  async function listTopics(call) {
    const arns = [];
    let NextToken;
    do {
      const page = await call('ListTopics', { NextToken });
      arns.push(...(page.Topics ?? []).map((t) => t.TopicArn));
      NextToken = page.NextToken;
    } while (NextToken);
    return arns;
  }

  // A queue (created on `C`'s node) whose policy lets `topic` send to it (sns-fanout.md §7.1).
  async function queueFor(C, prefix, topic) {
    const name = `pg2-${prefix}-${randomSuffix(10)}`;
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn(name),
        Condition: { ArnEquals: { 'aws:SourceArn': topic } },
      }],
    });
    const { QueueUrl: url } = await C.send('CreateQueue', { QueueName: name, Attributes: { Policy } });
    queueUrls.push(url);
    return { name, url };
  }

  test('a topic made on node 1, subscribed on node 2, published on node 1, unsubscribed and deleted', async () => {
    const name = `pg2-topic-${randomSuffix(10)}`;
    const { TopicArn: arn } = await sns1('CreateTopic', { Name: name, Attributes: { DisplayName: 'Shared' } });
    topics.push(arn);
    assert.equal(arn, topicArn(name));

    // Node 2 lists it and has its attributes.
    await eventually(async () => assert.deepEqual((await listTopics(sns2)).filter((t) => t === arn), [arn]),
      PROPAGATION);
    const attrs = (await sns2('GetTopicAttributes', { TopicArn: arn })).Attributes;
    assert.equal(attrs.TopicArn, arn);
    assert.equal(attrs.DisplayName, 'Shared');
    assert.equal(attrs.Owner, ACCOUNT);

    // Two queues, one made through each node, subscribed on node 2 with raw delivery: `kept` stays
    // subscribed and tells when a publish has been delivered; `dropped` is unsubscribed later.
    const kept = await queueFor(sqs1, 'sns-kept', arn);
    const dropped = await queueFor(sqs2, 'sns-dropped', arn);
    for (const C of [sqs1, sqs2]) { // both nodes deliver to both queues below
      for (const q of [kept, dropped]) await eventually(() => C.send('GetQueueUrl', { QueueName: q.name }), PROPAGATION);
    }
    const subscribe = async (q) => {
      const r = await sns2('Subscribe', {
        TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn(q.name),
        Attributes: { RawMessageDelivery: 'true' }, ReturnSubscriptionArn: true,
      });
      assert.ok(r.SubscriptionArn.startsWith(`${arn}:`), r.SubscriptionArn);
      return r.SubscriptionArn;
    };
    const keptSub = await subscribe(kept);
    const droppedSub = await subscribe(dropped);
    const expected = [
      { SubscriptionArn: droppedSub, Owner: ACCOUNT, Protocol: 'sqs', Endpoint: queueArn(dropped.name), TopicArn: arn },
      { SubscriptionArn: keptSub, Owner: ACCOUNT, Protocol: 'sqs', Endpoint: queueArn(kept.name), TopicArn: arn },
    ].sort((a, b) => a.SubscriptionArn.localeCompare(b.SubscriptionArn));
    const subscriptions = async (call) => ((await call('ListSubscriptionsByTopic', { TopicArn: arn })).Subscriptions ?? [])
      .sort((a, b) => a.SubscriptionArn.localeCompare(b.SubscriptionArn));

    // Node 1 knows both subscriptions (and their raw delivery) before it publishes.
    await eventually(async () => assert.deepEqual(await subscriptions(sns1), expected), PROPAGATION);
    const subAttrs = (await sns1('GetSubscriptionAttributes', { SubscriptionArn: droppedSub })).Attributes;
    assert.equal(subAttrs.RawMessageDelivery, 'true');
    assert.equal(subAttrs.PendingConfirmation, 'false');
    assert.equal(subAttrs.TopicArn, arn);

    const first = await sns1('Publish', { TopicArn: arn, Message: 'published on node 1 ü' });
    for (const q of [kept, dropped]) {
      const m = await receiveOne(sqs2, q.url);
      assert.equal(m.Body, 'published on node 1 ü'); // raw: the message itself, no envelope
      await sqs2.send('DeleteMessage', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle });
    }
    assert.ok(first.MessageId);

    // Unsubscribe on node 1: once node 2 no longer lists the subscription, its publishes do not
    // deliver to that queue (the kept queue shows the publish went through).
    await sns1('Unsubscribe', { SubscriptionArn: droppedSub });
    await eventually(async () => assert.deepEqual(await subscriptions(sns2),
      expected.filter((s) => s.SubscriptionArn === keptSub)), PROPAGATION);
    await rejectsWith(sns2('GetSubscriptionAttributes', { SubscriptionArn: droppedSub }), 'NotFound', 404,
      'Subscription does not exist');
    await sns2('Publish', { TopicArn: arn, Message: 'after the unsubscribe' });
    const m = await receiveOne(sqs1, kept.url);
    assert.equal(m.Body, 'after the unsubscribe');
    await sqs1.send('DeleteMessage', { QueueUrl: kept.url, ReceiptHandle: m.ReceiptHandle });
    await sleep(500);
    await assertNothing(sqs1, dropped.url);
    await assertNothing(sqs2, dropped.url);

    // DeleteTopic on node 2: node 1 answers NotFound and lists it no more.
    await sns2('DeleteTopic', { TopicArn: arn });
    await eventually(() => rejectsWith(sns1('GetTopicAttributes', { TopicArn: arn }), 'NotFound', 404,
      'Topic does not exist'), PROPAGATION);
    assert.deepEqual((await listTopics(sns1)).filter((t) => t === arn), []);
    await rejectsWith(sns1('Publish', { TopicArn: arn, Message: 'x' }), 'NotFound', 404, 'Topic does not exist');
    await assertNothing(sqs1, kept.url);
  });
});
