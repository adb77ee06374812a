// The web console end to end: Debian's Chromium, headless, driven by playwright-core, against a
// wharf started by run.sh (WHARF_ENDPOINT). What the page shows is checked against the API,
// called here directly with the root keys (test/test) or an IAM user's.
//
// Screenshots of each step go to WHARF_CONSOLE_ARTIFACTS.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { signPost } from '../../src/console/assets/sigv4.js';

const ENDPOINT = process.env.WHARF_ENDPOINT;
const ARTIFACTS = process.env.WHARF_CONSOLE_ARTIFACTS || 'console-artifacts';
const CHROMIUM = process.env.WHARF_CHROMIUM || '/usr/bin/chromium';
const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };
const RUN = Date.now().toString(36);
const POLL_MS = 500; // the page's refresh period (?poll=)

assert.ok(ENDPOINT, 'WHARF_ENDPOINT must be set (tests/console/run.sh sets it)');
mkdirSync(ARTIFACTS, { recursive: true });

// --- a minimal signed client (the console's own SigV4 code; the server is the judge) -------

async function call(credentials, service, headers, body) {
  const signed = signPost({
    host: new URL(ENDPOINT).host,
    headers,
    body,
    credentials,
    region: 'us-east-1',
    service,
  });
  const response = await fetch(`${ENDPOINT}/`, { method: 'POST', headers: signed, body });
  return { status: response.status, text: await response.text() };
}

