'use strict';
/** Small statistics over numbers: medians and percentiles for the report. */

function sorted(values) {
  return [...values].sort((a, b) => a - b);
}

function percentile(values, p) {
  if (!values.length) return NaN;
  const s = sorted(values);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

function median(values) {
  if (!values.length) return NaN;
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function spread(values) {
  if (!values.length) return { min: NaN, max: NaN };
  const s = sorted(values);
  return { min: s[0], max: s[s.length - 1] };
}

const round = (n, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

module.exports = { percentile, median, spread, round };
