// The two small charts of the page, drawn as SVG: the rating histogram and
// the live loss curve. The worker sends numbers; these only place them.
import { svg, clear, formatInt, plural } from './dom.js';

// hist: counts for 0.5, 1.0, ..., 5.0 stars (10 values)
export function drawHistogram(node, hist, descNode) {
  const W = 320, H = 130, left = 6, bottom = 18, top = 14;
  const n = hist.length;
  const max = Math.max(1, ...hist);
  const slot = (W - left * 2) / n;
  clear(node);
  const parts = [];
  hist.forEach((count, i) => {
    const h = ((H - bottom - top) * count) / max;
    const x = left + i * slot + slot * 0.12;
    const y = H - bottom - h;
    const stars = ((i + 1) / 2).toString();
    const rect = svg('rect', { class: 'bar', x: x.toFixed(1), y: y.toFixed(1), width: (slot * 0.76).toFixed(1), height: Math.max(h, count ? 1 : 0).toFixed(1), rx: 2 });
    rect.append(svg('title', { text: `${stars} star${stars === '1' ? '' : 's'}: ${plural(count, 'rating')}` }));
    node.append(rect);
    node.append(svg('text', { class: 'axis', x: (x + slot * 0.38).toFixed(1), y: H - 5, 'text-anchor': 'middle', text: stars }));
    if (count) node.append(svg('text', { class: 'count', x: (x + slot * 0.38).toFixed(1), y: (y - 3).toFixed(1), 'text-anchor': 'middle', text: compact(count) }));
    parts.push(`${stars} star${stars === '1' ? '' : 's'} ${formatInt(count)}`);
  });
  if (descNode) descNode.textContent = `Histogram of ratings: ${parts.join(', ')}.`;
}

function compact(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}

// The training progress curve: one point per finished epoch (x = share of
// the epochs done), the same quantity the status box shows.
export class LossChart {
  constructor(node, descNode) {
    this.node = node;
    this.desc = descNode;
    this.points = [];  // [fraction, value, epoch]
    this.pending = false;
  }

  reset() {
    this.points = [];
    this.draw();
  }

  add(fraction, value, epoch) {
    if (!Number.isFinite(value)) return;
    this.points = this.points.filter((p) => p[2] !== epoch).concat([[fraction, value, epoch]]);
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw() {
    const W = 600, H = 220, pad = 10;
    const node = this.node;
    clear(node);
    for (let i = 1; i < 4; i++) node.append(svg('line', { class: 'grid', x1: 0, x2: W, y1: (H * i) / 4, y2: (H * i) / 4 }));
    const labels = [document.getElementById('loss-first'), document.getElementById('loss-last')];
    if (this.points.length === 0) {
      for (const l of labels) if (l) l.textContent = '';
      this.desc.textContent = 'No finished epoch yet.';
      return;
    }
    let lo = Infinity, hi = -Infinity;
    for (const [, v] of this.points) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
    const range = hi - lo;
    lo -= range * 0.08;
    hi += range * 0.08;
    const x = (f) => pad + f * (W - 2 * pad);
    const y = (v) => pad + (1 - (v - lo) / (hi - lo)) * (H - 2 * pad);
    const d = this.points.map(([f, v], i) => `${i ? 'L' : 'M'}${x(f).toFixed(1)} ${y(v).toFixed(1)}`).join(' ');
    node.append(svg('path', { class: 'line', d }));
    // zero-length round-capped strokes: dots that stay round in the stretched viewBox
    for (const [f, v] of this.points) node.append(svg('path', { class: 'point', d: `M${x(f).toFixed(1)} ${y(v).toFixed(1)}h0` }));
    const [, first, firstEpoch] = this.points[0];
    const [, last, lastEpoch] = this.points[this.points.length - 1];
    node.append(svg('title', { text: `from ${first.toFixed(4)} to ${last.toFixed(4)}` }));
    if (labels[0]) labels[0].textContent = `epoch ${firstEpoch}: ${first.toFixed(4)}`;
    if (labels[1]) labels[1].textContent = this.points.length > 1 ? `epoch ${lastEpoch}: ${last.toFixed(4)}` : '';
    this.desc.textContent = `From ${first.toFixed(4)} after epoch ${firstEpoch} to ${last.toFixed(4)} after epoch ${lastEpoch}.`;
  }
}
