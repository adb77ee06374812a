// SendMessage: MD5 digests, message attributes, system attributes, body character set and
// round-trips, size limits and parameter validation (sqs-api.md §2.7, §4).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROTOCOLS, Queues, ERR, expectSqsError, md5Hex, md5OfAttributes, messageSize, receiveN, receiveOne,
  assertCounts, UUID_RE,
} from './helpers.mjs';

// §4.6 worked examples.
const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const EXAMPLE_B = {
  City: { DataType: 'String', StringValue: 'Any City' },
  Population: { DataType: 'Number', StringValue: '1250800' },
  Weight: { DataType: 'Number.float', StringValue: '3.14' },
};
const EXAMPLE_E_BYTES = Buffer.from('traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01', 'latin1');

describe('MD5 helper reproduces the spec vectors (§4.6, no server needed)', () => {
  test('body and attribute digests', () => {
    assert.equal(md5Hex('hello world'), '5eb63bbbe01eeed093cb22bb8f5acdc3');
    assert.equal(md5Hex('héllo ✓'), '21b1ae5bc147bb564254200a4731e337');
    assert.equal(md5Hex('a\r\nb "q" & <x>'), '7a5e9ae9ce811a18c63b710d659d1492');
    assert.equal(md5OfAttributes({ Hello: { DataType: 'String', StringValue: 'There' } }), 'a311262e065454b75da111d535b8dacd');
    assert.equal(md5OfAttributes(EXAMPLE_B), '37be9c66a26f6493892520be4c5f3abe');
    assert.equal(md5OfAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } }),
      '235c5c510d26fb653d073faed50ae77c');
    assert.equal(md5OfAttributes({ attr1: { DataType: 'Binary', BinaryValue: EXAMPLE_E_BYTES } }),
      '8cbe4db156db8a94db8b801b7addb984');
    assert.equal(md5OfAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: TRACE_HEADER } }),
      '5ae4d5d7636402d80f4eb6d213245a88');
  });
});

