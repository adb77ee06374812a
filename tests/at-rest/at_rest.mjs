// The client side of the at-rest test (run.sh): writes queues, a queue policy, tags, messages
// with attributes and an IAM user policy, all carrying distinctive strings, and later reads every
// one of them back exactly.
//
//   node at_rest.mjs write  <endpoint> <run id> <expected.json>   create and send; save what to expect
//   node at_rest.mjs verify <endpoint> <expected.json>            read back and compare (any
//                                                                 number of times: receives
//                                                                 leave the messages visible)
//   node at_rest.mjs needles <expected.json>                      the strings no data file may hold
//
// Environment: AT_REST_KMS=0 leaves out the SSE-KMS queue (KmsMasterKeyId=alias/aws/sqs).

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';

// The AWS SDK installed for the integration tests (tests/integration/node_modules).
const require = createRequire(new URL('../integration/package.json', import.meta.url));
const sqs = require('@aws-sdk/client-sqs');
const iam = require('@aws-sdk/client-iam');
const sts = require('@aws-sdk/client-sts');
const sns = require('@aws-sdk/client-sns');

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';
const sqsClient = (endpoint) => new sqs.SQSClient({ endpoint, region, credentials });
const iamClient = (endpoint) => new iam.IAMClient({ endpoint, region, credentials });
const snsClient = (endpoint) => new sns.SNSClient({ endpoint, region, credentials });

// Every distinctive string starts with this marker and the run id, so it is found nowhere by chance.
const marker = (id, what) => `atrest-${id}-${what}`;

function queuesToWrite(id) {
  const queues = [
    { name: `at-rest-plain-${id}`, attributes: { SqsManagedSseEnabled: 'false' } },
    { name: `at-rest-sse-sqs-${id}`, attributes: { SqsManagedSseEnabled: 'true' } },
    {
      name: `at-rest-fifo-${id}.fifo`,
      attributes: { FifoQueue: 'true', SqsManagedSseEnabled: 'true' },
      fifo: true,
    },
  ];
  if (process.env.AT_REST_KMS !== '0') {
    queues.push({ name: `at-rest-sse-kms-${id}`, attributes: { KmsMasterKeyId: 'alias/aws/sqs' } });
  }
  return queues;
}

// Bodies of several sizes: with --body-memory-mb 1 the large ones are kept only on disk and read
// back through the store's read path.
function bodiesFor(id, queueIndex) {
  const out = [];
  for (let i = 0; i < 6; i++) {
    const text = marker(id, `body-q${queueIndex}-m${i}`);
    out.push(i < 3 ? text : text + ' ' + 'x'.repeat(96 * 1024) + ' ' + text + '-tail');
  }
  return out;
}

