// Section 2: model choice and settings, start/stop/resume, epoch and batch
// progress, throughput, ETA, the live loss chart and the metrics table.
import { $, $$, el, clear, formatInt, formatSeconds, formatMetric, announce } from './dom.js';
import { LossChart } from './charts.js';

const FIELDS = ['epochs', 'batchSize', 'dim', 'learningRate', 'seed'];

export function metric(m, name) {
  if (!m) return undefined;
  const alias = {
    top_100: ['top_100', 'top100', 'factorized_top_100'],
    recall_at_20: ['recall_at_20', 'recallAt20', 'recall@20'],
    ndcg_at_10: ['ndcg_at_10', 'ndcgAt10', 'ndcg@10'],
    rmse: ['rmse', 'RMSE'],
  }[name] || [name];
  for (const key of alias) if (Number.isFinite(m[key])) return m[key];
  if (name === 'top_100' && Array.isArray(m.top)) return m.top[4];
  return undefined;
}

export function createTrainPanel(app) {
  const form = $('#train-form');
  const startBtn = $('#train-start');
  const stopBtn = $('#train-stop');
  const resumeBtn = $('#train-resume');
  const status = $('#train-state');
  const epochBar = $('#epoch-progress');
  const batchBar = $('#batch-progress');
  const chart = new LossChart($('#loss-chart'), $('#loss-desc'));
  const table = $('#metrics');
  const tbody = $('#metrics-body');
  let presets = {};
  let state = 'idle';
  let resumable = false;
  let history = [];
  let baseline = null;

  function presetName() {
    const preset = form.elements.preset.value;
    const head = form.elements.ratingHead.checked;
    return preset === 'tfrs' && head ? 'tfrs-multitask' : preset;
  }

  function readConfig() {
    const preset = presetName();
    const config = { preset };
    if (form.elements.ratingHead.checked && preset === 'default') config.ratingWeight = 1;
    for (const name of FIELDS) {
      const input = form.elements[name];
      if (input.value.trim() === '') continue;
      const v = Number(input.value);
      if (!Number.isFinite(v) || (input.min && v < Number(input.min)) || (input.max && v > Number(input.max))) {
        throw new Error(`${input.labels[0].textContent}: "${input.value}" is outside ${input.min}–${input.max || '∞'}`);
      }
      config[name] = v;
    }
    const test = form.elements.testPercent.value.trim();
    if (test !== '') config.testFraction = Number(test) / 100;
    return config;
  }

  function showPresetDefaults() {
    const p = presets[presetName()] || {};
    for (const name of FIELDS) form.elements[name].placeholder = p[name] !== undefined ? String(p[name]) : 'preset';
    form.elements.testPercent.placeholder = p.testFraction !== undefined ? String(Math.round(p.testFraction * 100)) : '20';
  }

  function setButtons() {
    const hasData = !!app.summary;
    startBtn.disabled = !hasData || !app.engineReady;
    startBtn.textContent = state === 'idle' ? 'Start training' : 'Train a new model';
    stopBtn.disabled = state !== 'running';
    resumeBtn.disabled = !(state === 'stopped' && resumable && hasData);
  }

  function setStatus(text) {
    status.textContent = text;
  }

  function renderMetrics() {
    clear(tbody);
    const rows = [];
    const hasRmse = history.some((h) => Number.isFinite(metric(h.metrics, 'rmse')));
    table.classList.toggle('no-rmse', !hasRmse);
    const cells = (m, compare) => ['top_100', 'recall_at_20', 'ndcg_at_10', 'rmse'].map((name) => {
      const v = metric(m, name);
      const b = metric(compare, name);
      const better = compare && Number.isFinite(v) && Number.isFinite(b) && (name === 'rmse' ? v < b : v > b);
      return el('td', { class: `${name === 'rmse' ? 'rmse-col' : ''} ${better ? 'better' : ''}`.trim() || null }, formatMetric(v));
    });
    if (baseline) rows.push(el('tr', { class: 'baseline' }, el('th', { scope: 'row' }, 'Popularity baseline'), cells(baseline, null)));
    history.forEach((h, i) => {
      rows.push(el('tr', { class: i === history.length - 1 ? 'latest' : null }, el('th', { scope: 'row' }, `Epoch ${h.epoch}`), cells(h.metrics, baseline)));
    });
    if (rows.length === 0) rows.push(el('tr', { class: 'empty' }, el('td', { colspan: 5 }, 'Metrics appear after the first epoch.')));
    tbody.append(...rows);
    const last = [...history].reverse().find((h) => h.metrics && h.metrics.sampled);
    $('#metrics-note').textContent = last ? sampleNote(last.metrics.evaluated) : '';
  }

  function resetProgress() {
    epochBar.value = 0;
    batchBar.value = 0;
    $('#epoch-label').textContent = 'Epochs';
    $('#batch-label').textContent = 'Batches';
    for (const id of ['#stat-loss', '#stat-speed', '#stat-elapsed', '#stat-eta']) $(id).textContent = '–';
    chart.reset();
  }

  function onProgress(p) {
    if (p.phase === 'evaluate') {
      setStatus(p.what === 'popularity' ? 'Measuring the popularity baseline…' : `Evaluating epoch ${p.epoch} on held-out ratings…`);
      return;
    }
    if (p.phase !== 'train') return;
    epochBar.max = p.epochs;
    epochBar.value = Math.min(p.epochs, (p.epoch - 1) + p.batch / p.batches);
    batchBar.max = p.batches;
    batchBar.value = p.batch;
    $('#epoch-label').textContent = `Epoch ${Math.min(p.epoch, p.epochs)} of ${p.epochs}`;
    $('#batch-label').textContent = `Batch ${formatInt(p.batch)} of ${formatInt(p.batches)}`;
    if (Number.isFinite(p.loss)) $('#stat-loss').textContent = p.loss.toFixed(4);
    $('#stat-speed').textContent = p.examplesPerSecond ? `${formatInt(p.examplesPerSecond)} ratings/s` : '–';
    $('#stat-elapsed').textContent = formatSeconds(p.elapsedSeconds);
    $('#stat-eta').textContent = p.finished ? 'done' : formatSeconds(p.etaSeconds);
    if (p.batchLoss !== null) chart.add(p.fraction, p.batchLoss ?? p.loss);
    if (state === 'running') setStatus(`Training epoch ${Math.min(p.epoch, p.epochs)} of ${p.epochs}…`);
  }

  function onEpoch(msg) {
    history = history.filter((h) => h.epoch !== msg.epoch).concat([{ epoch: msg.epoch, metrics: msg.metrics }]);
    if (msg.baseline) baseline = msg.baseline;
    chart.markEpoch(msg.epoch / msg.epochs);
    renderMetrics();
    const r = metric(msg.metrics, 'recall_at_20');
    announce(`Epoch ${msg.epoch} of ${msg.epochs} finished${Number.isFinite(r) ? `, recall at 20 ${r.toFixed(3)}` : ''}.`);
  }

  function onTraining(msg) {
    const previous = state;
    state = msg.state;
    resumable = msg.resumable !== undefined ? msg.resumable : state === 'stopped';
    if (msg.history) history = msg.history;
    if (msg.baseline !== undefined) baseline = msg.baseline;
    renderMetrics();
    setButtons();
    app.training = state;
    if (state === 'idle') {
      setStatus(app.summary ? 'Ready to train. Pick a model and press Start.' : 'Load data to train a model.');
      if (previous !== 'idle') resetProgress();
    } else if (state === 'running' && previous !== 'running') {
      setStatus('Training…');
    } else if (state === 'stopped') {
      setStatus(resumable ? 'Stopped. Resume to continue from here, or ask for recommendations now.' : 'A saved model is loaded. Recommendations work; train a new model to continue.');
    } else if (state === 'done') {
      setStatus(msg.elapsedSeconds ? `Finished in ${formatSeconds(msg.elapsedSeconds)}. The model is ready.` : 'The model is ready.');
      if (msg.elapsedSeconds) { epochBar.value = epochBar.max; $('#stat-eta').textContent = 'done'; }
    }
  }

  async function start() {
    let config;
    try {
      config = readConfig();
    } catch (e) {
      setStatus(e.message);
      return;
    }
    resetProgress();
    history = [];
    baseline = null;
    renderMetrics();
    try {
      await app.client.request('train', { config });
    } catch (e) {
      setStatus(`Could not start training: ${e.message}`);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    start();
  });
  stopBtn.addEventListener('click', () => app.client.request('stop').catch((e) => setStatus(e.message)));
  resumeBtn.addEventListener('click', () => app.client.request('resume').catch((e) => setStatus(e.message)));
  for (const input of $$('input[name="preset"], #rating-head', form)) input.addEventListener('change', showPresetDefaults);

  app.client.on('progress', onProgress);
  app.client.on('epoch', onEpoch);
  app.client.on('training', onTraining);
  app.on('engine-ready', async () => {
    try {
      presets = (await app.client.request('presets')) || {};
    } catch {
      presets = {};
    }
    showPresetDefaults();
    setButtons();
  });
  app.on('dataset', () => {
    setButtons();
    if ($('#autostart').checked && !app.restoring) start();
  });
  app.on('loading', () => setButtons());

  showPresetDefaults();
  setButtons();
  return { start };
}

// "(seeded sample, seed 42: 20,000 of 5,000,000 test rows, 2,000 of 161,902 test users)"
export function sampleNote(e) {
  if (!e) return '(on a seeded sample of the test set)';
  const n = (v) => Number(v).toLocaleString('en-US');
  return `(seeded sample, seed ${e.seed}: ${n(e.rows)} of ${n(e.rows_total)} test rows, ` +
    `${n(e.users)} of ${n(e.users_total)} test users)`;
}
