// A small SVG line chart: a few series of (time, value) points over a fixed time window, with a
// y axis from 0 to the largest value. Colours come from the stylesheet (class per series).

const SVG = 'http://www.w3.org/2000/svg';

function el(name, attributes = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  return node;
}

function niceMax(value) {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

// series: [{ name, className, points: [{ t (ms), v }] }]; options: { width, height, windowMs,
// now, axes (draw labels and grid), unit }.
export function renderChart(svg, series, options) {
  const { width, height, windowMs, now = Date.now(), axes = true, unit = '' } = options;
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  // Sparklines stretch to their box; a chart with labels keeps its proportions.
  svg.setAttribute('preserveAspectRatio', axes ? 'xMidYMid meet' : 'none');
  const left = axes ? 44 : 1;
  const right = 1;
  const top = axes ? 8 : 1;
  const bottom = axes ? 18 : 1;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  let max = 0;
  for (const s of series) for (const p of s.points) max = Math.max(max, p.v);
  max = niceMax(max);
  const x = (t) => left + plotW * (1 - (now - t) / windowMs);
  const y = (v) => top + plotH * (1 - v / max);
  if (axes) {
    for (const fraction of [0, 0.5, 1]) {
      const v = max * fraction;
      svg.append(el('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: 'grid' }));
      const label = el('text', { x: left - 4, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' });
      label.textContent = `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;
      svg.append(label);
    }
    const minutes = Math.round(windowMs / 60000);
    const from = el('text', { x: left, y: height - 4, class: 'axis' });
    from.textContent = `-${minutes} min`;
    const to = el('text', { x: width - right, y: height - 4, class: 'axis', 'text-anchor': 'end' });
    to.textContent = 'now';
    svg.append(from, to);
  }
  for (const s of series) {
    const visible = s.points.filter((p) => now - p.t <= windowMs);
    if (visible.length < 2) continue;
    const d = visible.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
    svg.append(el('path', { d: d.join(' '), class: `series ${s.className}` }));
  }
}
