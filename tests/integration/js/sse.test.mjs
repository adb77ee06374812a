// Server-side encryption with a real key service (security.md §4.1–4.3): SSE-SQS by default,
// SSE-KMS queues whose keys are created through the KMS API (@aws-sdk/client-kms), the attribute
// rules AWS shows, KMS permissions checked for producers, the Kms* errors on the wire, and a key
// disabled and enabled again without losing a message. The data-key caches run on the server's
// test clock (run.sh starts it with --test-mode on), so the reuse period is skipped, not slept.
//
// Needs the built-in KMS (the `kms` branch): against a server without it, every SSE-KMS send
// fails with KmsNotFound.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';

import {
  ENDPOINT,
  ERR,
  PROTOCOLS,
  Queues,
  assertCounts,
  clientWith,
  expectSqsError,
  getAttributes,
  md5Hex,
  queueArn,
  receiveN,
} from './helpers.mjs';

const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };
const kms = new KMSClient({ endpoint: ENDPOINT, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
const iam = new IAMClient({ endpoint: ENDPOINT, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });

// security.md §4.3: the Kms* errors as SQS puts them on the wire.
const KMS_ERR = {
  AccessDenied: { code: 'KMS.AccessDeniedException', shape: 'KmsAccessDenied', status: 400 },
  Disabled: { code: 'KMS.DisabledException', shape: 'KmsDisabled', status: 400 },
  NotFound: { code: 'KMS.NotFoundException', shape: 'KmsNotFound', status: 400 },
};
const BOTH_MODES_TEXT =
  'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.';

const suffix = crypto.randomBytes(5).toString('hex');

async function advanceServerClock(seconds) {
  const r = await fetch(`${ENDPOINT}/_wharf/test/clock?advance_seconds=${seconds}`, { method: 'POST' });
  assert.equal(r.status, 200, `the server must run with --test-mode on (got HTTP ${r.status})`);
}

async function createKey(description) {
  const created = await kms.send(new CreateKeyCommand({ Description: description }));
  return created.KeyMetadata;
}

describe('SSE with the built-in KMS', () => {
  let key; // KeyMetadata of a customer managed key
  let alias;
  const keys = [];
  // An IAM user allowed every SQS action and nothing in KMS.
  const userName = `sse-no-kms-${suffix}`;
  let noKmsKey;

  before(async () => {
    key = await createKey('wharf sse integration test');
    keys.push(key.KeyId);
    alias = `alias/sse-${suffix}`;
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));

    await iam.send(new CreateUserCommand({ UserName: userName }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'sqs-only',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }],
        }),
      }),
    );
    const created = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    noKmsKey = {
      accessKeyId: created.AccessKey.AccessKeyId,
      secretAccessKey: created.AccessKey.SecretAccessKey,
    };
  });

  after(async () => {
    try {
      await kms.send(new DeleteAliasCommand({ AliasName: alias }));
    } catch {}
    for (const id of keys) {
      try {
        await kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
      } catch {}
    }
    try {
      await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: noKmsKey?.accessKeyId }));
      await iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: 'sqs-only' }));
      await iam.send(new DeleteUserCommand({ UserName: userName }));
    } catch {}
  });

  for (const P of PROTOCOLS) {
    describe(`[${P.name}]`, () => {
      const queues = new Queues(P);
      after(() => queues.cleanup());

      test('a new queue is SSE-SQS and shows no KMS attributes (§4.1)', async () => {
        const { url } = await queues.create('sse-fresh');
        const all = await getAttributes(P, url);
        assert.equal(all.SqsManagedSseEnabled, 'true');
        assert.equal(all.KmsMasterKeyId, undefined);
        assert.equal(all.KmsDataKeyReusePeriodSeconds, undefined);
      });

      test('KmsMasterKeyId switches to SSE-KMS, is echoed as given, and "" leaves it unencrypted', async () => {
        const { url } = await queues.create('sse-attrs', { KmsMasterKeyId: alias });
        let all = await getAttributes(P, url);
        assert.equal(all.KmsMasterKeyId, alias, 'an alias stays an alias');
        assert.equal(all.KmsDataKeyReusePeriodSeconds, '300');
        assert.equal(all.SqsManagedSseEnabled, 'false');

        await P.send('SetQueueAttributes', {
          QueueUrl: url,
          Attributes: { KmsMasterKeyId: key.Arn, KmsDataKeyReusePeriodSeconds: '600' },
        });
        all = await getAttributes(P, url);
        assert.equal(all.KmsMasterKeyId, key.Arn);
        assert.equal(all.KmsDataKeyReusePeriodSeconds, '600');

        await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { KmsMasterKeyId: '' } });
        all = await getAttributes(P, url);
        assert.equal(all.KmsMasterKeyId, undefined);
        assert.equal(all.KmsDataKeyReusePeriodSeconds, undefined, 'shown only with SSE-KMS');
        assert.equal(all.SqsManagedSseEnabled, 'false', 'no fallback to SSE-SQS');
      });

      test('both SSE modes at once are InvalidAttributeName; the reuse period is 60–86400', async () => {
        await expectSqsError(
          P,
          P.send('CreateQueue', {
            QueueName: `sse-both-${P.name}-${suffix}`,
            Attributes: { KmsMasterKeyId: alias, SqsManagedSseEnabled: 'true' },
          }),
          ERR.InvalidAttributeName,
          { message: BOTH_MODES_TEXT },
        );
        const { url } = await queues.create('sse-range', { KmsMasterKeyId: alias });
        for (const bad of ['59', '86401']) {
          await expectSqsError(
            P,
            P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { KmsDataKeyReusePeriodSeconds: bad } }),
            ERR.InvalidAttributeValue,
            { message: 'Invalid value for the parameter KmsDataKeyReusePeriodSeconds.' },
          );
        }
      });

      test('an unknown key is accepted when set and reported on send (KmsNotFound)', async () => {
        const { url } = await queues.create('sse-unknown');
        await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { KmsMasterKeyId: 'testKeyId' } });
        assert.equal((await getAttributes(P, url)).KmsMasterKeyId, 'testKeyId');
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'x' }), KMS_ERR.NotFound);
      });

      test('an SSE-KMS queue sends and receives bodies intact (MD5 validated by the SDK)', async () => {
        const { url } = await queues.create('sse-kms', { KmsMasterKeyId: alias });
        const body = `{"order": 42, "note": "caf\u00e9 \ud83d\ude80 <&>\r\n"}`;
        const sent = await P.send('SendMessage', { QueueUrl: url, MessageBody: body });
        assert.equal(sent.MD5OfMessageBody, md5Hex(body), 'MD5 of the plaintext');
        const batch = await P.send('SendMessageBatch', {
          QueueUrl: url,
          Entries: [
            { Id: 'a', MessageBody: 'batch a' },
            { Id: 'b', MessageBody: 'batch b' },
          ],
        });
        assert.equal((batch.Successful ?? []).length, 2);
        const got = await receiveN(P, url, 3);
        assert.deepEqual(got.map((m) => m.Body).sort(), [body, 'batch a', 'batch b'].sort());
        for (const m of got) assert.equal(m.MD5OfBody, md5Hex(m.Body));
      });

      test('alias/aws/sqs works for the queue owner', async () => {
        const { url } = await queues.create('sse-aws-managed', { KmsMasterKeyId: 'alias/aws/sqs' });
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'managed' });
        const [m] = await receiveN(P, url, 1);
        assert.equal(m?.Body, 'managed');
      });

      test('a message dead-lettered into an SSE-KMS DLQ (another key) is received intact there', async () => {
        const dlqKey = await createKey('wharf sse dead-letter queue');
        keys.push(dlqKey.KeyId);
        const dlq = await queues.create('sse-dlq', { KmsMasterKeyId: dlqKey.Arn });
        const src = await queues.create('sse-src', {
          KmsMasterKeyId: alias,
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(dlq.name), maxReceiveCount: 1 }),
        });
        const body = `dead letter caf\u00e9 \ud83d\ude80 ${'x'.repeat(3000)}`;
        const sent = await P.send('SendMessage', { QueueUrl: src.url, MessageBody: body });
        // Received once (visible again at once), then moved by the next receive.
        const first = await receiveN(P, src.url, 1, { VisibilityTimeout: 0 });
        assert.equal(first[0]?.Body, body);
        const deadline = Date.now() + 10000;
        let dead = [];
        while (dead.length === 0 && Date.now() < deadline) {
          const again = await P.send('ReceiveMessage', { QueueUrl: src.url, WaitTimeSeconds: 0, VisibilityTimeout: 0 });
          assert.equal((again.Messages ?? []).length, 0, 'past maxReceiveCount: moved, not delivered');
          dead = await receiveN(P, dlq.url, 1, { timeoutMs: 1000, ...P.sysAttrs(['All']) });
        }
        assert.equal(dead.length, 1, 'the message reached the DLQ');
        assert.equal(dead[0].MessageId, sent.MessageId);
        assert.equal(dead[0].Body, body);
        assert.equal(dead[0].MD5OfBody, md5Hex(body));
        assert.equal(dead[0].Attributes.DeadLetterQueueSourceArn, queueArn(src.name));
      });

      test('a producer without kms:GenerateDataKey gets KmsAccessDenied and nothing is sent', async () => {
        const { url } = await queues.create('sse-denied', { KmsMasterKeyId: alias });
        const noKms = clientWith(P, noKmsKey);
        const error = await expectSqsError(
          P,
          noKms.send('SendMessage', { QueueUrl: url, MessageBody: 'x' }),
          KMS_ERR.AccessDenied,
        );
        assert.match(error.message ?? '', /kms:GenerateDataKey/);
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'after the denied send');
        // SQS itself is allowed: a queue without SSE-KMS takes the same user's messages.
        const { url: plain } = await queues.create('sse-plain');
        await noKms.send('SendMessage', { QueueUrl: plain, MessageBody: 'fine' });
      });
    });
  }

  test('[json] a disabled key fails sends and receives after the reuse period; re-enabled, nothing was lost', async () => {
    const P = PROTOCOLS.find((p) => p.isJson) ?? PROTOCOLS[0];
    const queues = new Queues(P);
    try {
      const cycleKey = await createKey('wharf sse disable/enable cycle');
      keys.push(cycleKey.KeyId);
      const { url } = await queues.create('sse-cycle', {
        KmsMasterKeyId: cycleKey.KeyId,
        KmsDataKeyReusePeriodSeconds: '60',
      });
      for (const body of ['one', 'two', 'three']) {
        await P.send('SendMessage', { QueueUrl: url, MessageBody: body });
      }
      await kms.send(new DisableKeyCommand({ KeyId: cycleKey.KeyId }));
      await advanceServerClock(61);

      await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'refused' }), KMS_ERR.Disabled);
      await expectSqsError(
        P,
        P.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        KMS_ERR.Disabled,
      );
      await assertCounts(P, url, { visible: 3, notVisible: 0, delayed: 0 }, 'while the key is disabled');

      await kms.send(new EnableKeyCommand({ KeyId: cycleKey.KeyId }));
      const got = await receiveN(P, url, 3, P.sysAttrs(['ApproximateReceiveCount']));
      assert.deepEqual(got.map((m) => m.Body).sort(), ['one', 'three', 'two']);
      for (const m of got) {
        assert.equal(m.Attributes?.ApproximateReceiveCount, '1', 'the failed receive did not count');
      }
    } finally {
      await queues.cleanup();
    }
  });
});
