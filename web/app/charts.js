// The two small charts of the page, drawn as SVG: the rating histogram and
// the live loss curve. The worker sends numbers; these only place them.
import { svg, clear, formatInt } from './dom.js';

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
    rect.append(svg('title', { text: `${stars} stars: ${formatInt(count)} ratings` }));
    node.append(rect);
    node.append(svg('text', { class: 'axis', x: (x + slot * 0.38).toFixed(1), y: H - 5, 'text-anchor': 'middle', text: stars }));
    if (count) node.append(svg('text', { class: 'count', x: (x + slot * 0.38).toFixed(1), y: (y - 3).toFixed(1), 'text-anchor': 'middle', text: compact(count) }));
    parts.push(`${stars} stars ${formatInt(count)}`);
  });
  if (descNode) descNode.textContent = `Histogram of ratings: ${parts.join(', ')}.`;
}

function compact(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`;
  return String(n);
}

// A loss curve over training progress (x = fraction of all epochs done).
export class LossChart {
  constructor(node, descNode) {
    this.node = node;
    this.desc = descNode;
    this.points = [];  // [fraction, loss]
    this.epochs = [];  // fractions where epochs ended
    this.pending = false;
  }

  reset() {
    this.points = [];
    this.epochs = [];
    this.draw();
  }

  add(fraction, loss) {
    if (!Number.isFinite(loss)) return;
    this.points.push([fraction, loss]);
    if (this.points.length > 1200) this.points = this.points.filter((_, i) => i % 2 === 0); // keep the chart light
    this.schedule();
  }

  markEpoch(fraction) {
    this.epochs.push(fraction);
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
    const W = 600, H = 220, pad = 8;
    const node = this.node;
    clear(node);
    for (let i = 1; i < 4; i++) node.append(svg('line', { class: 'grid', x1: 0, x2: W, y1: (H * i) / 4, y2: (H * i) / 4 }));
    const labels = [document.getElementById('loss-first'), document.getElementById('loss-last')];
    if (this.points.length === 0) {
      for (const l of labels) if (l) l.textContent = '';
      this.desc.textContent = 'No training yet.';
      return;
    }
    let lo = Infinity, hi = -Infinity;
    for (const [, l] of this.points) {
      lo = Math.min(lo, l);
      hi = Math.max(hi, l);
    }
    if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
    const range = hi - lo;
    lo -= range * 0.05;
    hi += range * 0.05;
    const x = (f) => pad + f * (W - 2 * pad);
    const y = (l) => pad + (1 - (l - lo) / (hi - lo)) * (H - 2 * pad);
    for (const f of this.epochs) node.append(svg('line', { class: 'epoch-mark', x1: x(f), x2: x(f), y1: 0, y2: H }));
    const d = this.points.map(([f, l], i) => `${i ? 'L' : 'M'}${x(f).toFixed(1)} ${y(l).toFixed(1)}`).join(' ');
    node.append(svg('path', { class: 'line', d }));
    const first = this.points[0][1];
    const last = this.points[this.points.length - 1][1];
    node.append(svg('title', { text: `loss from ${first.toFixed(4)} to ${last.toFixed(4)}` }));
    if (labels[0]) labels[0].textContent = `start ${first.toFixed(4)}`;
    if (labels[1]) labels[1].textContent = `now ${last.toFixed(4)}`;
    this.desc.textContent = `Training loss went from ${first.toFixed(4)} to ${last.toFixed(4)} over ${this.epochs.length} finished epochs.`;
  }
}
