// Which model answers requests, in the words the page uses in the training
// and recommendation sections: "trained on all 100,836 ratings" or "on the
// 80 % train share (80,669 of 100,836 ratings)".
import { formatInt, plural } from './dom.js';

// serving: { ratings, totalRatings, all } from the worker, or null when the
// model does not say (a file saved by an older version).
export function servingText(serving, { pass = null, training = 'idle' } = {}) {
  if (!serving) {
    return pass === 'split' || pass === 'all' ? '' : 'Answers come from a saved model that does not record which ratings it learned from.';
  }
  if (serving.all) return `Answers come from the model trained on all ${plural(serving.ratings, 'rating')}.`;
  const share = serving.totalRatings ? Math.round((100 * serving.ratings) / serving.totalRatings) : null;
  const refitting = pass === 'refit' && (training === 'running' || training === 'stopped');
  return `Answers come from the model trained on the ${share !== null ? `${share} % ` : ''}train share (${formatInt(serving.ratings)} of ${plural(serving.totalRatings, 'rating')})` +
    (refitting ? (training === 'running' ? '; the final model on all ratings is training.' : '; the final model on all ratings was stopped before the end.') : '.');
}
