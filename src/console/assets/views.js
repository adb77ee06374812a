// DOM helpers. Everything that comes from the server (queue names, message bodies, attribute
// values, policies) is put in the page as text (textContent), never parsed as HTML.

export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(id) {
  return document.getElementById(id);
}

export function show(id, visible) {
  $(id).hidden = !visible;
}

export function formatTime(millis) {
  if (!millis) return '';
  const d = new Date(Number(millis));
  return d.toLocaleString(undefined, { hour12: false });
}

export function formatRate(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  if (value === 0) return '0';
  return value < 10 ? value.toFixed(1) : Math.round(value).toString();
}

// The queue name of a queue URL (its last path segment).
export function queueNameOf(url) {
  return decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
}

// The queue name of a queue ARN (arn:aws:sqs:<region>:<account>:<name>).
export function queueNameOfArn(arn) {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

export function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

// Rows of a two-column table.
export function keyValueRows(tbody, pairs, testid) {
  tbody.replaceChildren(
    ...pairs.map(([k, v]) => h('tr', { 'data-testid': testid, dataset: { key: k } }, h('th', {}, k), h('td', {}, v))),
  );
}
