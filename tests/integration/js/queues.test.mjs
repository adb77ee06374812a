// Queue management: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes,
// TagQueue/UntagQueue/ListQueueTags (sqs-api.md §2.1–2.6, §2.21–2.23, §3).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, Queues, ERR, NON_EXISTENT_QUEUE_TEXT, expectSqsError, expectedQueueUrl, queueArn,
  uniqueName, randomSuffix, getAttributes, assertCounts, sleep, receiveOne,
} from './helpers.mjs';

for (const P of PROTOCOLS) {
  describe(`queues [${P.name}]`, () => {
    const queues = new Queues(P);
    after(() => queues.cleanup());

    describe('CreateQueue', () => {
      test('returns a URL of the form <scheme>://<host>:<port>/000000000000/<name> (the endpoint\'s scheme)', async () => {
        const { name, url } = await queues.create('cq-url');
        assert.equal(url, expectedQueueUrl(name));
      });

      test('is idempotent when the given attributes equal the current ones', async () => {
        const { name, url } = await queues.create('cq-idem', { VisibilityTimeout: '45', DelaySeconds: '3' });
        const again = await P.send('CreateQueue', { QueueName: name, Attributes: { VisibilityTimeout: '45', DelaySeconds: '3' } });
        assert.equal(again.QueueUrl, url);
        // A subset of equal attributes, and no attributes at all, also return the URL (§2.1).
        const subset = await P.send('CreateQueue', { QueueName: name, Attributes: { DelaySeconds: '3' } });
        assert.equal(subset.QueueUrl, url);
        const bare = await P.send('CreateQueue', { QueueName: name });
        assert.equal(bare.QueueUrl, url);
      });

      test('a differing attribute value → QueueAlreadyExists', async () => {
        const { name } = await queues.create('cq-exists', { VisibilityTimeout: '45' });
        await expectSqsError(
          P,
          P.send('CreateQueue', { QueueName: name, Attributes: { VisibilityTimeout: '60' } }),
          ERR.QueueAlreadyExists,
          { message: 'A queue already exists with the same name and a different value for attribute VisibilityTimeout' },
        );
      });

      test('compares against values changed later by SetQueueAttributes', async () => {
        const { name, url } = await queues.create('cq-current', { VisibilityTimeout: '45' });
        await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { VisibilityTimeout: '60' } });
        const r = await P.send('CreateQueue', { QueueName: name, Attributes: { VisibilityTimeout: '60' } });
        assert.equal(r.QueueUrl, url);
        await expectSqsError(P, P.send('CreateQueue', { QueueName: name, Attributes: { VisibilityTimeout: '45' } }),
          ERR.QueueAlreadyExists);
      });

      test('accepts an 80-character name', async () => {
        const name = `n80-${P.name}-${randomSuffix(10)}`.padEnd(80, 'x');
        assert.equal(name.length, 80);
        const r = await P.send('CreateQueue', { QueueName: name });
        queues.track(r.QueueUrl);
        assert.equal(r.QueueUrl, expectedQueueUrl(name));
      });

      const badNames = [
        ['81 characters', () => `n81-${randomSuffix(10)}`.padEnd(81, 'x')],
        ['a dot', () => `bad.name${randomSuffix()}`],
        ['a space', () => `bad name${randomSuffix()}`],
        ['a slash', () => `bad/name${randomSuffix()}`],
        ['a dollar sign', () => `bad$name${randomSuffix()}`],
        ['a colon', () => `bad:name${randomSuffix()}`],
        ['a non-ASCII letter', () => `bäd${randomSuffix()}`],
        ['a .fifo suffix without FifoQueue=true', () => `std-${randomSuffix()}.fifo`],
      ];
      for (const [what, makeName] of badNames) {
        test(`a name with ${what} → InvalidParameterValue`, async () => {
          const name = makeName();
          await expectSqsError(P, () => P.send('CreateQueue', { QueueName: name }), ERR.InvalidParameterValue);
          // …and nothing was created.
          await expectSqsError(P, () => P.send('GetQueueUrl', { QueueName: name }), ERR.NonExistentQueue);
        });
      }

      test('an unknown attribute name → InvalidAttributeName', async () => {
        await expectSqsError(
          P,
          P.send('CreateQueue', { QueueName: uniqueName('cq-unknown', P), Attributes: { NoSuchAttribute: '1' } }),
          ERR.InvalidAttributeName,
          { message: 'Unknown Attribute NoSuchAttribute.' },
        );
      });

      const badValues = [
        ['VisibilityTimeout', '43201'],
        ['VisibilityTimeout', '-1'],
        ['VisibilityTimeout', 'abc'],
        ['DelaySeconds', '901'],
        ['MaximumMessageSize', '1023'],
        ['MaximumMessageSize', '1048577'],
        ['MessageRetentionPeriod', '59'],
        ['MessageRetentionPeriod', '1209601'],
        ['ReceiveMessageWaitTimeSeconds', '21'],
      ];
      for (const [attr, value] of badValues) {
        test(`${attr}=${value} → InvalidAttributeValue`, async () => {
          const name = uniqueName('cq-badval', P);
          await expectSqsError(P, P.send('CreateQueue', { QueueName: name, Attributes: { [attr]: value } }),
            ERR.InvalidAttributeValue);
          await expectSqsError(P, () => P.send('GetQueueUrl', { QueueName: name }), ERR.NonExistentQueue);
        });
      }

      test('boundary attribute values are accepted', async () => {
        const { url } = await queues.create('cq-bounds', {
          VisibilityTimeout: '43200',
          DelaySeconds: '900',
          MaximumMessageSize: '1024',
          MessageRetentionPeriod: '60',
          ReceiveMessageWaitTimeSeconds: '20',
        });
        const a = await getAttributes(P, url);
        assert.equal(a.VisibilityTimeout, '43200');
        assert.equal(a.DelaySeconds, '900');
        assert.equal(a.MaximumMessageSize, '1024');
        assert.equal(a.MessageRetentionPeriod, '60');
        assert.equal(a.ReceiveMessageWaitTimeSeconds, '20');
      });

      test('boolean attribute values are accepted case-insensitively and returned lower-case', async () => {
        const { name, url } = await queues.create('cq-bool', { SqsManagedSseEnabled: 'False' });
        assert.equal((await getAttributes(P, url, ['SqsManagedSseEnabled'])).SqsManagedSseEnabled, 'false');
        // Idempotency compares booleans case-insensitively (§2.1).
        const again = await P.send('CreateQueue', { QueueName: name, Attributes: { SqsManagedSseEnabled: 'FALSE' } });
        assert.equal(again.QueueUrl, url);
        await expectSqsError(P, P.send('CreateQueue', { QueueName: name, Attributes: { SqsManagedSseEnabled: 'true' } }),
          ERR.QueueAlreadyExists);
      });

      test('SSE-KMS and SSE-SQS together → InvalidAttributeName', async () => {
        await expectSqsError(
          P,
          P.send('CreateQueue', {
            QueueName: uniqueName('cq-sse', P),
            Attributes: { KmsMasterKeyId: 'alias/aws/sqs', SqsManagedSseEnabled: 'true' },
          }),
          ERR.InvalidAttributeName,
          { message: 'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.' },
        );
      });

      test('FifoQueue=true on a name without .fifo → InvalidParameterValue', async () => {
        await expectSqsError(
          P,
          P.send('CreateQueue', { QueueName: uniqueName('cq-fifoattr', P), Attributes: { FifoQueue: 'true' } }),
          ERR.InvalidParameterValue,
        );
      });

      test('FifoQueue=false on a standard queue → InvalidAttributeName', async () => {
        await expectSqsError(
          P,
          P.send('CreateQueue', { QueueName: uniqueName('cq-fifofalse', P), Attributes: { FifoQueue: 'false' } }),
          ERR.InvalidAttributeName,
          { message: 'Unknown Attribute FifoQueue.' },
        );
      });

      test('ContentBasedDeduplication on a standard queue → InvalidAttributeName', async () => {
        await expectSqsError(
          P,
          P.send('CreateQueue', {
            QueueName: uniqueName('cq-cbd', P),
            Attributes: { ContentBasedDeduplication: 'true' },
          }),
          ERR.InvalidAttributeName,
          { message: 'Unknown Attribute ContentBasedDeduplication.' },
        );
      });
    });

    describe('GetQueueUrl', () => {
      test('returns the URL CreateQueue returned', async () => {
        const { name, url } = await queues.create('gqu');
        const r = await P.send('GetQueueUrl', { QueueName: name });
        assert.equal(r.QueueUrl, url);
      });

      test('unknown queue → QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue, HTTP 400)', async () => {
        const e = await expectSqsError(
          P,
          P.send('GetQueueUrl', { QueueName: uniqueName('gqu-missing', P) }),
          ERR.NonExistentQueue,
          { message: NON_EXISTENT_QUEUE_TEXT[P.name] },
        );
        assert.equal(e.$metadata.httpStatusCode, 400);
        if (P.isJson) {
          // error.Code comes from the x-amzn-query-error header (§1.4.3); the class is QueueDoesNotExist.
          assert.equal(e.Code, 'AWS.SimpleQueueService.NonExistentQueue');
          assert.equal(e.Type, 'Sender');
          assert.ok(e instanceof P.sdk.QueueDoesNotExist);
        }
      });

      test('QueueOwnerAWSAccountId of the caller\'s account returns the same URL', async () => {
        const { name, url } = await queues.create('gqu-owner');
        const r = await P.send('GetQueueUrl', { QueueName: name, QueueOwnerAWSAccountId: '000000000000' });
        assert.equal(r.QueueUrl, url);
      });

      test('missing QueueName → MissingParameter', async () => {
        await expectSqsError(P, P.send('GetQueueUrl', {}), ERR.MissingParameter,
          { message: 'The request must contain the parameter QueueName.' });
      });

      test('queue names are case-sensitive', async () => {
        const { name } = await queues.create('gqu-case');
        await expectSqsError(P, P.send('GetQueueUrl', { QueueName: name.toUpperCase() }), ERR.NonExistentQueue);
      });
    });

    describe('ListQueues', () => {
      const prefix = `lq${randomSuffix(6)}-${P.name}`;
      const names = ['a', 'b', 'c', 'd', 'e'].map((s) => `${prefix}-${s}`);
      let urls;

      before(async () => {
        urls = [];
        for (const n of names) {
          const r = await P.send('CreateQueue', { QueueName: n });
          queues.track(r.QueueUrl);
          urls.push(r.QueueUrl);
        }
      });

      test('QueueNamePrefix filters, without NextToken when MaxResults is absent', async () => {
        const r = await P.send('ListQueues', { QueueNamePrefix: prefix });
        assert.deepEqual([...(r.QueueUrls ?? [])].sort(), [...urls].sort());
        assert.equal(r.NextToken, undefined);
        const one = await P.send('ListQueues', { QueueNamePrefix: `${prefix}-c` });
        assert.deepEqual(one.QueueUrls, [expectedQueueUrl(`${prefix}-c`)]);
      });

      test('the prefix match is case-sensitive', async () => {
        const r = await P.send('ListQueues', { QueueNamePrefix: prefix.toUpperCase() });
        assert.equal((r.QueueUrls ?? []).length, 0);
      });

      test('without a prefix the list contains the new queues', async () => {
        const r = await P.send('ListQueues', {});
        for (const u of urls) assert.ok(r.QueueUrls.includes(u), `${u} missing from ListQueues`);
        assert.equal(r.NextToken, undefined);
      });

      test('MaxResults + NextToken pages through all queues exactly once', async () => {
        const seen = [];
        let token;
        let pages = 0;
        do {
          const r = await P.send('ListQueues', { QueueNamePrefix: prefix, MaxResults: 2, ...(token ? { NextToken: token } : {}) });
          pages += 1;
          assert.ok(r.QueueUrls.length >= 1 && r.QueueUrls.length <= 2, `page size ${r.QueueUrls.length}`);
          seen.push(...r.QueueUrls);
          token = r.NextToken;
          assert.ok(pages <= 10, 'paging does not terminate');
        } while (token);
        assert.equal(pages, 3);
        assert.equal(seen.length, 5);
        assert.deepEqual([...seen].sort(), [...urls].sort());
      });

      test('a token continues after the last item, with a different page size (§2.3)', async () => {
        const first = await P.send('ListQueues', { QueueNamePrefix: prefix, MaxResults: 2 });
        assert.equal(first.QueueUrls.length, 2);
        assert.ok(first.NextToken, 'NextToken expected when more queues remain');
        const rest = await P.send('ListQueues', { QueueNamePrefix: prefix, MaxResults: 10, NextToken: first.NextToken });
        assert.equal(rest.QueueUrls.length, 3);
        assert.equal(rest.NextToken, undefined);
        assert.deepEqual([...first.QueueUrls, ...rest.QueueUrls].sort(), [...urls].sort());
      });

      test('MaxResults equal to the number of matches → no NextToken', async () => {
        const r = await P.send('ListQueues', { QueueNamePrefix: prefix, MaxResults: 5 });
        assert.equal(r.QueueUrls.length, 5);
        assert.equal(r.NextToken, undefined);
      });

      test('no match → QueueUrls omitted', async () => {
        const r = await P.send('ListQueues', { QueueNamePrefix: `nomatch-${randomSuffix(12)}` });
        if (P.isJson) {
          assert.equal(r.QueueUrls, undefined, 'JSON: QueueUrls must be omitted when empty (§2.3)');
        } else {
          assert.equal((r.QueueUrls ?? []).length, 0);
        }
        assert.equal(r.NextToken, undefined);
      });
    });

    describe('DeleteQueue', () => {
      test('deleted queue → QueueDoesNotExist; re-create within 60 s → QueueDeletedRecently', async () => {
        const { name, url } = await queues.create('dq');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'doomed' });
        await P.send('DeleteQueue', { QueueUrl: url });
        await expectSqsError(P, P.send('GetQueueUrl', { QueueName: name }), ERR.NonExistentQueue,
          { message: NON_EXISTENT_QUEUE_TEXT[P.name] });
        await expectSqsError(P, P.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] }),
          ERR.NonExistentQueue);
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'x' }), ERR.NonExistentQueue);
        await expectSqsError(P, P.send('DeleteQueue', { QueueUrl: url }), ERR.NonExistentQueue);
        const r = await P.send('ListQueues', { QueueNamePrefix: name });
        assert.equal((r.QueueUrls ?? []).length, 0);
        await expectSqsError(P, P.send('CreateQueue', { QueueName: name }), ERR.QueueDeletedRecently, {
          message: 'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
        });
      });
    });

    describe('GetQueueAttributes', () => {
      test('All on a fresh standard queue returns exactly the §3.1 default set', async () => {
        const before = Math.floor(Date.now() / 1000);
        const { name, url } = await queues.create('gqa-all');
        const after_ = Math.ceil(Date.now() / 1000);
        const a = await getAttributes(P, url, ['All']);
        assert.deepEqual(Object.keys(a).sort(), [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesDelayed',
          'ApproximateNumberOfMessagesNotVisible',
          'CreatedTimestamp',
          'DelaySeconds',
          'LastModifiedTimestamp',
          'MaximumMessageSize',
          'MessageRetentionPeriod',
          'QueueArn',
          'ReceiveMessageWaitTimeSeconds',
          'SqsManagedSseEnabled',
          'VisibilityTimeout',
        ]);
        assert.equal(a.ApproximateNumberOfMessages, '0');
        assert.equal(a.ApproximateNumberOfMessagesDelayed, '0');
        assert.equal(a.ApproximateNumberOfMessagesNotVisible, '0');
        assert.equal(a.DelaySeconds, '0');
        assert.equal(a.MaximumMessageSize, '1048576');
        assert.equal(a.MessageRetentionPeriod, '345600');
        assert.equal(a.ReceiveMessageWaitTimeSeconds, '0');
        assert.equal(a.SqsManagedSseEnabled, 'true');
        assert.equal(a.VisibilityTimeout, '30');
        assert.equal(a.QueueArn, queueArn(name));
        // Timestamps are epoch seconds (§3.1), not milliseconds.
        for (const k of ['CreatedTimestamp', 'LastModifiedTimestamp']) {
          assert.match(a[k], /^\d+$/, k);
          const t = Number(a[k]);
          assert.ok(t >= before - 5 && t <= after_ + 5, `${k}=${a[k]} not within [${before}, ${after_}] (epoch seconds)`);
        }
      });

      test('single names return only those attributes', async () => {
        const { name, url } = await queues.create('gqa-single');
        assert.deepEqual(await getAttributes(P, url, ['VisibilityTimeout']), { VisibilityTimeout: '30' });
        assert.deepEqual(await getAttributes(P, url, ['QueueArn', 'DelaySeconds']), {
          QueueArn: queueArn(name),
          DelaySeconds: '0',
        });
      });

      test('unset attributes (Policy, RedrivePolicy) are omitted; no names → empty result', async () => {
        const { url } = await queues.create('gqa-unset');
        assert.deepEqual(await getAttributes(P, url, ['Policy', 'RedrivePolicy']), {});
        const r = await P.send('GetQueueAttributes', { QueueUrl: url });
        assert.deepEqual(r.Attributes ?? {}, {});
      });

      test('an unknown attribute name → InvalidAttributeName', async () => {
        const { url } = await queues.create('gqa-unknown');
        await expectSqsError(P, P.send('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['NoSuchAttribute'] }),
          ERR.InvalidAttributeName, { message: 'Unknown Attribute NoSuchAttribute.' });
      });

      test('unknown queue → QueueDoesNotExist', async () => {
        const { url } = await queues.create('gqa-gone');
        const missing = url.replace(/[^/]+$/, uniqueName('gqa-never', P));
        await expectSqsError(P, P.send('GetQueueAttributes', { QueueUrl: missing, AttributeNames: ['All'] }),
          ERR.NonExistentQueue);
      });

      test('ApproximateNumberOfMessages / NotVisible / Delayed follow the messages', async () => {
        const { url } = await queues.create('gqa-counters');
        await assertCounts(P, url, { visible: 0, notVisible: 0, delayed: 0 }, 'fresh');
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'one' });
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'two' });
        await P.send('SendMessage', { QueueUrl: url, MessageBody: 'later', DelaySeconds: 600 });
        await assertCounts(P, url, { visible: 2, notVisible: 0, delayed: 1 }, 'after 2 sends + 1 delayed send');
        const m = await receiveOne(P, url, { VisibilityTimeout: 600 });
        await assertCounts(P, url, { visible: 1, notVisible: 1, delayed: 1 }, 'after receiving one');
        await P.send('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
        await assertCounts(P, url, { visible: 1, notVisible: 0, delayed: 1 }, 'after deleting it');
        const m2 = await receiveOne(P, url, { VisibilityTimeout: 600 });
        await P.send('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m2.ReceiptHandle, VisibilityTimeout: 0 });
        await assertCounts(P, url, { visible: 1, notVisible: 0, delayed: 1 }, 'after making the second visible again');
      });
    });

    describe('SetQueueAttributes', () => {
      test('values round-trip and LastModifiedTimestamp advances', async () => {
        const { url } = await queues.create('sqa');
        const before = await getAttributes(P, url);
        await sleep(1200); // timestamps are in seconds
        const values = {
          VisibilityTimeout: '100',
          DelaySeconds: '5',
          MaximumMessageSize: '2048',
          MessageRetentionPeriod: '3600',
          ReceiveMessageWaitTimeSeconds: '3',
        };
        await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: values });
        const a = await getAttributes(P, url);
        for (const [k, v] of Object.entries(values)) assert.equal(a[k], v, k);
        assert.equal(a.CreatedTimestamp, before.CreatedTimestamp, 'CreatedTimestamp must not change');
        assert.ok(Number(a.LastModifiedTimestamp) > Number(before.LastModifiedTimestamp),
          `LastModifiedTimestamp ${before.LastModifiedTimestamp} → ${a.LastModifiedTimestamp}`);
        assert.ok(Number(a.LastModifiedTimestamp) <= Math.ceil(Date.now() / 1000) + 5);
      });

      test('Policy round-trips and "" removes it', async () => {
        const { name, url } = await queues.create('sqa-policy');
        const policy = {
          Version: '2012-10-17',
          Id: 'wharf-test',
          Statement: [{
            Sid: 'owner-send',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::000000000000:root' },
            Action: 'sqs:SendMessage',
            Resource: queueArn(name),
          }],
        };
        await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } });
        const a = await getAttributes(P, url, ['Policy']);
        assert.deepEqual(JSON.parse(a.Policy), policy);
        assert.ok('Policy' in (await getAttributes(P, url, ['All'])), 'All must include a set Policy');
        await P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { Policy: '' } });
        assert.deepEqual(await getAttributes(P, url, ['Policy']), {});
        assert.ok(!('Policy' in (await getAttributes(P, url, ['All']))), 'All must not include a removed Policy');
      });

      test('invalid value → InvalidAttributeValue, unknown name → InvalidAttributeName; nothing changes', async () => {
        const { url } = await queues.create('sqa-bad');
        await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { VisibilityTimeout: '43201' } }),
          ERR.InvalidAttributeValue);
        await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { Bogus: '1' } }),
          ERR.InvalidAttributeName, { message: 'Unknown Attribute Bogus.' });
        await expectSqsError(P, P.send('SetQueueAttributes', { QueueUrl: url, Attributes: { FifoQueue: 'true' } }),
          ERR.InvalidAttributeName, { message: 'Unknown Attribute FifoQueue.' });
        assert.equal((await getAttributes(P, url, ['VisibilityTimeout'])).VisibilityTimeout, '30');
      });
    });

    describe('tags', () => {
      test('CreateQueue tags, TagQueue, UntagQueue and ListQueueTags', async () => {
        const { url } = await queues.create('tags', undefined, { team: 'core', env: 'dev' });
        assert.deepEqual((await P.send('ListQueueTags', { QueueUrl: url })).Tags, { team: 'core', env: 'dev' });

        // Adds, overwrites; keys are case-sensitive; empty values are allowed (§2.22).
        await P.send('TagQueue', { QueueUrl: url, Tags: { env: 'prod', Env: 'upper', empty: '' } });
        assert.deepEqual((await P.send('ListQueueTags', { QueueUrl: url })).Tags,
          { team: 'core', env: 'prod', Env: 'upper', empty: '' });

        // Unknown keys are ignored (§2.23).
        await P.send('UntagQueue', { QueueUrl: url, TagKeys: ['env', 'no-such-key'] });
        assert.deepEqual((await P.send('ListQueueTags', { QueueUrl: url })).Tags, { team: 'core', Env: 'upper', empty: '' });

        await P.send('UntagQueue', { QueueUrl: url, TagKeys: ['team', 'Env', 'empty'] });
        assert.deepEqual((await P.send('ListQueueTags', { QueueUrl: url })).Tags ?? {}, {});
      });

      test('tag keys and values with XML/JSON-special characters round-trip', async () => {
        const { url } = await queues.create('tags-special');
        const tags = { 'k:a/b=c+d@e': 'v <&> "q" \'s\'', 'unicode-ü': 'wert ✓ 😀', plain: 'a b c' };
        await P.send('TagQueue', { QueueUrl: url, Tags: tags });
        assert.deepEqual((await P.send('ListQueueTags', { QueueUrl: url })).Tags, tags);
      });

      test('a queue without tags lists none', async () => {
        const { url } = await queues.create('tags-none');
        assert.deepEqual((await P.send('ListQueueTags', { QueueUrl: url })).Tags ?? {}, {});
      });

      test('tagging an unknown queue → QueueDoesNotExist', async () => {
        const { url } = await queues.create('tags-gone');
        await P.send('DeleteQueue', { QueueUrl: url });
        await expectSqsError(P, P.send('TagQueue', { QueueUrl: url, Tags: { a: 'b' } }), ERR.NonExistentQueue);
        await expectSqsError(P, P.send('ListQueueTags', { QueueUrl: url }), ERR.NonExistentQueue);
      });
    });
  });
}
