// Shared helpers for Wharf's Node.js integration tests.
//
// Every behaviour that does not depend on the wire protocol is tested twice: once with the current
// AWS SDK for JavaScript v3 (`@aws-sdk/client-sqs`, AWS JSON 1.0) and once with the last generation
// that speaks the AWS Query protocol (`sqs-query` = `@aws-sdk/client-sqs@3.445.0`, form-encoded
// requests, XML responses). Clients are configured exactly as a user would configure them, with the
// SDK's MD5 validation left on.
//
// The expected values (error codes, HTTP statuses, texts, MD5 digests) come from
// shared/docs/sqs-api.md; section numbers are cited next to the assertions.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

const require = createRequire(import.meta.url);
const JsonSdk = require('@aws-sdk/client-sqs');
const QuerySdk = require('sqs-query');

export const ENDPOINT = process.env.WHARF_ENDPOINT;
if (!ENDPOINT) {
  throw new Error('WHARF_ENDPOINT is not set (run the tests through tests/integration/run.sh)');
}
export const ENDPOINT_URL = new URL(ENDPOINT);
export const ACCOUNT = '000000000000';

// The backend under test: run.sh passes WHARF_SERVE_EXTRA to `wharf serve`
// (tests/postgres/sqs_suites.sh sets it to the PostgreSQL backend).
export const ON_POSTGRES = /--storage[= ]postgres\b/.test(process.env.WHARF_SERVE_EXTRA ?? '');
// Options for a test of something the PostgreSQL backend does not do yet (docs/postgres.md,
// "Not yet"): skipped there, with the reason in the report; run against every other backend.
export function notOnPostgresYet(reason) {
  return ON_POSTGRES ? { skip: `--storage postgres does not do this yet: ${reason}` } : {};
}
export const REGION = 'us-east-1';

