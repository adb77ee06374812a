// The Wharf console: sign in with an access key, then a live table of queues and a page per
// queue. Every call goes through Api (api.js): signed, authorised like any SDK call.

import { Api, ApiError } from './api.js';
import { renderChart } from './chart.js';
import {
  $, h, show, formatTime, formatRate, queueNameOf, queueNameOfArn, prettyJson, keyValueRows,
} from './views.js';

const STORAGE_KEY = 'wharf.console.credentials';
const WINDOW_MS = 5 * 60 * 1000;
const MAX_POLLED_QUEUES = 200;
// How often counts are refreshed; ?poll=<ms> overrides (tests use a shorter period).
const POLL_MS = Math.max(250, Number(new URLSearchParams(location.search).get('poll')) || 2000);

const state = {
  api: null,
  queues: new Map(), // url -> { url, name, fifo, stats, error, samples, rates, history }
  current: null, // the queue page's { url, name, arn, fifo, isDlq }
  timer: null,
  polling: false,
};

// --- messages to the user -------------------------------------------------------------------

function describe(error) {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return String(error?.message || error);
}

function showError(error) {
  const banner = $('banner');
  banner.textContent = describe(error);
  banner.hidden = false;
  $('notice').hidden = true;
}

function showNotice(text) {
  const notice = $('notice');
  notice.textContent = text;
  notice.hidden = false;
  $('banner').hidden = true;
}

function clearMessages() {
  $('banner').hidden = true;
  $('notice').hidden = true;
}

// --- signing in -----------------------------------------------------------------------------

function savedCredentials() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
  } catch {
    return null;
  }
}

async function signIn(saved) {
  const api = new Api(
    {
      accessKeyId: saved.accessKeyId,
      secretAccessKey: saved.secretAccessKey,
      sessionToken: saved.sessionToken || undefined,
    },
    saved.region,
  );
  const identity = await api.callerIdentity();
  state.api = api;
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
  $('caller').textContent = identity.arn;
  $('who').hidden = false;
  startPolling();
  route();
}

function signOut() {
  sessionStorage.removeItem(STORAGE_KEY);
  stopPolling();
  state.api = null;
  state.queues.clear();
  state.current = null;
  $('queue-rows').replaceChildren();
  $('who').hidden = true;
  clearMessages();
  location.hash = '#/';
  showView('login');
}

function showView(name) {
  show('login-view', name === 'login');
  show('queues-view', name === 'queues');
  show('queue-view', name === 'queue');
}

// --- polling: counts and rates ----------------------------------------------------------------

function startPolling() {
  stopPolling();
  const run = async () => {
    await poll();
    if (state.api) state.timer = setTimeout(run, POLL_MS);
  };
  run();
}

