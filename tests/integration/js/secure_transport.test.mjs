// TLS in transit (security.md §5.2): aws:SecureTransport is true exactly for requests that
// arrived on the HTTPS listener, so the usual "deny sqs:* unless over TLS" queue policy blocks
// the HTTP listener of the same server and lets HTTPS through; and queue URLs carry the scheme the
// client used, so clients that follow them stay on TLS.
//
// Needs both listeners of one server: WHARF_HTTP_ENDPOINT and WHARF_HTTPS_ENDPOINT (run.sh sets
// them, and NODE_EXTRA_CA_CERTS to the CA that signed the server's certificate).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, ERR, ACCOUNT, REGION, SECOND, clientWith, expectSqsError, uniqueName,
} from './helpers.mjs';

const HTTP = process.env.WHARF_HTTP_ENDPOINT;
const HTTPS = process.env.WHARF_HTTPS_ENDPOINT;
const skip = !HTTP || !HTTPS ? 'needs WHARF_HTTP_ENDPOINT and WHARF_HTTPS_ENDPOINT (run.sh)' : false;
const ROOT = { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test' };

const tlsOnlyPolicy = (arn) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'second-account',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${SECOND.account}:root` },
      Action: 'sqs:*',
      Resource: arn,
    },
    {
      Sid: 'tls-only',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sqs:*',
      Resource: arn,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

for (const P of PROTOCOLS) {
  describe(`TLS in transit [${P.name}]`, { skip }, () => {
    const overHttp = clientWith(P, ROOT, HTTP);
    const overHttps = clientWith(P, ROOT, HTTPS);
    const created = [];
    after(async () => {
      for (const url of created) {
        try {
          await overHttps.send('DeleteQueue', { QueueUrl: url });
        } catch {
          // already gone
        }
      }
    });

    test('queue URLs carry the scheme and host of the listener the request came through', async () => {
      const name = uniqueName('tls-url', P);
      const { QueueUrl } = await overHttps.send('CreateQueue', { QueueName: name });
      created.push(QueueUrl);
      assert.equal(QueueUrl, `${HTTPS}/${ACCOUNT}/${name}`);
      assert.match(QueueUrl, /^https:\/\//);
      assert.equal((await overHttps.send('GetQueueUrl', { QueueName: name })).QueueUrl, QueueUrl);
      const listed = await overHttps.send('ListQueues', { QueueNamePrefix: name });
      assert.deepEqual(listed.QueueUrls, [QueueUrl]);
      // The same queue asked for over plain HTTP: an http:// URL on the HTTP listener.
      assert.equal((await overHttp.send('GetQueueUrl', { QueueName: name })).QueueUrl,
        `${HTTP}/${ACCOUNT}/${name}`);
    });

    test('a policy denying sqs:* without aws:SecureTransport blocks HTTP and allows HTTPS', async () => {
      const name = uniqueName('tls-only', P);
      const { QueueUrl: url } = await overHttps.send('CreateQueue', { QueueName: name });
      created.push(url);
      const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
      await overHttps.send('SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: tlsOnlyPolicy(arn) } });

      // Over HTTPS the owner and the allowed second account work as before.
      await overHttps.send('SendMessage', { QueueUrl: url, MessageBody: 'over tls' });
      const otherOverHttps = clientWith(P, SECOND.credentials, HTTPS);
      await otherOverHttps.send('SendMessage', { QueueUrl: url, MessageBody: 'other over tls' });
      const attrs = await overHttps.send('GetQueueAttributes', {
        QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'],
      });
      assert.equal(attrs.Attributes.ApproximateNumberOfMessages, '2');

      // Over plain HTTP the explicit deny wins, for the owner too, whatever the action.
      const denied = `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: sqs:sendmessage ` +
        `on resource: ${arn} with an explicit deny in a resource-based policy`;
      await expectSqsError(P, overHttp.send('SendMessage', { QueueUrl: url, MessageBody: 'x' }), ERR.AccessDenied,
        { message: denied });
      await expectSqsError(P, overHttp.send('ReceiveMessage', { QueueUrl: url }), ERR.AccessDenied);
      await expectSqsError(P, overHttp.send('DeleteQueue', { QueueUrl: url }), ERR.AccessDenied);
      const otherOverHttp = clientWith(P, SECOND.credentials, HTTP);
      await expectSqsError(P, otherOverHttp.send('SendMessage', { QueueUrl: url, MessageBody: 'x' }),
        ERR.AccessDenied);
      await expectSqsError(P, otherOverHttp.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] }),
        ERR.AccessDenied);
      // Only the owner's root may still read and replace the policy (the lockout guard, §2.6).
      const policy = await overHttp.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['Policy'] });
      assert.deepEqual(JSON.parse(policy.Attributes.Policy), JSON.parse(tlsOnlyPolicy(arn)));

      // Nothing sent over HTTP arrived; both HTTPS messages are there.
      const got = await overHttps.send('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
      assert.deepEqual((got.Messages ?? []).map((m) => m.Body).sort(), ['other over tls', 'over tls']);
    });
  });
}