for (const P of PROTOCOLS) {
  describe(`SendMessage [${P.name}]`, () => {
    const queues = new Queues(P);
    let url;
    before(async () => {
      ({ url } = await queues.create('msg'));
    });
    after(() => queues.cleanup());

    describe('MD5 digests', () => {
      for (const [body, md5] of [
        ['hello world', '5eb63bbbe01eeed093cb22bb8f5acdc3'],
        ['test', '098f6bcd4621d373cade4e832627b4f6'],
        ['msg', '6e2baaf3b97dbeef01c0043275f9a0e7'],
        ['héllo ✓', '21b1ae5bc147bb564254200a4731e337'],
        ['a\r\nb "q" & <x>', '7a5e9ae9ce811a18c63b710d659d1492'],
      ]) {
        test(`MD5OfMessageBody of ${JSON.stringify(body)} is ${md5}`, async () => {
          const r = await P.send('SendMessage', { QueueUrl: url, MessageBody: body });
          assert.equal(r.MD5OfMessageBody, md5);
          assert.match(r.MessageId, UUID_RE);
          // Only returned when attributes were sent; SequenceNumber is FIFO-only (§2.7).
          assert.equal(r.MD5OfMessageAttributes, undefined);
          assert.equal(r.MD5OfMessageSystemAttributes, undefined);
          assert.equal(r.SequenceNumber, undefined);
        });
      }

      test('Example B attributes + AWSTraceHeader: 37be9c66… and 5ae4d5d7…, returned on receive', async () => {
        const { url: q } = await queues.create('msg-exb');
        const r = await P.send('SendMessage', {
          QueueUrl: q,
          MessageBody: 'hello world',
          MessageAttributes: EXAMPLE_B,
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE_HEADER } },
        });
        assert.equal(r.MD5OfMessageBody, '5eb63bbbe01eeed093cb22bb8f5acdc3');
        assert.equal(r.MD5OfMessageAttributes, '37be9c66a26f6493892520be4c5f3abe');
        assert.equal(r.MD5OfMessageSystemAttributes, '5ae4d5d7636402d80f4eb6d213245a88');

        const m = await receiveOne(P, q, { MessageAttributeNames: ['All'], ...P.sysAttrs(['All']) });
        assert.equal(m.MessageId, r.MessageId);
        assert.equal(m.MD5OfBody, '5eb63bbbe01eeed093cb22bb8f5acdc3');
        assert.equal(m.MD5OfMessageAttributes, '37be9c66a26f6493892520be4c5f3abe');
        assert.deepEqual(Object.keys(m.MessageAttributes).sort(), ['City', 'Population', 'Weight']);
        for (const [k, v] of Object.entries(EXAMPLE_B)) {
          assert.equal(m.MessageAttributes[k].DataType, v.DataType, `${k} DataType`);
          assert.equal(m.MessageAttributes[k].StringValue, v.StringValue, `${k} StringValue`);
        }
        // The system attribute comes back as AWSTraceHeader and is not a message attribute (§4.4).
        assert.equal(m.Attributes.AWSTraceHeader, TRACE_HEADER);
      });

      test('single String attribute (Example A) and Number (Example D)', async () => {
        const a = await P.send('SendMessage', {
          QueueUrl: url, MessageBody: 'x', MessageAttributes: { Hello: { DataType: 'String', StringValue: 'There' } },
        });
        assert.equal(a.MD5OfMessageAttributes, 'a311262e065454b75da111d535b8dacd');
        const d = await P.send('SendMessage', {
          QueueUrl: url, MessageBody: 'x', MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
        });
        assert.equal(d.MD5OfMessageAttributes, '235c5c510d26fb653d073faed50ae77c');
      });

      test('Binary attributes (Example E) and custom type labels round-trip byte-exact', async () => {
        const { url: q } = await queues.create('msg-bin');
        const gif = Buffer.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x00, 0xff, 0x80, 0x0d, 0x0a]);
        const attrs = {
          attr1: { DataType: 'Binary', BinaryValue: new Uint8Array(EXAMPLE_E_BYTES) },
          img: { DataType: 'Binary.gif', BinaryValue: new Uint8Array(gif) },
          ratio: { DataType: 'Number.float', StringValue: '-0.000125' },
          doc: { DataType: 'String.json', StringValue: '{"a":[1,2],"b":"<&>"}' },
        };
        const sent = await P.send('SendMessage', { QueueUrl: q, MessageBody: 'binary', MessageAttributes: attrs });
        assert.equal(md5OfAttributes({ attr1: attrs.attr1 }), '8cbe4db156db8a94db8b801b7addb984');
        assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(attrs));

        const m = await receiveOne(P, q, { MessageAttributeNames: ['All'] });
        assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attrs));
        assert.equal(m.MessageAttributes.attr1.DataType, 'Binary');
        assert.deepEqual(Buffer.from(m.MessageAttributes.attr1.BinaryValue), EXAMPLE_E_BYTES);
        assert.equal(m.MessageAttributes.img.DataType, 'Binary.gif');
        assert.deepEqual(Buffer.from(m.MessageAttributes.img.BinaryValue), gif);
        assert.equal(m.MessageAttributes.img.StringValue, undefined);
        assert.equal(m.MessageAttributes.ratio.DataType, 'Number.float');
        assert.equal(m.MessageAttributes.ratio.StringValue, '-0.000125');
        assert.equal(m.MessageAttributes.doc.DataType, 'String.json');
        assert.equal(m.MessageAttributes.doc.StringValue, '{"a":[1,2],"b":"<&>"}');
      });

      test('AWSTraceHeader alone does not produce MD5OfMessageAttributes', async () => {
        const r = await P.send('SendMessage', {
          QueueUrl: url,
          MessageBody: 'trace only',
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE_HEADER } },
        });
        assert.equal(r.MD5OfMessageSystemAttributes, '5ae4d5d7636402d80f4eb6d213245a88');
        assert.equal(r.MD5OfMessageAttributes, undefined);
      });
    });

    describe('bodies round-trip byte-exact', () => {
      const bodies = [
        'a\r\nb "q" & <x>',
        'carriage\rreturns\r\rand\r\n\r\nCRLFs\r',
        '\r\nleading CRLF',
        'trailing LF\n',
        '  leading and trailing spaces  ',
        '\ttabs\tinside\t',
        '<?xml version="1.0"?><root attr=\'v\'>&amp;&lt;&gt;&quot;&#xD;&#13;</root>',
        ']]> <![CDATA[ not cdata ]]>',
        '{"json": "with \\"escapes\\" and \\\\ backslashes", "u": "\\u0000"}',
        'percent %20 %0D plus + equals = ampersand & question ? hash #',
        'non-BMP: 😀 𝄞 🀄 \u{10FFFF} \u{10000}',
        'BMP edges: \uD7FF \uE000 \uFFFD ü é ß 中文 עברית',
        'x'.repeat(5000) + '\r\n' + '€'.repeat(1000),
      ];
      let q;
      before(async () => {
        ({ url: q } = await queues.create('msg-bodies'));
      });

      for (const [i, body] of bodies.entries()) {
        test(`body #${i} ${JSON.stringify(body.slice(0, 40))}`, async () => {
          const sent = await P.send('SendMessage', { QueueUrl: q, MessageBody: body });
          assert.equal(sent.MD5OfMessageBody, md5Hex(body));
          // The SDK itself rejects a receive whose body does not match MD5OfBody.
          const m = await receiveOne(P, q);
          assert.equal(m.MessageId, sent.MessageId);
          assert.equal(m.Body, body);
          assert.equal(m.MD5OfBody, md5Hex(body));
          await P.send('DeleteMessage', { QueueUrl: q, ReceiptHandle: m.ReceiptHandle });
        });
      }

      test('String attribute values with CR/LF, quotes, & and < round-trip (MD5 over the exact value)', async () => {
        const attrs = {
          crlf: { DataType: 'String', StringValue: 'line1\r\nline2\rline3\n' },
          markup: { DataType: 'String', StringValue: '<a href="x">&amp; \'q\'</a>' },
          emoji: { DataType: 'String', StringValue: '😀 𝄞' },
        };
        const sent = await P.send('SendMessage', { QueueUrl: q, MessageBody: 'attrs', MessageAttributes: attrs });
        assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(attrs));
        const m = await receiveOne(P, q, { MessageAttributeNames: ['All'] });
        for (const [k, v] of Object.entries(attrs)) assert.equal(m.MessageAttributes[k].StringValue, v.StringValue, k);
        assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attrs));
        await P.send('DeleteMessage', { QueueUrl: q, ReceiptHandle: m.ReceiptHandle });
      });
    });

    describe('invalid body characters → InvalidMessageContents', () => {
      for (const [what, body] of [
        ['U+0000', 'nul\u0000byte'],
        ['U+0008', 'back\u0008space'],
        ['U+001F', 'unit\u001Fsep'],
        ['U+FFFE', 'non\uFFFEchar'],
        ['U+FFFF', 'non\uFFFFchar'],
      ]) {
        test(what, async () => {
          const { url: q } = await queues.create('msg-badchar');
          await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: body }), ERR.InvalidMessageContents);
          await assertCounts(P, q, { visible: 0, notVisible: 0, delayed: 0 }, 'nothing enqueued');
        });
      }
    });

    describe('size limits (queue MaximumMessageSize=1024)', () => {
      let q;
      before(async () => {
        ({ url: q } = await queues.create('msg-size', { MaximumMessageSize: '1024' }));
      });
      const tooLong = 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.';

      test('exactly 1024 bytes is accepted, 1025 rejected', async () => {
        const ok = await P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(1024) });
        assert.equal(ok.MD5OfMessageBody, 'c9a34cfc85d982698c6ac89f76071abd');
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(1025) }),
          ERR.InvalidParameterValue, { message: tooLong });
      });

      test('the limit counts UTF-8 bytes, not characters', async () => {
        await P.send('SendMessage', { QueueUrl: q, MessageBody: 'é'.repeat(512) }); // 1024 bytes
        await P.send('SendMessage', { QueueUrl: q, MessageBody: '😀'.repeat(256) }); // 1024 bytes
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: '€'.repeat(341) + 'ab' }), // 1025 bytes
          ERR.InvalidParameterValue, { message: tooLong });
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: '😀'.repeat(256) + 'a' }),
          ERR.InvalidParameterValue, { message: tooLong });
      });

      test('attribute name + type + value count toward the size', async () => {
        const sAttr = { k: { DataType: 'String', StringValue: 'x' } }; // 1 + 6 + 1 = 8 bytes
        assert.equal(messageSize('a'.repeat(1016), sAttr), 1024);
        await P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(1016), MessageAttributes: sAttr });
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(1017), MessageAttributes: sAttr }),
          ERR.InvalidParameterValue, { message: tooLong });

        const bAttr = { b: { DataType: 'Binary.raw', BinaryValue: new Uint8Array(10).fill(7) } }; // 1 + 10 + 10 = 21
        assert.equal(messageSize('a'.repeat(1003), bAttr), 1024);
        await P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(1003), MessageAttributes: bAttr });
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(1004), MessageAttributes: bAttr }),
          ERR.InvalidParameterValue, { message: tooLong });
      });

      test('system attributes (AWSTraceHeader) do not count', async () => {
        await P.send('SendMessage', {
          QueueUrl: q,
          MessageBody: 'a'.repeat(1024),
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE_HEADER } },
        });
      });

      test('default queue: exactly 1048576 bytes accepted, 1048577 rejected', async () => {
        const { url: big } = await queues.create('msg-1mib');
        const r = await P.send('SendMessage', { QueueUrl: big, MessageBody: 'z'.repeat(1048576) });
        assert.equal(r.MD5OfMessageBody, md5Hex('z'.repeat(1048576)));
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: big, MessageBody: 'z'.repeat(1048577) }),
          ERR.InvalidParameterValue,
          { message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.' });
        const m = await receiveOne(P, big);
        assert.equal(m.Body.length, 1048576);
      });
    });

    describe('message attribute validation', () => {
      const tenAttrs = Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: `v${i}` }]),
      );

      test('a 256-character name and a 256-character DataType are accepted', async () => {
        const attrs = {
          ['n'.repeat(256)]: { DataType: 'String', StringValue: 'v' },
          short: { DataType: 'Number.' + 'x'.repeat(249), StringValue: '42' },
        };
        assert.equal(attrs.short.DataType.length, 256);
        const r = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'long names', MessageAttributes: attrs });
        assert.equal(r.MD5OfMessageAttributes, md5OfAttributes(attrs));
      });

      test('10 attributes are accepted, 11 → InvalidParameterValue', async () => {
        const r = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'ten', MessageAttributes: tenAttrs });
        assert.equal(r.MD5OfMessageAttributes, md5OfAttributes(tenAttrs));
        const eleven = { ...tenAttrs, a10: { DataType: 'String', StringValue: 'v10' } };
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'eleven', MessageAttributes: eleven }),
          ERR.InvalidParameterValue);
      });

      test('empty String value → InvalidParameterValue', async () => {
        await expectSqsError(
          P,
          P.send('SendMessage', {
            QueueUrl: url, MessageBody: 'x', MessageAttributes: { ErrorDetails: { DataType: 'String', StringValue: '' } },
          }),
          ERR.InvalidParameterValue,
          { message: "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'." },
        );
      });

      test('a Number attribute that is not a number → InvalidParameterValue', async () => {
        await expectSqsError(
          P,
          P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } }),
          ERR.InvalidParameterValue,
          { message: "Can't cast the value of message (user) attribute 'n' to a number." },
        );
      });

      for (const [what, attrs] of [
        ['reserved prefix AWS.', { 'AWS.x': { DataType: 'String', StringValue: 'v' } }],
        ['reserved prefix amazon. (any case)', { 'AMAZON.x': { DataType: 'String', StringValue: 'v' } }],
        ['a leading dot', { '.x': { DataType: 'String', StringValue: 'v' } }],
        ['a trailing dot', { 'x.': { DataType: 'String', StringValue: 'v' } }],
        ['two consecutive dots', { 'a..b': { DataType: 'String', StringValue: 'v' } }],
        ['a 257-character name', { ['n'.repeat(257)]: { DataType: 'String', StringValue: 'v' } }],
        ['an invalid DataType', { x: { DataType: 'Invalid', StringValue: 'v' } }],
        ['a lower-case DataType (types are case-sensitive)', { x: { DataType: 'string', StringValue: 'v' } }],
        ['a 257-character DataType', { x: { DataType: 'Number.' + 'x'.repeat(250), StringValue: '1' } }],
        ['an empty Binary value', { x: { DataType: 'Binary', BinaryValue: new Uint8Array(0) } }],
        ['a String type with only a BinaryValue', { x: { DataType: 'String', BinaryValue: new Uint8Array([1]) } }],
        ['a control character in a String value', { x: { DataType: 'String', StringValue: 'a\u0008b' } }],
      ]) {
        test(`${what} → InvalidParameterValue`, async () => {
          await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: attrs }),
            ERR.InvalidParameterValue);
        });
      }
    });

    describe('other parameters', () => {
      test('empty body → MissingParameter', async () => {
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: '' }), ERR.MissingParameter,
          { message: 'The request must contain the parameter MessageBody.' });
      });

      test('missing MessageBody → MissingParameter', async () => {
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url }), ERR.MissingParameter,
          { message: 'The request must contain the parameter MessageBody.' });
      });

      test('missing QueueUrl → MissingParameter', async () => {
        await expectSqsError(P, P.send('SendMessage', { MessageBody: 'nowhere' }), ERR.MissingParameter);
      });

      test('DelaySeconds 900 is accepted; 901 and -1 → InvalidParameterValue', async () => {
        const { url: q } = await queues.create('msg-delay');
        await P.send('SendMessage', { QueueUrl: q, MessageBody: 'max delay', DelaySeconds: 900 });
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: 'x', DelaySeconds: 901 }), ERR.InvalidParameterValue);
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: 'x', DelaySeconds: -1 }), ERR.InvalidParameterValue);
        await assertCounts(P, q, { visible: 0, notVisible: 0, delayed: 1 });
      });

      test('MessageGroupId is accepted on a standard queue and returned as a system attribute', async () => {
        const { url: q } = await queues.create('msg-group');
        const r = await P.send('SendMessage', { QueueUrl: q, MessageBody: 'tenant message', MessageGroupId: 'tenant-42' });
        assert.equal(r.SequenceNumber, undefined, 'no SequenceNumber on standard queues');
        const all = await receiveOne(P, q, { ...P.sysAttrs(['All']), VisibilityTimeout: 0 });
        assert.equal(all.Attributes.MessageGroupId, 'tenant-42');
        assert.equal(all.Attributes.SequenceNumber, undefined);
        assert.equal(all.Attributes.MessageDeduplicationId, undefined);
        const single = await receiveOne(P, q, { ...P.sysAttrs(['MessageGroupId']), VisibilityTimeout: 0 });
        assert.deepEqual(single.Attributes, { MessageGroupId: 'tenant-42' });
      });

      test('invalid MessageGroupId (space) → InvalidParameterValue, also on standard queues', async () => {
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'has space' }),
          ERR.InvalidParameterValue, {
            message: 'Value has space for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include ' +
              'alphanumeric and punctuation characters. 1 to 128 in length.',
          });
      });

      test('MessageDeduplicationId on a standard queue → InvalidParameterValue', async () => {
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd1' }),
          ERR.InvalidParameterValue);
      });

      test('unknown queue → QueueDoesNotExist', async () => {
        const missing = url.replace(/[^/]+$/, 'no-such-queue-' + Date.now());
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: missing, MessageBody: 'x' }), ERR.NonExistentQueue);
      });

      test('the queue is resolved from the QueueUrl path: other host, bare name, trailing slash (§2.0)', async () => {
        const { name, url: q } = await queues.create('msg-path');
        const variants = [
          `https://sqs.us-east-1.amazonaws.com/000000000000/${name}`,
          `http://localhost:1/000000000000/${name}`,
          `${q}/`,
          name,
        ];
        const ids = [];
        for (const QueueUrl of variants) {
          const r = await P.send('SendMessage', { QueueUrl, MessageBody: QueueUrl });
          ids.push(r.MessageId);
        }
        const got = await receiveN(P, q, variants.length);
        assert.deepEqual(new Set(got.map((m) => m.MessageId)), new Set(ids));
      });

      test('a lowered MaximumMessageSize applies to the next send', async () => {
        const { url: q } = await queues.create('msg-maxsize');
        await P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(4096) });
        await P.send('SetQueueAttributes', { QueueUrl: q, Attributes: { MaximumMessageSize: '2048' } });
        await P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(2048) });
        await expectSqsError(P, P.send('SendMessage', { QueueUrl: q, MessageBody: 'a'.repeat(2049) }), ERR.InvalidParameterValue,
          { message: 'One or more parameters are invalid. Reason: Message must be shorter than 2048 bytes.' });
      });

      test('responses carry a request id', async () => {
        const r = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'request id' });
        assert.equal(typeof r.$metadata.requestId, 'string');
        assert.ok(r.$metadata.requestId.length > 0, 'x-amzn-RequestId / RequestId missing');
        const r2 = await P.send('SendMessage', { QueueUrl: url, MessageBody: 'request id 2' });
        assert.notEqual(r2.$metadata.requestId, r.$metadata.requestId, 'request ids must differ per request');
      });

      test('every accepted message is received exactly with its MessageId', async () => {
        const { url: q } = await queues.create('msg-ids');
        const ids = new Set();
        for (let i = 0; i < 5; i++) {
          const r = await P.send('SendMessage', { QueueUrl: q, MessageBody: `m${i}` });
          assert.ok(!ids.has(r.MessageId), 'MessageIds must be unique');
          ids.add(r.MessageId);
        }
        const got = await receiveN(P, q, 5);
        assert.deepEqual(new Set(got.map((m) => m.MessageId)), ids);
      });
    });
  });
}
