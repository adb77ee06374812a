// SNS fan-out with the unmodified AWS SDK for JavaScript v3 (@aws-sdk/client-sns 3.1169.0, AWS
// Query) against Wharf's one endpoint (shared/docs/sns-fanout.md): topics and subscriptions,
// one publish reaching several queues, the signed envelope verified against the served
// certificate with node's crypto, raw delivery with message attributes (the SQS client's MD5
// checks stay on), the queue policy deciding every delivery, FIFO order, and the errors SNS
// returns for bad input.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import {
  ACCOUNT, ENDPOINT, JSON_PROTOCOL, Queues, REGION, SECOND, assertCounts, assertEmptyReceive, counts, errorCode,
  errorMessage, md5OfAttributes, randomSuffix, receiveN, receiveOne, sleep, uniqueName,
} from './helpers.mjs';

const require = createRequire(import.meta.url);
const Sns = require('@aws-sdk/client-sns');
const Kms = require('@aws-sdk/client-kms');

const P = JSON_PROTOCOL; // queues through the current SQS client (its MD5 validation on)
const sns = new Sns.SNSClient({
  endpoint: ENDPOINT,
  region: REGION,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const snsOther = new Sns.SNSClient({ endpoint: ENDPOINT, region: REGION, credentials: SECOND.credentials });
const send = (op, input = {}, client = sns) => client.send(new Sns[`${op}Command`](input));

const topicArn = (name) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
const queueArn = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

// The queue policy that lets `topic` deliver into the queue (sns-fanout.md §7.1).
function allowTopic(queueName, topic) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: 'AllowTopic',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queueArn(queueName),
      Condition: { ArnEquals: { 'aws:SourceArn': topic } },
    }],
  });
}

