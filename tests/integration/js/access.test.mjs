// Signatures and authorization with real clients (security.md §1.10, §2.6–2.9; sqs-api.md
// §2.15–2.16): a second account reaches a queue only as far as the queue's policy allows,
// AddPermission/RemovePermission change that, owner-only actions stay with the owner, and
// every refusal is the exact error a client expects.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, Queues, ERR, ACCOUNT, REGION, SECOND, clientWith, expectSqsError, uniqueName,
} from './helpers.mjs';

assert.ok(SECOND.account, 'WHARF_SECOND_ACCOUNT is not set (run through tests/integration/run.sh)');

for (const P of PROTOCOLS) {
  describe(`Signatures and authorization [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());
    const other = clientWith(P, SECOND.credentials);

    test('a wrong secret → SignatureDoesNotMatch (403); an unknown key → InvalidClientTokenId (403)', async () => {
      const wrongSecret = clientWith(P, { accessKeyId: 'test', secretAccessKey: 'not-the-secret' });
      await expectSqsError(P, wrongSecret.send('ListQueues', {}), ERR.SignatureDoesNotMatch);
      const unknownKey = clientWith(P, { accessKeyId: 'AKIANOSUCHKEY000', secretAccessKey: 'x' });
      await expectSqsError(P, unknownKey.send('ListQueues', {}), ERR.InvalidClientTokenId, {
        message: 'The security token included in the request is invalid.',
      });
    });

    test("another account cannot use a queue without a policy, nor learn whether it exists", async () => {
      const { name, url } = await queues.create('access-none');
      const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
      await expectSqsError(P, other.send('SendMessage', { QueueUrl: url, MessageBody: 'x' }), ERR.AccessDenied, {
        message: `User: arn:aws:iam::${SECOND.account}:root is not authorized to perform: sqs:sendmessage ` +
          `on resource: ${arn} because no resource-based policy allows the sqs:sendmessage action`,
      });
      const missing = url.replace(name, uniqueName('no-such-queue'));
      await expectSqsError(P, other.send('SendMessage', { QueueUrl: missing, MessageBody: 'x' }), ERR.AccessDenied);
      await expectSqsError(P, other.send('GetQueueUrl', { QueueName: name, QueueOwnerAWSAccountId: ACCOUNT }),
        ERR.AccessDenied);
      // The other account's own view: its ListQueues does not show the queue.
      const listed = await other.send('ListQueues', {});
      assert.ok(!(listed.QueueUrls ?? []).includes(url));
    });

    test('AddPermission grants exactly what it names; RemovePermission takes it back', async () => {
      const { name, url } = await queues.create('access-grant');
      const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
      await P.send('AddPermission', {
        QueueUrl: url, Label: 'second-send', AWSAccountIds: [SECOND.account], Actions: ['SendMessage', 'GetQueueUrl'],
      });
      const attrs = await P.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['Policy'] });
      assert.deepEqual(JSON.parse(attrs.Attributes.Policy), {
        Version: '2008-10-17',
        Id: `${arn}/SQSDefaultPolicy`,
        Statement: [{
          Sid: 'second-send',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${SECOND.account}:root` },
          Action: ['SQS:SendMessage', 'SQS:GetQueueUrl'],
          Resource: arn,
        }],
      });

      const sent = await other.send('SendMessage', { QueueUrl: url, MessageBody: 'from the second account' });
      assert.match(sent.MessageId, /^[0-9a-f-]{36}$/);
      // The batch API is covered by the same permission (§2.7).
      const batch = await other.send('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'b' }] });
      assert.equal(batch.Successful?.length, 1);
      const found = await other.send('GetQueueUrl', { QueueName: name, QueueOwnerAWSAccountId: ACCOUNT });
      assert.equal(found.QueueUrl, url);
      await expectSqsError(P, other.send('ReceiveMessage', { QueueUrl: url }), ERR.AccessDenied);

      // The owner sees who sent it.
      const got = await P.send('ReceiveMessage', {
        QueueUrl: url, MaxNumberOfMessages: 10, ...P.sysAttrs(['SenderId']),
      });
      const mine = (got.Messages ?? []).find((m) => m.Body === 'from the second account');
      assert.ok(mine, 'the owner receives the message the second account sent');
      assert.equal(mine.Attributes.SenderId, SECOND.account);

      // Same label twice, owner-only and unknown actions, too many actions.
      await expectSqsError(P, P.send('AddPermission', {
        QueueUrl: url, Label: 'second-send', AWSAccountIds: [SECOND.account], Actions: ['ReceiveMessage'],
      }), ERR.InvalidParameterValue, { message: 'Value second-send for parameter Label is invalid. Reason: Already exists.' });
      await expectSqsError(P, P.send('AddPermission', {
        QueueUrl: url, Label: 'owner-only', AWSAccountIds: [SECOND.account], Actions: ['DeleteQueue'],
      }), ERR.InvalidParameterValue, {
        message: 'Value SQS:DeleteQueue for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.',
      });
      await expectSqsError(P, P.send('AddPermission', {
        QueueUrl: url, Label: 'too-many', AWSAccountIds: [SECOND.account],
        Actions: ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes',
          'GetQueueUrl', 'ListDeadLetterSourceQueues', 'PurgeQueue'],
      }), ERR.OverLimit, { message: '8 Actions were found, maximum allowed is 7.' });
      // Another account may not edit the policy, even with a grant.
      await expectSqsError(P, other.send('AddPermission', {
        QueueUrl: url, Label: 'self-grant', AWSAccountIds: [SECOND.account], Actions: ['ReceiveMessage'],
      }), ERR.AccessDenied);

      await P.send('RemovePermission', { QueueUrl: url, Label: 'second-send' });
      const after = await P.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] });
      assert.equal(after.Attributes.Policy, undefined, 'the Policy attribute disappears with its last statement');
      await expectSqsError(P, other.send('SendMessage', { QueueUrl: url, MessageBody: 'x' }), ERR.AccessDenied);
      await expectSqsError(P, P.send('RemovePermission', { QueueUrl: url, Label: 'second-send' }),
        ERR.InvalidParameterValue, { message: "Value second-send for parameter Label is invalid. Reason: can't find label." });
    });

    test('a queue policy set with SetQueueAttributes: conditions, explicit deny, owner-only actions', async () => {
      const { name, url } = await queues.create('access-policy');
      const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
      const policy = {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'consume', Effect: 'Allow', Principal: { AWS: SECOND.account }, Action: 'sqs:*', Resource: arn },
          {
            Sid: 'not-before-2000', Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Resource: arn,
            Condition: { DateLessThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } },
          },
          { Sid: 'no-purge', Effect: 'Deny', Principal: { AWS: SECOND.account }, Action: 'sqs:PurgeQueue', Resource: arn },
        ],
      };
      await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } });
      const stored = await P.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['Policy'] });
      assert.equal(stored.Attributes.Policy, JSON.stringify(policy), 'a policy is returned exactly as set');

      await other.send('SendMessage', { QueueUrl: url, MessageBody: 'granted by policy' });
      const got = await other.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 1 });
      assert.equal(got.Messages?.[0]?.Body, 'granted by policy');
      await other.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: got.Messages[0].ReceiptHandle });
      // sqs:* does not open owner-only actions to another account (§2.7), and an explicit deny wins.
      await expectSqsError(P, other.send('SetQueueAttributes', { QueueUrl: url, Attributes: { DelaySeconds: '1' } }),
        ERR.AccessDenied);
      await expectSqsError(P, other.send('DeleteQueue', { QueueUrl: url }), ERR.AccessDenied);
      await expectSqsError(P, other.send('PurgeQueue', { QueueUrl: url }), ERR.AccessDenied, {
        message: new RegExp('with an explicit deny in a resource-based policy$'),
      });

      // Malformed policies are refused and the old one stays.
      for (const bad of ['{"Statement": [', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*"}]}']) {
        await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: bad } }),
          ERR.InvalidAttributeValue, { message: 'Invalid value for the parameter Policy.' });
      }
      const still = await P.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['Policy'] });
      assert.equal(still.Attributes.Policy, JSON.stringify(policy));
    });
  });
}