async function write(endpoint, id, expectedPath) {
  const client = sqsClient(endpoint);
  const expected = { id, queues: [], user: null };
  const queues = queuesToWrite(id);
  for (const [index, q] of queues.entries()) {
    const { QueueUrl } = await client.send(
      new sqs.CreateQueueCommand({ QueueName: q.name, Attributes: q.attributes }));
    const arn = `arn:aws:sqs:${region}:000000000000:${q.name}`;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{
        Sid: `AtRest${index}`,
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::000000000000:root' },
        Action: 'sqs:SendMessage',
        Resource: arn,
        Condition: { StringEquals: { 'aws:SourceArn': `arn:aws:sns:${region}:000000000000:${marker(id, `policy-q${index}`)}` } },
      }],
    });
    await client.send(new sqs.SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy } }));
    const tags = { [marker(id, `tagkey-q${index}`)]: marker(id, `tagvalue-q${index}`) };
    await client.send(new sqs.TagQueueCommand({ QueueUrl, Tags: tags }));
    const messages = [];
    for (const [m, body] of bodiesFor(id, index).entries()) {
      const attributes = {
        Note: { DataType: 'String', StringValue: marker(id, `attr-q${index}-m${m}`) },
        Blob: { DataType: 'Binary', BinaryValue: Buffer.from(marker(id, `binary-q${index}-m${m}`)) },
      };
      const input = { QueueUrl, MessageBody: body, MessageAttributes: attributes };
      if (q.fifo) {
        input.MessageGroupId = marker(id, `group-q${index}`);
        input.MessageDeduplicationId = marker(id, `dedup-q${index}-m${m}`);
      }
      const sent = await client.send(new sqs.SendMessageCommand(input));
      messages.push({
        id: sent.MessageId,
        body,
        attributes: {
          Note: attributes.Note.StringValue,
          Blob: attributes.Blob.BinaryValue.toString('base64'),
        },
        group: input.MessageGroupId ?? null,
        dedup: input.MessageDeduplicationId ?? null,
      });
    }
    expected.queues.push({ name: q.name, url: QueueUrl, policy, tags, messages, fifo: !!q.fifo });
  }

  const identity = iamClient(endpoint);
  const userName = `at-rest-user-${id}`;
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: 'AtRestUser',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:${region}:000000000000:${marker(id, 'iam-policy')}`,
    }],
  });
  await identity.send(new iam.CreateUserCommand({ UserName: userName }));
  await identity.send(new iam.PutUserPolicyCommand({
    UserName: userName, PolicyName: 'at-rest', PolicyDocument: document }));
  const { AccessKey } = await identity.send(new iam.CreateAccessKeyCommand({ UserName: userName }));
  expected.user = {
    name: userName, policyName: 'at-rest', document,
    accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey,
  };
  expected.sns = await writeSns(endpoint, id);
  writeFileSync(expectedPath, JSON.stringify(expected, null, 2));
}

// SNS: a topic (display name, tag), a subscription with a filter policy, and a publication
// delivered into a queue, each with distinctive strings; the signing key is sealed too.
async function writeSns(endpoint, id) {
  const topics = snsClient(endpoint);
  const queues = sqsClient(endpoint);
  const { TopicArn } = await topics.send(new sns.CreateTopicCommand({
    Name: `at-rest-topic-${id}`,
    Attributes: { DisplayName: marker(id, 'topic-name') },
    Tags: [{ Key: 'at-rest', Value: marker(id, 'topic-tag') }],
  }));
  const queueName = `at-rest-sns-${id}`;
  const queueArn = `arn:aws:sqs:${region}:000000000000:${queueName}`;
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }] });
  const { QueueUrl } = await queues.send(new sqs.CreateQueueCommand({
    QueueName: queueName, Attributes: { Policy: policy } }));
  const filterPolicy = JSON.stringify({ kind: [marker(id, 'filter')] });
  const { SubscriptionArn } = await topics.send(new sns.SubscribeCommand({
    TopicArn, Protocol: 'sqs', Endpoint: queueArn, ReturnSubscriptionArn: true,
    Attributes: { FilterPolicy: filterPolicy, RawMessageDelivery: 'true' } }));
  const message = marker(id, 'published');
  await topics.send(new sns.PublishCommand({ TopicArn, Message: message,
    MessageAttributes: { kind: { DataType: 'String', StringValue: marker(id, 'filter') } } }));
  return { topicArn: TopicArn, subscriptionArn: SubscriptionArn, queueUrl: QueueUrl,
    displayName: marker(id, 'topic-name'), tag: marker(id, 'topic-tag'), filterPolicy, message };
}

async function verifySns(endpoint, expected) {
  const topics = snsClient(endpoint);
  const { Attributes } = await topics.send(new sns.GetTopicAttributesCommand({ TopicArn: expected.topicArn }));
  assert.equal(Attributes.DisplayName, expected.displayName, 'topic display name');
  const { Tags } = await topics.send(new sns.ListTagsForResourceCommand({ ResourceArn: expected.topicArn }));
  assert.deepEqual(Tags, [{ Key: 'at-rest', Value: expected.tag }], 'topic tags');
  const sub = await topics.send(new sns.GetSubscriptionAttributesCommand({
    SubscriptionArn: expected.subscriptionArn }));
  assert.equal(sub.Attributes.FilterPolicy, expected.filterPolicy, 'subscription filter policy');
  // The publication was delivered (raw) into the queue before the restart.
  const client = sqsClient(endpoint);
  let got;
  for (let round = 0; round < 20 && !got; round++) {
    const { Messages = [] } = await client.send(new sqs.ReceiveMessageCommand({
      QueueUrl: expected.queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
    got = Messages.find((m) => m.Body === expected.message);
  }
  assert.ok(got, 'the SNS delivery is in its queue');
  // Publishing still works: the signing key opened under this start's root key.
  await topics.send(new sns.PublishCommand({ TopicArn: expected.topicArn, Message: 'after restart',
    MessageAttributes: { kind: { DataType: 'String', StringValue: JSON.parse(expected.filterPolicy).kind[0] } } }));
}

// Every string that must not be on disk in clear.
function needles(expected) {
  const out = [];
  for (const q of expected.queues) {
    out.push(...q.messages.map((m) => m.body.slice(0, 60)));
    out.push(...q.messages.map((m) => m.attributes.Note));
    out.push(...q.messages.map((m) => Buffer.from(m.attributes.Blob, 'base64').toString()));
    for (const m of q.messages) if (m.group) out.push(m.group, m.dedup);
    for (const [k, v] of Object.entries(q.tags)) out.push(k, v);
    out.push(JSON.parse(q.policy).Statement[0].Condition.StringEquals['aws:SourceArn']);
  }
  out.push(marker(expected.id, 'iam-policy'), expected.user.secretAccessKey);
  out.push(expected.sns.displayName, expected.sns.tag, expected.sns.message,
    JSON.parse(expected.sns.filterPolicy).kind[0]);
  return [...new Set(out)];
}

async function verify(endpoint, expectedPath) {
  const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
  const client = sqsClient(endpoint);
  for (const q of expected.queues) {
    const { Attributes } = await client.send(new sqs.GetQueueAttributesCommand({
      QueueUrl: q.url, AttributeNames: ['Policy'] }));
    assert.equal(Attributes.Policy, q.policy, `${q.name}: policy`);
    const { Tags } = await client.send(new sqs.ListQueueTagsCommand({ QueueUrl: q.url }));
    assert.deepEqual(Tags, q.tags, `${q.name}: tags`);
    const received = new Map();
    for (let round = 0; round < 20 && received.size < q.messages.length; round++) {
      const { Messages = [] } = await client.send(new sqs.ReceiveMessageCommand({
        QueueUrl: q.url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'], VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
      for (const m of Messages) received.set(m.MessageId, m);
    }
    assert.equal(received.size, q.messages.length, `${q.name}: messages received`);
    for (const want of q.messages) {
      const got = received.get(want.id);
      assert.ok(got, `${q.name}: message ${want.id} missing`);
      assert.equal(got.Body, want.body, `${q.name}: body of ${want.id}`);
      assert.equal(got.MessageAttributes.Note.StringValue, want.attributes.Note);
      assert.equal(Buffer.from(got.MessageAttributes.Blob.BinaryValue).toString('base64'),
        want.attributes.Blob);
      if (want.group) assert.equal(got.Attributes.MessageGroupId, want.group);
    }
  }
  const identity = iamClient(endpoint);
  const policy = await identity.send(new iam.GetUserPolicyCommand({
    UserName: expected.user.name, PolicyName: expected.user.policyName }));
  assert.equal(decodeURIComponent(policy.PolicyDocument), expected.user.document, 'IAM user policy');
  // The user's secret access key (sealed by IAM, then by the store) still signs requests.
  const caller = await new sts.STSClient({ endpoint, region, credentials: {
    accessKeyId: expected.user.accessKeyId, secretAccessKey: expected.user.secretAccessKey } })
    .send(new sts.GetCallerIdentityCommand({}));
  assert.equal(caller.Arn, `arn:aws:iam::000000000000:user/${expected.user.name}`);
  await verifySns(endpoint, expected.sns);
  const count = expected.queues.reduce((n, q) => n + q.messages.length, 0);
  console.log(`at_rest.mjs: ${expected.queues.length} queues, ${count} messages, policies, tags, ` +
    'the IAM user policy and access key, an SNS topic, subscription and delivery read back exactly');
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'write') await write(args[0], args[1], args[2]);
  else if (command === 'verify') await verify(args[0], args[1]);
  else if (command === 'needles') {
    for (const n of needles(JSON.parse(readFileSync(args[0], 'utf8')))) console.log(n);
  } else throw new Error(`unknown command ${command}`);
} catch (error) {
  console.error(`at_rest.mjs ${command}: ${error.stack ?? error}`);
  process.exit(1);
}