// Awaits a call that must fail with the given SNS error code, HTTP status and (exact) message.
async function expectSnsError(promise, code, status, message) {
  let error;
  try {
    const result = await promise;
    assert.fail(`expected ${code}, but the call succeeded: ${JSON.stringify(result)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    error = e;
  }
  const where = `${code}: got name=${error?.name} Code=${errorCode(error)} ` +
    `status=${error?.$metadata?.httpStatusCode} message=${JSON.stringify(errorMessage(error))}`;
  assert.ok(error?.$metadata, `${where}: not a service error (${error?.stack ?? error})`);
  assert.equal(errorCode(error) ?? error.name, code, `${where}: wrong code`);
  assert.equal(error.$metadata.httpStatusCode, status, `${where}: wrong HTTP status`);
  if (message instanceof RegExp) {
    assert.match(errorMessage(error), message, `${where}: wrong message`);
  } else if (message !== undefined) {
    assert.equal(errorMessage(error), message, `${where}: wrong message`);
  }
  return error;
}

class Topics {
  constructor() {
    this.arns = new Set();
  }
  async create(prefix, Attributes, Tags) {
    const name = `${prefix}-${randomSuffix(10)}${Attributes?.FifoTopic === 'true' ? '.fifo' : ''}`;
    const r = await send('CreateTopic', { Name: name, Attributes, Tags });
    assert.equal(r.TopicArn, topicArn(name));
    this.arns.add(r.TopicArn);
    return { name, arn: r.TopicArn };
  }
  async cleanup() {
    for (const arn of this.arns) {
      try {
        await send('DeleteTopic', { TopicArn: arn });
      } catch {
        // already deleted by the test
      }
    }
  }
}

// A queue whose policy admits `topic` (unless `allow` is false), subscribed to it.
async function subscribedQueue(queues, topic, { prefix = 'sns-q', allow = true, fifo = false,
  subscription = undefined } = {}) {
  const name = `${uniqueName(prefix, P)}${fifo ? '.fifo' : ''}`;
  const Attributes = fifo ? { FifoQueue: 'true' } : {};
  if (allow) Attributes.Policy = allowTopic(name, topic);
  const { QueueUrl: url } = await P.send('CreateQueue', { QueueName: name, Attributes });
  queues.track(url);
  const sub = await send('Subscribe', {
    TopicArn: topic, Protocol: 'sqs', Endpoint: queueArn(name), Attributes: subscription, ReturnSubscriptionArn: true,
  });
  assert.ok(sub.SubscriptionArn.startsWith(`${topic}:`), sub.SubscriptionArn);
  return { name, url, subscriptionArn: sub.SubscriptionArn };
}

// The string SNS signs (sns-fanout.md §4.3), rebuilt from a received envelope.
function stringToSign(env) {
  const keys = env.Type === 'Notification'
    ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.filter((k) => k in env).map((k) => `${k}\n${env[k]}\n`).join('');
}

async function fetchCertificate(url) {
  const r = await fetch(url); // no credentials: the certificate is public, as AWS's is
  assert.equal(r.status, 200, `GET ${url}`);
  return r.text();
}

function verifies(env, pem) {
  const algorithm = env.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1';
  return crypto.createVerify(algorithm).update(stringToSign(env), 'utf8').verify(pem, env.Signature, 'base64');
}

describe('SNS topics and subscriptions', () => {
  const topics = new Topics();
  const queues = new Queues(P);
  after(async () => {
    await topics.cleanup();
    await queues.cleanup();
  });

  test('CreateTopic is idempotent, attributes round-trip, ListTopics and ListSubscriptionsByTopic see them', async () => {
    const { name, arn } = await topics.create('sns-mgmt', { DisplayName: 'Orders' }, [{ Key: 'team', Value: 'billing' }]);
    const again = await send('CreateTopic', { Name: name, Attributes: { DisplayName: 'Orders' } });
    assert.equal(again.TopicArn, arn);
    await expectSnsError(send('CreateTopic', { Name: name, Attributes: { DisplayName: 'Other' } }),
      'InvalidParameter', 400,
      'Invalid parameter: Attributes Reason: Topic already exists with different attributes');

    const attrs = (await send('GetTopicAttributes', { TopicArn: arn })).Attributes;
    assert.equal(attrs.TopicArn, arn);
    assert.equal(attrs.Owner, ACCOUNT);
    assert.equal(attrs.DisplayName, 'Orders');
    assert.equal(attrs.SignatureVersion, '1');
    assert.equal(attrs.SubscriptionsConfirmed, '0');
    assert.equal(JSON.parse(attrs.Policy).Statement[0].Sid, '__default_statement_ID');
    assert.ok(!('FifoTopic' in attrs));
    await send('SetTopicAttributes', { TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Renamed' });
    assert.equal((await send('GetTopicAttributes', { TopicArn: arn })).Attributes.DisplayName, 'Renamed');

    const listed = [];
    let NextToken;
    do {
      const page = await send('ListTopics', { NextToken });
      listed.push(...(page.Topics ?? []).map((t) => t.TopicArn));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.ok(listed.includes(arn));

    const q = await subscribedQueue(queues, arn);
    const subs = await send('ListSubscriptionsByTopic', { TopicArn: arn });
    assert.deepEqual(subs.Subscriptions, [{
      SubscriptionArn: q.subscriptionArn, Owner: ACCOUNT, Protocol: 'sqs', Endpoint: queueArn(q.name), TopicArn: arn,
    }]);
    const subAttrs = (await send('GetSubscriptionAttributes', { SubscriptionArn: q.subscriptionArn })).Attributes;
    assert.equal(subAttrs.PendingConfirmation, 'false');
    assert.equal(subAttrs.ConfirmationWasAuthenticated, 'true');
    assert.equal(subAttrs.RawMessageDelivery, 'false');
    assert.equal(subAttrs.SubscriptionPrincipal, `arn:aws:iam::${ACCOUNT}:root`);
    await send('SetSubscriptionAttributes', {
      SubscriptionArn: q.subscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"store":["example_corp"]}',
    });
    const withFilter = (await send('GetSubscriptionAttributes', { SubscriptionArn: q.subscriptionArn })).Attributes;
    assert.equal(withFilter.FilterPolicy, '{"store":["example_corp"]}');
    assert.equal(withFilter.FilterPolicyScope, 'MessageAttributes');
    assert.equal((await send('GetTopicAttributes', { TopicArn: arn })).Attributes.SubscriptionsConfirmed, '1');

    const tags = await send('ListTagsForResource', { ResourceArn: arn });
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'billing' }]);
    await send('TagResource', { ResourceArn: arn, Tags: [{ Key: 'env', Value: 'prod' }] });
    await send('UntagResource', { ResourceArn: arn, TagKeys: ['team'] });
    assert.deepEqual((await send('ListTagsForResource', { ResourceArn: arn })).Tags, [{ Key: 'env', Value: 'prod' }]);

    await send('Unsubscribe', { SubscriptionArn: q.subscriptionArn });
    await expectSnsError(send('GetSubscriptionAttributes', { SubscriptionArn: q.subscriptionArn }),
      'NotFound', 404, 'Subscription does not exist');
    await send('DeleteTopic', { TopicArn: arn });
    await send('DeleteTopic', { TopicArn: arn }); // deleting again is not an error
    await expectSnsError(send('GetTopicAttributes', { TopicArn: arn }), 'NotFound', 404, 'Topic does not exist');
  });

  test('bad input gets SNS\'s errors with their exact messages and statuses', async () => {
    await expectSnsError(send('CreateTopic', { Name: 'bad name' }), 'InvalidParameter', 400,
      'Invalid parameter: Topic Name');
    await expectSnsError(send('CreateTopic', { Name: 'no-suffix', Attributes: { FifoTopic: 'true' } }),
      'InvalidParameter', 400, 'Invalid parameter: Topic Name');
    await expectSnsError(send('CreateTopic', { Name: 'x'.repeat(257) }), 'InvalidParameter', 400,
      'Invalid parameter: Topic Name');
    const missing = topicArn(`no-such-topic-${randomSuffix()}`);
    await expectSnsError(send('Publish', { TopicArn: missing, Message: 'x' }), 'NotFound', 404, 'Topic does not exist');
    await expectSnsError(send('Subscribe', { TopicArn: missing, Protocol: 'sqs', Endpoint: queueArn('q') }),
      'NotFound', 404, 'Topic does not exist');
    await expectSnsError(send('GetTopicAttributes', { TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}` }),
      'InvalidParameter', 400, 'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5');
    await expectSnsError(send('ListTagsForResource', { ResourceArn: missing }), 'ResourceNotFound', 404);
    await expectSnsError(send('Unsubscribe', { SubscriptionArn: `${missing}:4e1c5a10-0000-4000-8000-000000000000` }),
      'NotFound', 404, 'Subscription does not exist');

    const { arn } = await topics.create('sns-errors');
    await expectSnsError(send('Publish', { TopicArn: arn, Message: '' }), 'InvalidParameter', 400,
      'Invalid parameter: Empty message');
    await expectSnsError(send('Publish', { TopicArn: arn, Message: 'x'.repeat(262_145) }), 'InvalidParameter', 400,
      'Invalid parameter: Message too long');
    await expectSnsError(send('Publish', {
      TopicArn: arn, Message: 'x', MessageAttributes: { a: { DataType: 'Strin', StringValue: 'v' } },
    }), 'ParameterValueInvalid', 400,
    "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is " +
      'Binary, Number, and String.');
    await expectSnsError(send('Publish', { TopicArn: arn, Message: 'x', MessageDeduplicationId: 'd' }),
      'InvalidParameter', 400,
      'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter ' +
        'that is not valid for this topic type');
    await expectSnsError(send('Subscribe', { TopicArn: arn, Protocol: 'email', Endpoint: 'a@example.com' }),
      'InvalidParameter', 400, 'Invalid parameter: Amazon SNS does not support this protocol string: email');
    await expectSnsError(send('Subscribe', { TopicArn: arn, Protocol: 'sqs', Endpoint: 'not-an-arn' }),
      'InvalidParameter', 400, 'Invalid parameter: SQS endpoint ARN');
    await expectSnsError(send('Subscribe', { TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('q.fifo') }),
      'InvalidParameter', 400,
      'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard ' +
        'SNS topics');
    await expectSnsError(send('Subscribe', {
      TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn('q'), Attributes: { RawMessageDelivery: 'yes' },
    }), 'InvalidParameter', 400,
    'Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false.');
    await expectSnsError(send('SetTopicAttributes', { TopicArn: arn, AttributeName: 'Bogus', AttributeValue: 'x' }),
      'InvalidParameter', 400, 'Invalid parameter: AttributeName');
    await expectSnsError(send('PublishBatch', { TopicArn: arn, PublishBatchRequestEntries: [] }),
      'EmptyBatchRequest', 400);
    await expectSnsError(send('PublishBatch', {
      TopicArn: arn,
      PublishBatchRequestEntries: [{ Id: 'same', Message: 'a' }, { Id: 'same', Message: 'b' }],
    }), 'BatchEntryIdsNotDistinct', 400, 'Two or more batch entries in the request have the same Id.');
    await expectSnsError(send('PublishBatch', {
      TopicArn: arn,
      PublishBatchRequestEntries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'm' })),
    }), 'TooManyEntriesInBatchRequest', 400, 'The batch request contains more entries than permissible.');

    // Another account: refused with SNS's wording, whether the topic exists or not.
    await expectSnsError(send('Publish', { TopicArn: arn, Message: 'x' }, snsOther), 'AuthorizationError', 403,
      `User: arn:aws:iam::${SECOND.account}:root is not authorized to perform: SNS:Publish on resource: ${arn} ` +
        'because no resource-based policy allows the SNS:Publish action');
    await expectSnsError(send('Publish', { TopicArn: missing, Message: 'x' }, snsOther), 'AuthorizationError', 403);
  });

  test('a topic policy lets another account publish, and only what it names', async () => {
    const { arn } = await topics.create('sns-shared');
    await send('SetTopicAttributes', {
      TopicArn: arn,
      AttributeName: 'Policy',
      AttributeValue: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'SecondMayPublish',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${SECOND.account}:root` },
          Action: 'SNS:Publish',
          Resource: arn,
        }],
      }),
    });
    const published = await send('Publish', { TopicArn: arn, Message: 'from the second account' }, snsOther);
    assert.match(published.MessageId, /^[0-9a-f-]{36}$/);
    await expectSnsError(send('GetTopicAttributes', { TopicArn: arn }, snsOther), 'AuthorizationError', 403);
    await expectSnsError(send('SetTopicAttributes', { TopicArn: arn, AttributeName: 'Policy', AttributeValue: '{' }),
      'InvalidParameter', 400, /^Invalid parameter: Policy Error: /);
  });
});

describe('SNS delivery into SQS queues', () => {
  const topics = new Topics();
  const queues = new Queues(P);
  after(async () => {
    await topics.cleanup();
    await queues.cleanup();
  });

  test('one publish reaches two queues in an envelope signed with the served certificate', async () => {
    const { arn } = await topics.create('sns-fanout');
    const a = await subscribedQueue(queues, arn, { prefix: 'sns-fan-a' });
    const b = await subscribedQueue(queues, arn, { prefix: 'sns-fan-b' });
    const message = '{"orderId": 42, "note": "line1\\nline2 ü"}\nand a real newline\ttab "quotes"';
    const published = await send('Publish', {
      TopicArn: arn,
      Subject: 'Order placed',
      Message: message,
      MessageAttributes: {
        store: { DataType: 'String', StringValue: 'example_corp' },
        price: { DataType: 'Number', StringValue: '12.5' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) },
      },
    });
    assert.match(published.MessageId, /^[0-9a-f-]{36}$/);
    assert.equal(published.SequenceNumber, undefined);

    const fromA = await receiveOne(P, a.url, { MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] });
    const fromB = await receiveOne(P, b.url);
    const env = JSON.parse(fromA.Body);
    assert.deepEqual(Object.keys(env), ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp',
      'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes']);
    assert.equal(env.Type, 'Notification');
    assert.equal(env.MessageId, published.MessageId);
    assert.equal(JSON.parse(fromB.Body).MessageId, published.MessageId, 'one id in every copy');
    assert.equal(env.TopicArn, arn);
    assert.equal(env.Subject, 'Order placed');
    assert.equal(env.Message, message);
    assert.match(env.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(env.SignatureVersion, '1');
    assert.equal(env.UnsubscribeURL, `${ENDPOINT}/?Action=Unsubscribe&SubscriptionArn=${a.subscriptionArn}`);
    assert.match(env.SigningCertURL, new RegExp(`^${ENDPOINT}/SimpleNotificationService-[0-9a-f]{40}\\.pem$`));
    assert.deepEqual(env.MessageAttributes, {
      blob: { Type: 'Binary', Value: 'AAEC' },
      price: { Type: 'Number', Value: '12.5' },
      store: { Type: 'String', Value: 'example_corp' },
    });
    assert.equal(fromA.MessageAttributes, undefined, 'attributes travel inside the envelope');
    assert.equal(fromA.Attributes.SenderId, 'AIDAIT2UOQQY3AUEKVGXU');

    const pem = await fetchCertificate(env.SigningCertURL);
    assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
    assert.ok(verifies(env, pem), 'the signature verifies against the served certificate');
    assert.ok(!verifies({ ...env, Message: `${env.Message} ` }, pem), 'a changed message does not verify');
    const { Subject, ...withoutSubject } = env;
    assert.ok(Subject && !verifies(withoutSubject, pem), 'removing the subject breaks it');
  });

  test('SignatureVersion 2 envelopes are signed with SHA-256 and verify too', async () => {
    const { arn } = await topics.create('sns-sigv2', { SignatureVersion: '2' });
    const q = await subscribedQueue(queues, arn, { prefix: 'sns-sig2' });
    await send('Publish', { TopicArn: arn, Message: 'no subject here' });
    const env = JSON.parse((await receiveOne(P, q.url)).Body);
    assert.equal(env.SignatureVersion, '2');
    assert.ok(!('Subject' in env), 'Subject is omitted, not null');
    assert.ok(!('MessageAttributes' in env));
    assert.ok(verifies(env, await fetchCertificate(env.SigningCertURL)));
  });

  test('raw delivery carries the message attributes, with MD5s the SQS client checks', async () => {
    const { arn } = await topics.create('sns-raw');
    const q = await subscribedQueue(queues, arn, { prefix: 'sns-raw', subscription: { RawMessageDelivery: 'true' } });
    const attributes = {
      store: { DataType: 'String', StringValue: 'example_corp' },
      price: { DataType: 'Number', StringValue: '12.5' },
      colors: { DataType: 'String.Array', StringValue: '["red","green"]' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from('\x00\x01binary', 'latin1') },
    };
    await send('Publish', { TopicArn: arn, Message: 'raw body ü', MessageAttributes: attributes });
    // The client validates MD5OfBody and MD5OfMessageAttributes itself on receive.
    const m = await receiveOne(P, q.url, { MessageAttributeNames: ['All'] });
    assert.equal(m.Body, 'raw body ü');
    assert.deepEqual(Object.keys(m.MessageAttributes).sort(), ['blob', 'colors', 'price', 'store']);
    assert.equal(m.MessageAttributes.colors.DataType, 'String.Array');
    assert.equal(m.MessageAttributes.colors.StringValue, '["red","green"]');
    assert.equal(m.MessageAttributes.blob.DataType, 'Binary');
    assert.deepEqual(Buffer.from(m.MessageAttributes.blob.BinaryValue), attributes.blob.BinaryValue);
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attributes));
  });

  test('filter policies: a subscription gets only the messages its policy matches (attributes and body)', async () => {
    const { arn } = await topics.create('sns-filter');
    const all = await subscribedQueue(queues, arn, { prefix: 'sns-filt-all', subscription: { RawMessageDelivery: 'true' } });
    const byAttributes = await subscribedQueue(queues, arn, {
      prefix: 'sns-filt-attr',
      subscription: {
        RawMessageDelivery: 'true',
        FilterPolicy: JSON.stringify({
          store: ['example_corp'],
          price: [{ numeric: ['>=', 100, '<', 1000] }],
          $or: [{ kind: [{ prefix: 'order-' }] }, { urgent: [{ exists: true }] }],
        }),
      },
    });
    const byBody = await subscribedQueue(queues, arn, {
      prefix: 'sns-filt-body',
      subscription: {
        RawMessageDelivery: 'true',
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: JSON.stringify({ detail: { color: [{ 'anything-but': ['red'] }], size: [{ 'equals-ignore-case': 'xl' }] } }),
      },
    });
    const str = (v) => ({ DataType: 'String', StringValue: v });
    const num = (v) => ({ DataType: 'Number', StringValue: String(v) });
    const publications = [
      { body: 'a1', attrs: { store: str('example_corp'), price: num(250), kind: str('order-created') }, attr: true },
      { body: 'a2', attrs: { store: str('example_corp'), price: num(250), urgent: str('yes') }, attr: true },
      { body: 'n1', attrs: { store: str('example_corp'), price: num(99.5), kind: str('order-created') } },
      { body: 'n2', attrs: { store: str('other_corp'), price: num(250), kind: str('order-created') } },
      { body: 'n3', attrs: { store: str('example_corp'), price: num(250), kind: str('refund') } },
      { body: 'n4', attrs: { store: str('example_corp'), price: str('250'), kind: str('order-x') } },
      { body: JSON.stringify({ detail: { color: 'blue', size: 'XL' } }), bodyMatch: true },
      { body: JSON.stringify({ detail: { color: 'red', size: 'xl' } }) },
      { body: JSON.stringify({ detail: { color: 'blue', size: 'M' } }) },
      { body: 'not json at all' },
    ];
    for (const p of publications) {
      await send('Publish', { TopicArn: arn, Message: p.body, MessageAttributes: p.attrs });
    }
    // The unfiltered subscription gets everything: once it has, every delivery has been decided.
    const everything = await receiveN(P, all.url, publications.length);
    assert.equal(everything.length, publications.length);
    const bodies = async (q, expected) => {
      const got = await receiveN(P, q.url, expected + 1, { timeoutMs: 3000 });
      return got.map((m) => m.Body).sort();
    };
    assert.deepEqual(await bodies(byAttributes, 2), publications.filter((p) => p.attr).map((p) => p.body).sort());
    assert.deepEqual(await bodies(byBody, 1), publications.filter((p) => p.bodyMatch).map((p) => p.body));

    // Invalid policies get SNS's InvalidParameter wording; the subscription keeps its policy.
    await expectSnsError(send('SetSubscriptionAttributes', {
      SubscriptionArn: byAttributes.subscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"store":[]}',
    }), 'InvalidParameter', 400, 'Invalid parameter: FilterPolicy: Empty arrays are not allowed');
    await expectSnsError(send('SetSubscriptionAttributes', {
      SubscriptionArn: byAttributes.subscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"a":{"b":["c"]}}',
    }), 'InvalidParameter', 400,
    'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy');
    const kept = (await send('GetSubscriptionAttributes', { SubscriptionArn: byAttributes.subscriptionArn })).Attributes;
    assert.equal(JSON.parse(kept.FilterPolicy).store[0], 'example_corp');

    // Removing the policy (an empty value) lets everything through again.
    await send('SetSubscriptionAttributes', {
      SubscriptionArn: byAttributes.subscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '',
    });
    await send('Publish', { TopicArn: arn, Message: 'after-removal' });
    assert.equal((await receiveOne(P, byAttributes.url)).Body, 'after-removal');
  });

  test('a queue without the topic in its policy receives nothing; the failed delivery shows in the DLQ', async () => {
    const { arn } = await topics.create('sns-denied');
    const open = await subscribedQueue(queues, arn, { prefix: 'sns-open' });
    const dlq = await queues.create('sns-dlq');
    await P.send('SetQueueAttributes', { QueueUrl: dlq.url, Attributes: { Policy: allowTopic(dlq.name, arn) } });
    const closed = await subscribedQueue(queues, arn, {
      prefix: 'sns-closed',
      allow: false, // no policy: even within one account SNS may not send (sns-fanout.md §7.1)
      subscription: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(dlq.name) }) },
    });
    const wrongTopic = await queues.create('sns-other-topic');
    await P.send('SetQueueAttributes', {
      QueueUrl: wrongTopic.url, Attributes: { Policy: allowTopic(wrongTopic.name, topicArn('some-other-topic')) },
    });
    await send('Subscribe', { TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn(wrongTopic.name) });

    const published = await send('Publish', { TopicArn: arn, Message: 'only for the open queue' });
    const delivered = await receiveOne(P, open.url);
    assert.equal(JSON.parse(delivered.Body).MessageId, published.MessageId);
    // The DLQ gets the envelope the closed queue would have received.
    const deadLettered = await receiveOne(P, dlq.url);
    const env = JSON.parse(deadLettered.Body);
    assert.equal(env.MessageId, published.MessageId);
    assert.equal(env.UnsubscribeURL, `${ENDPOINT}/?Action=Unsubscribe&SubscriptionArn=${closed.subscriptionArn}`);
    await sleep(300);
    await assertEmptyReceive(P, closed.url);
    await assertEmptyReceive(P, wrongTopic.url); // aws:SourceArn must be this topic
  });

  test('SSE-KMS queues: delivered only when the key policy lets SNS use the key; otherwise to the DLQ', async () => {
    const kms = new Kms.KMSClient({ endpoint: ENDPOINT, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const root = `arn:aws:iam::${ACCOUNT}:root`;
    const adminStatement = { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' };
    const keyFor = async (statements) => (await kms.send(new Kms.CreateKeyCommand({
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }))).KeyMetadata.KeyId;
    const snsKey = await keyFor([adminStatement, {
      Sid: 'AllowSns', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*',
    }]);
    const iamOnlyKey = await keyFor([adminStatement]);
    try {
      const { arn } = await topics.create('sns-sse');
      const dlq = await queues.create('sns-sse-dlq');
      await P.send('SetQueueAttributes', { QueueUrl: dlq.url, Attributes: { Policy: allowTopic(dlq.name, arn) } });
      const encrypted = async (prefix, keyId, subscription) => {
        const q = await subscribedQueue(queues, arn, { prefix, subscription });
        await P.send('SetQueueAttributes', { QueueUrl: q.url, Attributes: { KmsMasterKeyId: keyId } });
        return q;
      };
      const allowed = await encrypted('sns-sse-ok', snsKey, { RawMessageDelivery: 'true' });
      const refused = await encrypted('sns-sse-no', iamOnlyKey, {
        RawMessageDelivery: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(dlq.name) }),
      });
      await send('Publish', { TopicArn: arn, Message: 'sealed for SNS' });
      // The root consumer may decrypt under both keys (their policies grant the account).
      assert.equal((await receiveOne(P, allowed.url)).Body, 'sealed for SNS');
      assert.equal((await receiveOne(P, dlq.url)).Body, 'sealed for SNS', 'the refused delivery is dead-lettered');
      await sleep(300);
      await assertEmptyReceive(P, refused.url);
    } finally {
      for (const KeyId of [snsKey, iamOnlyKey]) {
        await kms.send(new Kms.ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
      }
    }
  });

  test('PublishBatch delivers the valid entries and reports the others', async () => {
    const { arn } = await topics.create('sns-batch');
    const q = await subscribedQueue(queues, arn, { prefix: 'sns-batch', subscription: { RawMessageDelivery: 'true' } });
    const r = await send('PublishBatch', {
      TopicArn: arn,
      PublishBatchRequestEntries: [
        { Id: 'one', Message: 'first' },
        { Id: 'empty', Message: '' },
        { Id: 'two', Message: 'second', MessageAttributes: { k: { DataType: 'Number', StringValue: '1' } } },
      ],
    });
    assert.deepEqual(r.Successful.map((s) => s.Id), ['one', 'two']);
    assert.deepEqual(r.Failed, [{
      Id: 'empty', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true,
    }]);
    const got = await receiveN(P, q.url, 2, { MessageAttributeNames: ['All'] });
    assert.deepEqual(got.map((m) => m.Body).sort(), ['first', 'second']);
  });

  test('a FIFO topic keeps each group\'s order into a FIFO queue and drops repeats', async () => {
    const { arn } = await topics.create('sns-fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    const q = await subscribedQueue(queues, arn, { prefix: 'sns-fifo', fifo: true });
    const sequence = [];
    for (let i = 0; i < 6; i++) {
      const group = i % 2 === 0 ? 'even' : 'odd';
      const r = await send('Publish', { TopicArn: arn, Message: `${group}-${i}`, MessageGroupId: group });
      assert.match(r.SequenceNumber, /^\d{20}$/);
      sequence.push(r.SequenceNumber);
    }
    for (let i = 1; i < sequence.length; i++) assert.ok(BigInt(sequence[i]) > BigInt(sequence[i - 1]));
    const repeat = await send('Publish', { TopicArn: arn, Message: 'even-0', MessageGroupId: 'even' });
    assert.equal(repeat.SequenceNumber, sequence[0], 'a repeat is answered with the original');
    const batch = await send('PublishBatch', {
      TopicArn: arn,
      PublishBatchRequestEntries: [
        { Id: 'b1', Message: 'even-6', MessageGroupId: 'even' },
        { Id: 'b2', Message: 'even-7', MessageGroupId: 'even' },
      ],
    });
    assert.equal(batch.Successful.length, 2);

    // Deliveries follow the acknowledgements; receiving a group's head early would hold back the
    // rest of the group (in flight), so wait until all eight are there.
    const deadline = Date.now() + 10_000;
    while ((await counts(P, q.url)).visible < 8 && Date.now() < deadline) await sleep(50);
    await sleep(300);
    await assertCounts(P, q.url, { visible: 8, notVisible: 0, delayed: 0 }, 'the repeat was not delivered');
    const got = await receiveN(P, q.url, 8, { MessageSystemAttributeNames: ['All'] });
    assert.equal(got.length, 8);
    const byGroup = {};
    for (const m of got) {
      const env = JSON.parse(m.Body);
      assert.match(env.SequenceNumber, /^\d{20}$/);
      assert.ok(!('Signature' in env) && !('SigningCertURL' in env), 'FIFO envelopes are not signed');
      (byGroup[m.Attributes.MessageGroupId] ??= []).push(env.Message);
    }
    assert.deepEqual(byGroup.even, ['even-0', 'even-2', 'even-4', 'even-6', 'even-7']);
    assert.deepEqual(byGroup.odd, ['odd-1', 'odd-3', 'odd-5']);
  });
});