function stopPolling() {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

// Per-second rates from two cumulative samples (a counter that went down means the server
// restarted: no rate for that interval).
function ratesBetween(a, b) {
  const seconds = (b.t - a.t) / 1000;
  if (seconds <= 0) return null;
  const rate = (name) => Math.max(0, (b[name] - a[name]) / seconds);
  if (b.sent < a.sent || b.received < a.received || b.deleted < a.deleted) return null;
  return { sent: rate('sent'), received: rate('received'), deleted: rate('deleted') };
}

function recordStats(queue, stats) {
  queue.stats = stats;
  queue.error = null;
  const sample = {
    t: stats.Timestamp,
    sent: stats.NumberOfMessagesSent,
    received: stats.NumberOfMessagesReceived,
    deleted: stats.NumberOfMessagesDeleted,
  };
  const previous = queue.samples[queue.samples.length - 1];
  queue.samples = [sample];
  if (!previous) return;
  const rates = ratesBetween(previous, sample);
  if (!rates) return;
  queue.rates = rates;
  queue.history.push({ t: sample.t, ...rates });
  const cutoff = sample.t - WINDOW_MS;
  while (queue.history.length && queue.history[0].t < cutoff) queue.history.shift();
}

async function poll() {
  if (state.polling || !state.api) return;
  state.polling = true;
  try {
    let urls = null;
    try {
      const listed = await state.api.sqs('ListQueues', { MaxResults: 1000 });
      urls = listed.QueueUrls || [];
    } catch (error) {
      showError(error);
    }
    if (urls) {
      const known = new Set(urls);
      for (const url of [...state.queues.keys()]) if (!known.has(url)) state.queues.delete(url);
      for (const url of urls) {
        if (!state.queues.has(url)) {
          const name = queueNameOf(url);
          state.queues.set(url, {
            url, name, fifo: name.endsWith('.fifo'), stats: null, error: null,
            samples: [], rates: null, history: [],
          });
        }
      }
    }
    const polled = [...state.queues.values()].slice(0, MAX_POLLED_QUEUES);
    // The open queue's page counts too, even past the cap.
    if (state.current && state.queues.has(state.current.url) && !polled.some((q) => q.url === state.current.url)) {
      polled.push(state.queues.get(state.current.url));
    }
    await Promise.all(
      polled.map(async (queue) => {
        try {
          recordStats(queue, await state.api.wharf('GetQueueStats', { QueueUrl: queue.url }));
        } catch (error) {
          queue.error = error;
        }
      }),
    );
    renderQueues();
    if (state.current) renderQueueLive();
    $('refreshed').textContent = `updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}`;
  } finally {
    state.polling = false;
  }
}

function sparkline(queue) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'spark');
  renderChart(svg, chartSeries(queue), { width: 120, height: 24, windowMs: WINDOW_MS, axes: false, now: lastTime(queue) });
  return svg;
}

function lastTime(queue) {
  return queue.samples[0]?.t ?? Date.now();
}

function chartSeries(queue) {
  return ['sent', 'received', 'deleted'].map((name) => ({
    name,
    className: name,
    points: queue.history.map((p) => ({ t: p.t, v: p[name] })),
  }));
}

