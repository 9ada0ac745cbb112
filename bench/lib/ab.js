'use strict';
const { median, spread, round } = require('./stats');

/**
 * Side-by-side measurement on a shared, noisy machine: the contestants take turns, in order in
 * even rounds and in reverse in odd ones (ABBA... for two), so none always goes first or last.
 * `runs` maps a name to `run(round) -> figure`; resolves to each name's figure per round.
 */
async function alternateMany({ rounds, runs }) {
  const names = Object.keys(runs);
  const figures = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < rounds; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) figures[name][i] = await runs[name](i);
  }
  return figures;
}

/** The median of per-round ratios a[i]/b[i], with their spread: absolute numbers drift, ratios of neighbours less. */
function roundRatios(a, b) {
  const ratios = a.map((value, i) => value / b[i]);
  const { min, max } = spread(ratios);
  return { ratio: round(median(ratios)), ratioMin: round(min), ratioMax: round(max) };
}

/** Two contestants, A and B: per-round figures, medians, and A/B. */
async function alternate({ rounds, runA, runB }) {
  const { a, b } = await alternateMany({ rounds, runs: { a: runA, b: runB } });
  return {
    a: a.map((v) => round(v, 0)),
    b: b.map((v) => round(v, 0)),
    medianA: round(median(a), 0),
    medianB: round(median(b), 0),
    ...roundRatios(a, b),
  };
}

module.exports = { alternate, alternateMany, roundRatios };
