// Section 2: model choice and settings, start/stop/resume, epoch and batch
// progress, throughput, ETA, the live loss chart and the metrics table.
import { $, $$, el, clear, formatInt, formatSeconds, formatMetric, announce } from './dom.js';
import { LossChart } from './charts.js';
import { servingText } from './serving.js';

// The settings fields, each checked against its data-min/data-max (and
// data-kind: 'whole' or 'number') before anything starts.
const FIELDS = ['epochs', 'batchSize', 'dim', 'learningRate', 'seed', 'testPercent'];

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

// null when the value is blank (the preset's) or allowed, else the message
// shown under the field, naming the allowed range.
export function fieldProblem(raw, { label, min, max, kind }) {
  const text = String(raw).trim();
  if (text === '') return null;
  const range = `${kind === 'whole' ? 'a whole number' : 'a number'} from ${min} to ${max}`;
  const v = Number(text);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) || !Number.isFinite(v)) return `"${text}" is not a number: ${label} must be ${range}.`;
  if (kind === 'whole' && !Number.isInteger(v)) return `${label} must be ${range}; ${text} is not whole.`;
  if (v < Number(min) || v > Number(max)) return `${label} must be ${range}; ${text} is out of range.`;
  return null;
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
  let pass = null;       // 'split' | 'refit' | 'all' of the run shown
  let epochs = 0;
  let quantity = { name: 'Objective per rating', note: '(after each epoch; it never rises)' };

  function presetName() {
    const preset = form.elements.preset.value;
    const head = form.elements.ratingHead.checked;
    return preset === 'tfrs' && head ? 'tfrs-multitask' : preset;
  }

  // Shows (or clears) the message under one field; true when it is fine.
  function checkField(input) {
    const problem = fieldProblem(input.value, { label: input.labels[0].textContent, min: input.dataset.min, max: input.dataset.max, kind: input.dataset.kind });
    $(`#${input.id}-error`).textContent = problem || '';
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return !problem;
  }

  // The training config, or null (with the messages shown) when a field is wrong.
  function readConfig() {
    const bad = FIELDS.map((name) => form.elements[name]).filter((input) => !checkField(input));
    if (bad.length) return null;
    const preset = presetName();
    const config = { preset };
    if (form.elements.ratingHead.checked && preset === 'default') config.ratingWeight = 1;
    for (const name of FIELDS) {
      const text = form.elements[name].value.trim();
      if (text === '') continue;
      if (name === 'testPercent') config.testFraction = Number(text) / 100;
      else config[name] = Number(text);
    }
    return config;
  }

  function showPresetDefaults() {
    const p = presets[presetName()] || {};
    for (const name of FIELDS) {
      if (name !== 'testPercent') form.elements[name].placeholder = p[name] !== undefined ? String(p[name]) : 'preset';
    }
    form.elements.testPercent.placeholder = p.testFraction !== undefined ? String(Math.round(p.testFraction * 100)) : '20';
    const tfrs = presetName().startsWith('tfrs');
    quantity = tfrs ? { name: 'Loss per example', note: '(mean over each epoch)' } : { name: 'Objective per rating', note: '(after each epoch; it never rises)' };
    if (state === 'idle') showQuantity();
  }

  function showQuantity() {
    $('#stat-loss-name').textContent = quantity.name;
    $('#chart-name').textContent = quantity.name;
    $('#chart-note').textContent = quantity.note;
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
    if (rows.length === 0) {
      const none = pass === 'all' ? 'No held-out metrics: with a test share of 0 every rating trains the model.' : 'Metrics appear after the first epoch.';
      rows.push(el('tr', { class: 'empty' }, el('td', { colspan: 5 }, none)));
    }
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

  // "Epoch 3 of 8", with the pass when there are two
  function epochText(epoch, of) {
    const which = pass === 'split' ? 'Measuring on the split: ' : pass === 'refit' ? 'Final model on all ratings: ' : '';
    return `${which}epoch ${epoch} of ${of}`.replace(/^e/, 'E');
  }

  function showServing(serving) {
    const line = $('#train-serving');
    const text = serving || pass === 'refit' ? servingText(serving, { pass, training: state }) : '';
    line.textContent = text;
    line.hidden = !text;
  }

  function onProgress(p) {
    if (p.phase === 'evaluate') {
      // the bars show the epoch being evaluated, not the next one
      epochBar.max = p.epochs;
      epochBar.value = p.epoch;
      batchBar.value = batchBar.max;
      $('#epoch-label').textContent = epochText(p.epoch, p.epochs);
      setStatus(p.what === 'popularity' ? 'Measuring the popularity baseline…' : `Evaluating epoch ${p.epoch} of ${p.epochs} on the held-out ratings…`);
      return;
    }
    if (p.phase !== 'train') return;
    if (p.pass && p.pass !== pass) {
      pass = p.pass;
    }
    const done = p.finished;
    const epoch = done ? p.epochs : Math.min(p.epoch, p.epochs);
    epochBar.max = p.epochs;
    epochBar.value = done ? p.epochs : Math.min(p.epochs, (p.epoch - 1) + p.batch / p.batches);
    batchBar.max = p.batches;
    batchBar.value = done ? p.batches : p.batch;
    $('#epoch-label').textContent = epochText(epoch, p.epochs);
    $('#batch-label').textContent = `Batch ${formatInt(done ? p.batches : p.batch)} of ${formatInt(p.batches)}`;
    if (Number.isFinite(p.objective)) $('#stat-loss').textContent = `${p.objective.toFixed(4)} (epoch ${p.objectiveEpoch})`;
    $('#stat-speed').textContent = p.examplesPerSecond ? `${formatInt(p.examplesPerSecond)} ratings/s` : '–';
    $('#stat-elapsed').textContent = formatSeconds(p.elapsedSeconds);
    $('#stat-eta').textContent = done && p.fraction >= 1 ? 'done' : formatSeconds(p.etaSeconds);
    if (state === 'running') setStatus(`${epochText(epoch, p.epochs)}…`); // also at the last epoch, until its evaluation says so
  }

  function onEpoch(msg) {
    if (msg.pass === 'split' || msg.metrics) {
      history = history.filter((h) => h.epoch !== msg.epoch).concat([{ epoch: msg.epoch, metrics: msg.metrics }]);
    }
    if (msg.baseline) baseline = msg.baseline;
    if (Number.isFinite(msg.objective)) chart.add(msg.epoch / msg.epochs, msg.objective, msg.epoch);
    renderMetrics();
    if (msg.serving) showServing(msg.serving);
    const r = metric(msg.metrics, 'recall_at_20');
    announce(`${epochText(msg.epoch, msg.epochs)} finished${Number.isFinite(r) ? `, recall at 20 ${r.toFixed(3)}` : ''}.`);
  }

  function onTraining(msg) {
    const previous = state;
    const previousPass = pass;
    state = msg.state;
    pass = msg.pass || null;
    resumable = msg.resumable !== undefined ? msg.resumable : state === 'stopped';
    if (msg.history) history = msg.history;
    if (msg.baseline !== undefined) baseline = msg.baseline;
    if (msg.config) epochs = msg.config.epochs || epochs;
    renderMetrics();
    setButtons();
    showServing(msg.serving);
    app.training = state;
    app.serving = msg.serving || null;
    document.body.dataset.pass = pass || '';
    if (pass === 'refit' && previousPass === 'split') chart.reset(); // the final model's own curve
    if (state === 'idle') {
      setStatus(app.summary ? 'Ready to train. Pick a model and press Start.' : 'Load data to train a model.');
      if (previous !== 'idle') resetProgress();
    } else if (state === 'running' && pass === 'refit' && previousPass === 'split') {
      setStatus('Held-out metrics done. Training the final model on all ratings with the same settings…');
    } else if (state === 'running' && previous !== 'running') {
      setStatus(pass === 'all' ? 'Training on all ratings (test share 0: no held-out metrics)…' : 'Training…');
    } else if (state === 'stopped') {
      setStatus(resumable ? 'Stopped. Resume to continue from here, or ask for recommendations now.' : 'A saved model is loaded. Recommendations work; train a new model to continue.');
    } else if (state === 'done') {
      setStatus(msg.elapsedSeconds ? `Finished in ${formatSeconds(msg.elapsedSeconds)}${{ refit: ' (training, evaluation, the final model and saving)', all: ' (training and saving)' }[pass] || ' (training, evaluation and saving)'}. The model is ready.` : 'The model is ready.');
      if (msg.elapsedSeconds) {
        epochBar.value = epochBar.max;
        batchBar.value = batchBar.max;
        $('#stat-eta').textContent = 'done';
        $('#stat-elapsed').textContent = formatSeconds(msg.elapsedSeconds);
      }
    }
  }

  async function start() {
    const config = readConfig();
    if (!config) {
      setStatus('Training did not start: fix the settings marked below.');
      const first = form.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
      return;
    }
    resetProgress();
    showQuantity();
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
  for (const name of FIELDS) {
    const input = form.elements[name];
    // a message goes as soon as the value is fixed; a new one waits for leaving the field
    input.addEventListener('input', () => { if (input.hasAttribute('aria-invalid')) checkField(input); });
    input.addEventListener('change', () => checkField(input));
  }

  app.client.on('progress', onProgress);
  app.client.on('epoch', onEpoch);
  app.client.on('training', onTraining);
  // A preset of the core's table (presets()) without a radio button of its
  // own in index.html gets one, from its one-line `about`: a new model type
  // shows up here with no edit. ('tfrs-multitask' is tfrs + the rating-head box.)
  function addPresetChoices() {
    const have = new Set($$('input[name="preset"]', form).map((input) => input.value));
    const before = $('#rating-head', form).closest('label');
    for (const [name, p] of Object.entries(presets)) {
      if (have.has(name) || name === 'tfrs-multitask') continue;
      const input = el('input', { type: 'radio', name: 'preset', value: name });
      input.addEventListener('change', showPresetDefaults);
      const text = el('span', {}, el('strong', { text: name }), ` — ${p.about || 'a model type of the core'}.`);
      before.before(el('label', { class: 'choice' }, input, text));
    }
  }

  app.on('engine-ready', async () => {
    try {
      presets = (await app.client.request('presets')) || {};
    } catch {
      presets = {};
    }
    addPresetChoices();
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