function renderQueues() {
  const rows = [...state.queues.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((queue) => {
      const s = queue.stats;
      const count = (name) => (s ? String(s[name]) : '–');
      const r = queue.rates;
      return h(
        'tr',
        { 'data-testid': 'queue-row', dataset: { queue: queue.name }, title: queue.error ? describe(queue.error) : undefined },
        h('td', {}, h('a', { href: `#/queue/${encodeURIComponent(queue.name)}`, 'data-testid': 'queue-link' }, queue.name)),
        h('td', {}, queue.fifo ? 'FIFO' : 'Standard'),
        h('td', { class: 'num', 'data-testid': 'count-visible' }, count('ApproximateNumberOfMessages')),
        h('td', { class: 'num', 'data-testid': 'count-inflight' }, count('ApproximateNumberOfMessagesNotVisible')),
        h('td', { class: 'num', 'data-testid': 'count-delayed' }, count('ApproximateNumberOfMessagesDelayed')),
        h('td', { class: 'num', 'data-testid': 'rate-sent' }, formatRate(r?.sent)),
        h('td', { class: 'num', 'data-testid': 'rate-received' }, formatRate(r?.received)),
        h('td', { class: 'num', 'data-testid': 'rate-deleted' }, formatRate(r?.deleted)),
        h('td', {}, queue.error ? h('span', { class: 'error' }, queue.error.code || 'error') : sparkline(queue)),
      );
    });
  $('queue-rows').replaceChildren(...rows);
  $('no-queues').hidden = state.queues.size !== 0;
  const dlq = $('create-form').elements.dlq;
  const selected = dlq.value;
  dlq.replaceChildren(
    h('option', { value: '' }, '(none)'),
    ...[...state.queues.values()].map((q) => h('option', { value: q.url }, q.name)),
  );
  dlq.value = selected;
}

// --- the queue page ---------------------------------------------------------------------------

function renderQueueLive() {
  const queue = state.queues.get(state.current.url);
  if (!queue) return;
  const s = queue.stats;
  $('detail-visible').textContent = s ? String(s.ApproximateNumberOfMessages) : '–';
  $('detail-inflight').textContent = s ? String(s.ApproximateNumberOfMessagesNotVisible) : '–';
  $('detail-delayed').textContent = s ? String(s.ApproximateNumberOfMessagesDelayed) : '–';
  // The attribute table's counts follow the live ones; the rest is as loaded.
  for (const name of ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']) {
    const cell = document.querySelector(`#attribute-rows tr[data-key="${name}"] td`);
    if (cell && s) cell.textContent = String(s[name]);
  }
  const chart = $('detail-chart');
  // Drawn at the element's own size, so the labels keep their proportions.
  const width = Math.max(320, Math.round(chart.clientWidth || 640));
  const height = Math.max(120, Math.round(chart.clientHeight || 180));
  renderChart(chart, chartSeries(queue), { width, height, windowMs: WINDOW_MS, unit: '/s', now: lastTime(queue) });
  if (state.current.isDlq) loadMoveTasks().catch(() => {});
}

async function openQueue(name) {
  const queue = [...state.queues.values()].find((q) => q.name === name);
  let url = queue?.url;
  if (!url) {
    try {
      url = (await state.api.sqs('GetQueueUrl', { QueueName: name })).QueueUrl;
    } catch (error) {
      showError(error);
      return;
    }
  }
  state.current = { url, name, arn: '', fifo: name.endsWith('.fifo'), isDlq: false };
  $('queue-name').textContent = name;
  $('queue-type').textContent = state.current.fifo ? 'FIFO' : 'Standard';
  for (const el of document.querySelectorAll('.fifo-only')) el.hidden = !state.current.fifo;
  $('peek-rows').replaceChildren();
  show('peek-table', false);
  show('peek-empty', false);
  $('purge-confirm').hidden = true;
  $('delete-confirm').hidden = true;
  show('redrive-panel', false);
  showView('queue');
  if (state.queues.has(url)) renderQueueLive();
  await loadQueueDetails();
}

async function loadQueueDetails() {
  const current = state.current;
  const api = state.api;
  const section = async (fn) => {
    try {
      await fn();
    } catch (error) {
      showError(error);
    }
  };
  await Promise.all([
    section(async () => {
      const { Attributes: attributes = {} } = await api.sqs('GetQueueAttributes', {
        QueueUrl: current.url,
        AttributeNames: ['All'],
      });
      current.arn = attributes.QueueArn || '';
      const pairs = Object.entries(attributes)
        .filter(([k]) => k !== 'Policy' && k !== 'RedrivePolicy')
        .sort(([a], [b]) => a.localeCompare(b));
      keyValueRows($('attribute-rows'), pairs, 'attribute');
      renderRedrivePolicy(attributes.RedrivePolicy);
      $('policy').textContent = attributes.Policy ? prettyJson(attributes.Policy) : '(none)';
    }),
    section(async () => {
      const { Tags: tags = {} } = await api.sqs('ListQueueTags', { QueueUrl: current.url });
      const pairs = Object.entries(tags);
      keyValueRows($('tag-rows'), pairs.length ? pairs : [['(none)', '']], 'tag');
    }),
    section(async () => {
      const { queueUrls = [] } = await api.sqs('ListDeadLetterSourceQueues', { QueueUrl: current.url });
      $('dlq-sources').replaceChildren(
        ...(queueUrls.length
          ? queueUrls.map((u) =>
              h('li', { 'data-testid': 'dlq-source' }, h('a', { href: `#/queue/${encodeURIComponent(queueNameOf(u))}` }, queueNameOf(u))),
            )
          : [h('li', { class: 'hint' }, 'None: no queue sends its dead letters here.')]),
      );
      current.isDlq = queueUrls.length > 0;
    }),
  ]);
  if (state.current !== current) return;
  show('redrive-panel', current.isDlq);
  if (current.isDlq) await loadMoveTasks().catch(showError);
}

function renderRedrivePolicy(text) {
  const box = $('redrive-policy');
  if (!text) {
    box.replaceChildren(h('p', { class: 'hint' }, 'None.'));
    return;
  }
  let policy = {};
  try {
    policy = JSON.parse(text);
  } catch {
    box.replaceChildren(h('pre', {}, text));
    return;
  }
  const target = policy.deadLetterTargetArn || '';
  const name = queueNameOfArn(target);
  box.replaceChildren(
    h(
      'p',
      {},
      'Dead letters go to ',
      h('a', { href: `#/queue/${encodeURIComponent(name)}`, 'data-testid': 'dlq-link' }, name),
      ` after ${policy.maxReceiveCount} receives.`,
    ),
  );
}

async function loadMoveTasks() {
  const current = state.current;
  if (!current?.arn) return;
  const { Results: tasks = [] } = await state.api.sqs('ListMessageMoveTasks', { SourceArn: current.arn, MaxResults: 10 });
  if (state.current !== current) return;
  $('move-task-rows').replaceChildren(
    ...tasks.map((task) =>
      h(
        'tr',
        { 'data-testid': 'move-task', dataset: { status: task.Status } },
        h('td', { 'data-testid': 'move-task-status' }, task.Status),
        h('td', { class: 'num', 'data-testid': 'move-task-moved' }, String(task.ApproximateNumberOfMessagesMoved ?? '')),
        h('td', { class: 'num' }, String(task.ApproximateNumberOfMessagesToMove ?? '')),
        h('td', {}, formatTime(task.StartedTimestamp)),
        h(
          'td',
          {},
          task.Status === 'RUNNING' && task.TaskHandle
            ? h('button', { type: 'button', 'data-testid': 'redrive-cancel', onclick: () => cancelRedrive(task.TaskHandle) }, 'Cancel')
            : task.FailureReason || '',
        ),
      ),
    ),
  );
}

async function startRedrive() {
  try {
    const out = await state.api.sqs('StartMessageMoveTask', { SourceArn: state.current.arn });
    showNotice(`Redrive started (task ${out.TaskHandle ? 'running' : 'accepted'}).`);
    await loadMoveTasks();
  } catch (error) {
    showError(error);
  }
}

async function cancelRedrive(handle) {
  try {
    await state.api.sqs('CancelMessageMoveTask', { TaskHandle: handle });
    showNotice('Redrive cancelled.');
    await loadMoveTasks();
  } catch (error) {
    showError(error);
  }
}

async function peek() {
  const max = Number($('peek-max').value) || 10;
  try {
    const { Messages: messages = [] } = await state.api.wharf('PeekMessages', {
      QueueUrl: state.current.url,
      MaxNumberOfMessages: max,
    });
    clearMessages();
    const stateNames = { Visible: 'visible', InFlight: 'in flight', Delayed: 'delayed' };
    $('peek-rows').replaceChildren(
      ...messages.map((m) => {
        const attributes = m.Attributes || {};
        const custom = Object.entries(m.MessageAttributes || {}).map(
          ([k, v]) => `${k}=${v.StringValue ?? (v.BinaryValue ? '(binary)' : '')}`,
        );
        const when = m.VisibleAt ? ` until ${formatTime(m.VisibleAt)}` : '';
        return h(
          'tr',
          { 'data-testid': 'peek-row', dataset: { state: m.State } },
          h('td', { class: 'mono', 'data-testid': 'peek-id' }, m.MessageId),
          h('td', { 'data-testid': 'peek-state' }, (stateNames[m.State] || m.State) + when),
          h('td', { class: 'num', 'data-testid': 'peek-receives' }, attributes.ApproximateReceiveCount ?? ''),
          h('td', {}, formatTime(attributes.SentTimestamp)),
          h('td', { class: 'body', 'data-testid': 'peek-body' }, m.Body),
          h('td', { class: 'mono' }, custom.join(', ') + (attributes.MessageGroupId ? ` group=${attributes.MessageGroupId}` : '')),
        );
      }),
    );
    show('peek-table', messages.length > 0);
    show('peek-empty', messages.length === 0);
    poll();
  } catch (error) {
    show('peek-table', false);
    showError(error);
  }
}

async function sendTestMessage(event) {
  event.preventDefault();
  const form = event.target;
  const params = { QueueUrl: state.current.url, MessageBody: form.elements.body.value };
  const name = form.elements.attrName.value.trim();
  if (name) {
    params.MessageAttributes = { [name]: { DataType: 'String', StringValue: form.elements.attrValue.value } };
  }
  if (form.elements.delay.value !== '') params.DelaySeconds = Number(form.elements.delay.value);
  if (state.current.fifo) {
    params.MessageGroupId = form.elements.groupId.value || 'console';
    if (form.elements.dedupId.value) params.MessageDeduplicationId = form.elements.dedupId.value;
  }
  try {
    const out = await state.api.sqs('SendMessage', params);
    showNotice(`Sent message ${out.MessageId}.`);
    form.elements.body.value = '';
    poll();
    loadQueueDetails();
  } catch (error) {
    showError(error);
  }
}

async function purge() {
  $('purge-confirm').hidden = true;
  try {
    await state.api.sqs('PurgeQueue', { QueueUrl: state.current.url });
    showNotice(`Purged ${state.current.name}.`);
    poll();
    loadQueueDetails();
  } catch (error) {
    showError(error);
  }
}

async function deleteQueue() {
  $('delete-confirm').hidden = true;
  const { url, name } = state.current;
  try {
    await state.api.sqs('DeleteQueue', { QueueUrl: url });
    state.queues.delete(url);
    showNotice(`Deleted ${name}.`);
    location.hash = '#/';
  } catch (error) {
    showError(error);
  }
}

async function createQueue(event) {
  event.preventDefault();
  const form = event.target;
  const name = form.elements.name.value.trim();
  const attributes = {};
  if (form.elements.fifo.checked || name.endsWith('.fifo')) attributes.FifoQueue = 'true';
  try {
    if (form.elements.dlq.value) {
      const { Attributes: dlq } = await state.api.sqs('GetQueueAttributes', {
        QueueUrl: form.elements.dlq.value,
        AttributeNames: ['QueueArn'],
      });
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: dlq.QueueArn,
        maxReceiveCount: Number(form.elements.maxReceiveCount.value) || 3,
      });
    }
    await state.api.sqs('CreateQueue', { QueueName: name, Attributes: attributes });
    showNotice(`Created ${name}.`);
    form.reset();
    await poll();
  } catch (error) {
    showError(error);
  }
}