async function sqs(action, params = {}, credentials = ROOT) {
  const { status, text } = await call(
    credentials,
    'sqs',
    { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
    JSON.stringify(params),
  );
  const parsed = text ? JSON.parse(text) : {};
  if (status !== 200) throw new Error(`${action}: ${status} ${text}`);
  return parsed;
}

async function iam(params) {
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
  const { status, text } = await call(
    ROOT,
    'iam',
    { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  );
  if (status !== 200) throw new Error(`${params.Action}: ${status} ${text}`);
  return text;
}

async function createQueue(name, attributes = {}) {
  return (await sqs('CreateQueue', { QueueName: name, Attributes: attributes })).QueueUrl;
}

async function counts(url) {
  const { Attributes: a } = await sqs('GetQueueAttributes', {
    QueueUrl: url,
    AttributeNames: ['All'],
  });
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
    arn: a.QueueArn,
  };
}

async function eventually(what, fn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await fn()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

// --- the browser -----------------------------------------------------------------------------

let browser;
let page;
const offOrigin = []; // requests the page made anywhere but the server
const pageErrors = [];

async function shot(name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function signIn(accessKeyId, secretAccessKey) {
  await page.goto(`${ENDPOINT}/console?poll=${POLL_MS}`);
  await page.getByTestId('access-key').fill(accessKeyId);
  await page.getByTestId('secret-key').fill(secretAccessKey);
  await page.getByTestId('login').click();
}

async function signOut() {
  await page.getByTestId('logout').click();
  await page.getByTestId('login').waitFor();
}

function row(name) {
  return page.locator(`tr[data-testid="queue-row"][data-queue="${name}"]`);
}

async function openQueue(name) {
  await page.goto(`${ENDPOINT}/console?poll=${POLL_MS}#/queue/${encodeURIComponent(name)}`);
  await page.getByTestId('queue-name').filter({ hasText: name }).waitFor();
}

before(async () => {
  // Chromium's sandbox needs user namespaces or setuid helpers that a container running as
  // root does not give it, and Chromium refuses to start as root with the sandbox on; so
  // --no-sandbox only when running as root. The page is our own, from 127.0.0.1.
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: asRoot ? ['--no-sandbox'] : [],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith(ENDPOINT)) offOrigin.push(request.url());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
});

describe('console', () => {
  const a = `console-a-${RUN}`;
  const b = `console-b-${RUN}`;
  let aUrl;

  test('files are served with a strict policy and nothing from elsewhere', async () => {
    const response = await fetch(`${ENDPOINT}/console`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    const csp = response.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    const html = await response.text();
    assert.doesNotMatch(html, /<script>(?!<\/script>)/, 'no inline script');
    assert.doesNotMatch(html, /https?:\/\//, 'no absolute URL: nothing is fetched from elsewhere');
    const js = await fetch(`${ENDPOINT}/console/app.js`);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    const etag = js.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${ENDPOINT}/console/app.js`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await fetch(`${ENDPOINT}/console/nope.js`)).status, 404);
  });

  test('a wrong secret is refused', async () => {
    await signIn('test', 'not-the-secret');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    assert.match(await error.textContent(), /Sign-in refused: SignatureDoesNotMatch/);
    assert.equal(await page.getByTestId('queues-table').isVisible(), false);
    await shot('01-login-refused');
  });

  test('the queues table lists the queues created through the API', async () => {
    aUrl = await createQueue(a);
    await createQueue(b);
    await signIn('test', 'test');
    await row(a).waitFor();
    await row(b).waitFor();
    assert.match(await page.getByTestId('caller').textContent(), /arn:aws:iam::000000000000:root/);
    // A queue created while the page is open shows up without a reload.
    const c = `console-c-${RUN}`;
    await createQueue(c);
    await row(c).waitFor();
    await shot('02-queues');
  });

  test('counts change live after sends, without a reload', async () => {
    const visible = row(a).getByTestId('count-visible');
    await eventually('0 visible', async () => (await visible.textContent()) === '0');
    for (let i = 0; i < 3; i++) await sqs('SendMessage', { QueueUrl: aUrl, MessageBody: `hello ${i}` });
    await eventually('3 visible', async () => (await visible.textContent()) === '3');
    await eventually('a send rate', async () => Number(await row(a).getByTestId('rate-sent').textContent()) > 0);
    await shot('03-live-counts');
  });

  test('peek shows messages and leaves ApproximateReceiveCount alone', async () => {
    await openQueue(a);
    for (let round = 0; round < 2; round++) {
      await page.getByTestId('peek').click();
      await page.getByTestId('peek-row').nth(2).waitFor();
      assert.equal(await page.getByTestId('peek-row').count(), 3);
      assert.deepEqual(await page.getByTestId('peek-receives').allTextContents(), ['0', '0', '0']);
      assert.deepEqual(await page.getByTestId('peek-body').allTextContents(), ['hello 0', 'hello 1', 'hello 2']);
    }
    await shot('04-peek');
    const { visible, inFlight } = await counts(aUrl);
    assert.deepEqual({ visible, inFlight }, { visible: 3, inFlight: 0 }, 'nothing went in flight');
    const { Messages: received } = await sqs('ReceiveMessage', {
      QueueUrl: aUrl,
      MaxNumberOfMessages: 10,
      AttributeNames: ['ApproximateReceiveCount'],
    });
    assert.equal(received.length, 3);
    for (const m of received) assert.equal(m.Attributes.ApproximateReceiveCount, '1');
    // Now in flight, once received: the page says so.
    await page.getByTestId('peek').click();
    await eventually('in-flight rows', async () =>
      (await page.getByTestId('peek-receives').allTextContents()).join() === '1,1,1');
    assert.match(await page.getByTestId('peek-state').first().textContent(), /in flight/);
    await shot('05-peek-in-flight');
  });

  test('a test message sent from the page arrives', async () => {
    await page.getByTestId('send-body').fill('from the console');
    await page.getByTestId('send-attr-name').fill('origin');
    await page.getByTestId('send-attr-value').fill('browser');
    await page.getByTestId('send-submit').click();
    await page.getByTestId('notice').filter({ hasText: 'Sent message' }).waitFor();
    const { Messages: received = [] } = await sqs('ReceiveMessage', {
      QueueUrl: aUrl,
      MessageAttributeNames: ['All'],
    });
    assert.equal(received.length, 1);
    assert.equal(received[0].Body, 'from the console');
    assert.equal(received[0].MessageAttributes.origin.StringValue, 'browser');
  });

  test('purge empties the queue', async () => {
    await sqs('SendMessage', { QueueUrl: aUrl, MessageBody: 'to purge' });
    await eventually('visible count on the page', async () =>
      Number(await page.getByTestId('detail-visible').textContent()) >= 1);
    await page.getByTestId('purge').click();
    await page.getByTestId('purge-confirm').click();
    await page.getByTestId('notice').filter({ hasText: 'Purged' }).waitFor();
    await eventually('an empty queue', async () => {
      const c = await counts(aUrl);
      return c.visible === 0 && c.inFlight === 0;
    });
    await eventually('0 on the page', async () =>
      (await page.getByTestId('detail-visible').textContent()) === '0' &&
      (await page.getByTestId('detail-inflight').textContent()) === '0');
    await shot('06-purged');
  });

  test('a redrive moves messages from a dead-letter queue back to its source', async () => {
    const dlqName = `console-dlq-${RUN}`;
    const sourceName = `console-src-${RUN}`;
    const dlqUrl = await createQueue(dlqName);
    const { arn: dlqArn } = await counts(dlqUrl);
    const sourceUrl = await createQueue(sourceName, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
    });
    await sqs('SendMessage', { QueueUrl: sourceUrl, MessageBody: 'dead 1' });
    await sqs('SendMessage', { QueueUrl: sourceUrl, MessageBody: 'dead 2' });
    // Received once each (the limit), then the next receive moves them to the DLQ.
    await sqs('ReceiveMessage', { QueueUrl: sourceUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    await sqs('ReceiveMessage', { QueueUrl: sourceUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    await eventually('2 messages in the DLQ', async () => (await counts(dlqUrl)).visible === 2);

    await openQueue(dlqName);
    await page.getByTestId('dlq-source').filter({ hasText: sourceName }).waitFor();
    await openQueue(sourceName);
    await page.getByTestId('dlq-link').filter({ hasText: dlqName }).waitFor();
    await shot('07-redrive-policy');
    await openQueue(dlqName);
    await page.getByTestId('redrive-start').click();
    await eventually('messages back in the source', async () => {
      const [source, dlq] = await Promise.all([counts(sourceUrl), counts(dlqUrl)]);
      return source.visible === 2 && dlq.visible === 0;
    });
    await page.locator('[data-testid="move-task"][data-status="COMPLETED"]').waitFor({ timeout: 15000 });
    await shot('08-redrive-done');
  });

  test('create and delete a queue from the page', async () => {
    const name = `console-made-${RUN}`;
    await page.goto(`${ENDPOINT}/console?poll=${POLL_MS}#/`);
    await page.getByTestId('create-open').click();
    await page.getByTestId('create-name').fill(name);
    await page.getByTestId('create-submit').click();
    await row(name).waitFor();
    const { QueueUrls: urls } = await sqs('ListQueues', { QueueNamePrefix: name });
    assert.equal(urls.length, 1);
    await openQueue(name);
    await page.getByTestId('delete-queue').click();
    await page.getByTestId('delete-confirm').click();
    await page.getByTestId('queues-table').waitFor();
    await eventually('the queue gone', async () => {
      const { QueueUrls: left = [] } = await sqs('ListQueues', { QueueNamePrefix: name });
      return left.length === 0;
    });
    await row(name).waitFor({ state: 'detached' });
  });

  test('a user without sqs:ReceiveMessage cannot peek', async () => {
    const user = `console-viewer-${RUN}`;
    await iam({ Action: 'CreateUser', UserName: user });
    await iam({
      Action: 'PutUserPolicy',
      UserName: user,
      PolicyName: 'look-but-do-not-receive',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'sqs:ListQueues',
              'sqs:GetQueueUrl',
              'sqs:GetQueueAttributes',
              'sqs:ListQueueTags',
              'sqs:ListDeadLetterSourceQueues',
            ],
            Resource: '*',
          },
        ],
      }),
    });
    const created = await iam({ Action: 'CreateAccessKey', UserName: user });
    const keyId = created.match(/<AccessKeyId>([^<]+)</)[1];
    const secret = created.match(/<SecretAccessKey>([^<]+)</)[1];
    await sqs('SendMessage', { QueueUrl: aUrl, MessageBody: 'secret' });

    await signOut();
    await signIn(keyId, secret);
    await row(a).waitFor();
    assert.match(await page.getByTestId('caller').textContent(), new RegExp(`:user/${user}$`));
    await openQueue(a);
    await page.getByTestId('peek').click();
    const error = page.getByTestId('error');
    await error.filter({ hasText: 'AccessDenied' }).waitFor();
    assert.match(await error.textContent(), /sqs:ReceiveMessage/i); // AWS prints it lower-case
    assert.equal(await page.getByTestId('peek-row').count(), 0);
    await shot('09-peek-denied');
    // Nor can the user purge (an ordinary SQS call, authorised as one).
    await page.getByTestId('purge').click();
    await page.getByTestId('purge-confirm').click();
    await error.filter({ hasText: 'sqs:PurgeQueue' }).waitFor();
    assert.equal((await counts(aUrl)).visible, 1);
    await signOut();
  });

  test('the page asked nothing of any other origin and threw nothing', () => {
    assert.deepEqual(offOrigin, []);
    assert.deepEqual(pageErrors, []);
  });
});
