// The console's SigV4 code (src/console/assets/sigv4.js) without a browser: its SHA-256 and
// HMAC against Node's OpenSSL, and a signature against security.md §1.12 Example A.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { hex, hmacSha256, sha256, signPost } from '../../src/console/assets/sigv4.js';

test('SHA-256 and HMAC-SHA256 agree with OpenSSL around the block boundaries', () => {
  const inputs = ['', 'abc', 'héllo ☃', 'x'.repeat(1000)];
  for (let n = 50; n <= 130; n++) inputs.push('a'.repeat(n));
  for (const s of inputs) {
    assert.equal(hex(sha256(s)), createHash('sha256').update(s).digest('hex'), `sha256 of ${s.length}`);
    for (const key of ['k', 'k'.repeat(64), 'k'.repeat(100)]) {
      assert.equal(
        hex(hmacSha256(key, s)),
        createHmac('sha256', key).update(s).digest('hex'),
        `hmac of ${s.length} with a ${key.length}-byte key`,
      );
    }
  }
});

test('security.md §1.12 Example A', () => {
  const out = signPost({
    host: 'localhost:9324',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
    body: '{"QueueUrl":"http://localhost:9324/000000000000/orders","MessageBody":"hello world"}',
    credentials: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
    },
    region: 'us-east-1',
    service: 'sqs',
    now: new Date(Date.UTC(2025, 0, 15, 12, 0, 0)),
  });
  assert.equal(out['x-amz-date'], '20250115T120000Z');
  assert.equal(
    out.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/aws4_request, ' +
      'SignedHeaders=content-type;host;x-amz-date;x-amz-target, ' +
      'Signature=8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc',
  );
  assert.equal(out.host, undefined, 'Host is the browser\'s to send');
});

test('a session token is signed and sent', () => {
  const out = signPost({
    host: 'h',
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: '{}',
    credentials: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 'tok' },
    region: 'us-east-1',
    service: 'sqs',
  });
  assert.equal(out['x-amz-security-token'], 'tok');
  assert.match(out.authorization, /SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,/);
});