function makeClient(sdk) {
  return new sdk.SQSClient({
    endpoint: process.env.WHARF_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

class Protocol {
  constructor(name, sdk) {
    this.name = name; // 'json' | 'query'
    this.sdk = sdk;
    this.client = makeClient(sdk);
  }

  get isJson() {
    return this.name === 'json';
  }

  // send('SendMessage', {...}) → client.send(new SendMessageCommand({...}))
  send(op, input = {}) {
    const Command = this.sdk[`${op}Command`];
    if (!Command) throw new Error(`${this.name} SDK has no ${op}Command`);
    return this.client.send(new Command(input));
  }

  // The receive-side system attribute selector. The Query-era SDK (3.445) only has the deprecated
  // `AttributeNames` member (serialised as AttributeName.N); the current SDK has
  // `MessageSystemAttributeNames`. Both mean the same thing (§2.9).
  sysAttrs(names) {
    return this.isJson ? { MessageSystemAttributeNames: names } : { AttributeNames: names };
  }
}

const ALL_PROTOCOLS = [new Protocol('json', JsonSdk), new Protocol('query', QuerySdk)];
// WHARF_JS_PROTOCOLS=json (or query) restricts a run to one client, for debugging.
const only = process.env.WHARF_JS_PROTOCOLS;
export const PROTOCOLS = only
  ? ALL_PROTOCOLS.filter((p) => only.split(',').includes(p.name))
  : ALL_PROTOCOLS;
export const JSON_PROTOCOL = ALL_PROTOCOLS[0];
export { JsonSdk, QuerySdk };

// ---------------------------------------------------------------------------------------------
// Names, queues, cleanup

export function randomSuffix(n = 8) {
  return crypto.randomBytes(16).toString('hex').slice(0, n);
}

// A queue name that is unique per run, protocol and test: `<prefix>-<protocol>-<random>`.
export function uniqueName(prefix, P) {
  const name = `${prefix}-${P ? P.name + '-' : ''}${randomSuffix(10)}`;
  assert.ok(name.length <= 80, `queue name too long: ${name}`);
  return name;
}

export function expectedQueueUrl(name) {
  // §5.1: <scheme>://<host the client used>[:port]/<account-id>/<queue-name>
  return `${ENDPOINT_URL.protocol}//${ENDPOINT_URL.host}/${ACCOUNT}/${name}`;
}

export function queueArn(name) {
  return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
}

// Tracks queues created by a test file and deletes them in an `after` hook.
export class Queues {
  constructor(P) {
    this.P = P;
    this.urls = new Set();
  }

  async create(prefix, Attributes, tags) {
    const name = uniqueName(prefix, this.P);
    const input = { QueueName: name };
    if (Attributes) input.Attributes = Attributes;
    if (tags) input.tags = tags;
    const r = await this.P.send('CreateQueue', input);
    assert.equal(typeof r.QueueUrl, 'string');
    this.urls.add(r.QueueUrl);
    return { name, url: r.QueueUrl };
  }

  track(url) {
    this.urls.add(url);
  }

  async cleanup() {
    for (const url of this.urls) {
      try {
        await this.P.send('DeleteQueue', { QueueUrl: url });
      } catch {
        // already deleted by the test, or the server is gone: nothing to do
      }
    }
    this.urls.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

// The legacy Query error code as the SDK exposes it. The JSON client takes it from the
// x-amzn-query-error header (error.Code); the Query client has it in error.Code, or for modelled
// errors in error.Error.Code.
export function errorCode(e) {
  return e?.Code ?? e?.Error?.Code;
}

export function errorMessage(e) {
  if (e?.message && e.message !== 'UnknownError') return e.message;
  return e?.Error?.Message ?? e?.message;
}

// Well-known errors: Query code, JSON shape (the error class name the current SDK picks) and
// HTTP status (§6.1). `status` may be an array when the spec allows either value.
export const ERR = {
  NonExistentQueue: { code: 'AWS.SimpleQueueService.NonExistentQueue', shape: 'QueueDoesNotExist', status: 400 },
  QueueAlreadyExists: { code: 'QueueAlreadyExists', shape: 'QueueNameExists', status: 400 },
  QueueDeletedRecently: { code: 'AWS.SimpleQueueService.QueueDeletedRecently', shape: 'QueueDeletedRecently', status: 400 },
  InvalidAttributeName: { code: 'InvalidAttributeName', shape: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { code: 'InvalidAttributeValue', shape: 'InvalidAttributeValue', status: 400 },
  // Not modelled in the SDK: the JSON client names the error after the header code.
  InvalidParameterValue: { code: 'InvalidParameterValue', shape: 'InvalidParameterValue', status: 400 },
  MissingParameter: { code: 'MissingParameter', shape: 'MissingParameter', status: 400 },
  InvalidMessageContents: { code: 'InvalidMessageContents', shape: 'InvalidMessageContents', status: 400 },
  EmptyBatchRequest: { code: 'AWS.SimpleQueueService.EmptyBatchRequest', shape: 'EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: {
    code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    shape: 'TooManyEntriesInBatchRequest',
    status: 400,
  },
  BatchEntryIdsNotDistinct: {
    code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    shape: 'BatchEntryIdsNotDistinct',
    status: 400,
  },
  InvalidBatchEntryId: { code: 'AWS.SimpleQueueService.InvalidBatchEntryId', shape: 'InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { code: 'AWS.SimpleQueueService.BatchRequestTooLong', shape: 'BatchRequestTooLong', status: 400 },
  PurgeQueueInProgress: { code: 'AWS.SimpleQueueService.PurgeQueueInProgress', shape: 'PurgeQueueInProgress', status: 403 },
  // §6.1 / Appendix C: 404 in the current model, 400 in older models and LocalStack; SDKs key on
  // the code, so either status is accepted.
  ReceiptHandleIsInvalid: { code: 'ReceiptHandleIsInvalid', shape: 'ReceiptHandleIsInvalid', status: [400, 404] },
  // security.md §1.10 and §2.9: not modelled by SQS, so the JSON client names them after the code.
  AccessDenied: { code: 'AccessDenied', shape: 'AccessDenied', status: 403 },
  SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', shape: 'SignatureDoesNotMatch', status: 403 },
  InvalidClientTokenId: { code: 'InvalidClientTokenId', shape: 'InvalidClientTokenId', status: 403 },
  OverLimit: { code: 'OverLimit', shape: 'OverLimit', status: 403 },
};

// A client of the same SDK signing with other credentials (another account, a wrong secret), or
// talking to another endpoint of the same server (the HTTP or the HTTPS listener).
export function clientWith(P, credentials, endpoint = ENDPOINT) {
  const client = new P.sdk.SQSClient({ endpoint, region: REGION, credentials });
  return {
    name: P.name,
    isJson: P.isJson,
    sdk: P.sdk,
    send(op, input = {}) {
      return client.send(new P.sdk[`${op}Command`](input));
    },
  };
}

// The second account run.sh declares in the server's configuration file.
export const SECOND = {
  account: process.env.WHARF_SECOND_ACCOUNT,
  credentials: {
    accessKeyId: process.env.WHARF_SECOND_ACCESS_KEY,
    secretAccessKey: process.env.WHARF_SECOND_SECRET_KEY,
  },
};

export const NON_EXISTENT_QUEUE_TEXT = {
  json: 'The specified queue does not exist.',
  query: 'The specified queue does not exist for this wsdl version.',
};

// Awaits `promiseOrFn`, which must reject with the given SQS error. `message` is an exact string
// or a RegExp. Returns the error for further checks.
export async function expectSqsError(P, promiseOrFn, err, { message } = {}) {
  let error;
  try {
    const p = typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn;
    const result = await p;
    assert.fail(`[${P.name}] expected error ${err.code}, but the call succeeded: ${safeJson(result)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    error = e;
  }
  const where = `[${P.name}] ${err.code}: got name=${error?.name} Code=${errorCode(error)} ` +
    `status=${error?.$metadata?.httpStatusCode} message=${JSON.stringify(errorMessage(error))}`;
  assert.ok(error?.$metadata, `${where}: not a service error (${error?.stack ?? error})`);
  assert.equal(errorCode(error), err.code, `${where}: wrong error code`);
  if (P.isJson) {
    // The error class/name the current SDK chooses from the JSON __type / header (§1.4.3).
    assert.equal(error.name, err.shape, `${where}: wrong error name`);
  }
  const statuses = Array.isArray(err.status) ? err.status : [err.status];
  assert.ok(statuses.includes(error.$metadata.httpStatusCode), `${where}: wrong HTTP status, want ${statuses}`);
  if (message instanceof RegExp) {
    assert.match(errorMessage(error) ?? '', message, `${where}: wrong message`);
  } else if (message !== undefined) {
    assert.equal(errorMessage(error), message, `${where}: wrong message`);
  }
  return error;
}

function safeJson(v) {
  try {
    return JSON.stringify(v, (k, x) => (k === '$metadata' ? undefined : x));
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------------------------
// MD5 (§4.6)

export function md5Hex(data) {
  return crypto.createHash('md5').update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).digest('hex');
}

function be32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function lenBytes(buf) {
  return Buffer.concat([be32(buf.length), buf]);
}

// MD5OfMessageAttributes / MD5OfMessageSystemAttributes over a map name → {DataType, StringValue|BinaryValue}.
export function md5OfAttributes(attrs) {
  const names = Object.keys(attrs).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const parts = [];
  for (const name of names) {
    const a = attrs[name];
    parts.push(lenBytes(Buffer.from(name, 'utf8')));
    parts.push(lenBytes(Buffer.from(a.DataType, 'utf8')));
    const binary = a.DataType.startsWith('Binary');
    parts.push(Buffer.from([binary ? 2 : 1]));
    parts.push(lenBytes(binary ? Buffer.from(a.BinaryValue) : Buffer.from(a.StringValue, 'utf8')));
  }
  return md5Hex(Buffer.concat(parts));
}

// Size of a message as counted against MaximumMessageSize (§4.2).
export function messageSize(body, attrs = {}) {
  let n = Buffer.byteLength(body, 'utf8');
  for (const [name, a] of Object.entries(attrs)) {
    n += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(a.DataType, 'utf8');
    n += a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue).length : Buffer.byteLength(a.StringValue, 'utf8');
  }
  return n;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MD5_RE = /^[0-9a-f]{32}$/;

// ---------------------------------------------------------------------------------------------
// Messages, counters, timing

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Receives until `count` messages (distinct MessageIds) have been collected or `timeoutMs` passed.
export async function receiveN(P, url, count, { timeoutMs = 15000, ...input } = {}) {
  const got = new Map();
  const deadline = Date.now() + timeoutMs;
  while (got.size < count && Date.now() < deadline) {
    const r = await P.send('ReceiveMessage', {
      QueueUrl: url,
      MaxNumberOfMessages: Math.min(10, count - got.size),
      WaitTimeSeconds: 1,
      ...input,
    });
    for (const m of r.Messages ?? []) got.set(m.MessageId, m);
  }
  return [...got.values()];
}

export async function receiveOne(P, url, input = {}) {
  const msgs = await receiveN(P, url, 1, input);
  assert.equal(msgs.length, 1, `[${P.name}] expected a message on ${url}`);
  return msgs[0];
}

// Short-poll receive that must return nothing.
export async function assertEmptyReceive(P, url, input = {}) {
  const r = await P.send('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0, MaxNumberOfMessages: 10, ...input });
  assert.equal((r.Messages ?? []).length, 0, `[${P.name}] expected no receivable message, got ${safeJson(r.Messages)}`);
  return r;
}

export async function getAttributes(P, url, names = ['All']) {
  const r = await P.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: names });
  return r.Attributes ?? {};
}

export async function counts(P, url) {
  const a = await getAttributes(P, url, [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
  ]);
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    notVisible: Number(a.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed),
  };
}

export async function assertCounts(P, url, expected, what = '') {
  const c = await counts(P, url);
  assert.deepEqual(c, expected, `[${P.name}] queue counters ${what}`);
}

// assertCounts for a state that arrives asynchronously (a dead-letter move landing): polls until
// the counters match, then asserts; fails with the last counters after `timeoutMs`.
export async function assertCountsSoon(P, url, expected, what = '', { timeoutMs = 10000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let c = await counts(P, url);
  while (!isDeepStrictEqual(c, expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    c = await counts(P, url);
  }
  assert.deepEqual(c, expected, `[${P.name}] queue counters ${what} (after up to ${timeoutMs} ms)`);
}

export async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { value, ms };
}