// --- routing ----------------------------------------------------------------------------------

function route() {
  if (!state.api) {
    showView('login');
    return;
  }
  const match = location.hash.match(/^#\/queue\/(.+)$/);
  if (match) {
    openQueue(decodeURIComponent(match[1]));
    return;
  }
  state.current = null;
  showView('queues');
}

function wire() {
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const saved = {
      accessKeyId: form.elements.accessKeyId.value.trim(),
      secretAccessKey: form.elements.secretAccessKey.value,
      sessionToken: form.elements.sessionToken.value.trim(),
      region: form.elements.region.value.trim() || 'us-east-1',
    };
    $('login-error').hidden = true;
    try {
      await signIn(saved);
      form.reset();
    } catch (error) {
      $('login-error').textContent = `Sign-in refused: ${describe(error)}`;
      $('login-error').hidden = false;
    }
  });
  $('logout').addEventListener('click', signOut);
  $('create-form').addEventListener('submit', createQueue);
  $('send-form').addEventListener('submit', sendTestMessage);
  $('peek').addEventListener('click', peek);
  $('purge').addEventListener('click', () => { $('purge-confirm').hidden = false; });
  $('purge-confirm').addEventListener('click', purge);
  $('delete-queue').addEventListener('click', () => { $('delete-confirm').hidden = false; });
  $('delete-confirm').addEventListener('click', deleteQueue);
  $('redrive-start').addEventListener('click', startRedrive);
  window.addEventListener('hashchange', () => {
    clearMessages();
    route();
  });
}

async function start() {
  wire();
  const saved = savedCredentials();
  if (saved) {
    try {
      await signIn(saved);
      return;
    } catch {
      sessionStorage.removeItem(STORAGE_KEY);
    }
  }
  showView('login');
}

start();
