'use strict';
const { median, spread, round } = require('./stats');

/**
 * Side-by-side measurement on a shared, noisy machine: A and B take turns (ABBA...: the one
 * that went second goes first in the next round), and the figure is the median of the
 * per-round ratios A/B, with their spread. Absolute numbers drift; ratios of neighbours less.
 */
async function alternate({ rounds, runA, runB }) {
  const a = [];
  const b = [];
  const ratios = [];
  for (let i = 0; i < rounds; i++) {
    let ra;
    let rb;
    if (i % 2 === 0) {
      ra = await runA(i);
      rb = await runB(i);
    } else {
      rb = await runB(i);
      ra = await runA(i);
    }
    a.push(ra);
    b.push(rb);
    ratios.push(ra / rb);
  }
  const { min, max } = spread(ratios);
  return {
    a: a.map((v) => round(v, 0)),
    b: b.map((v) => round(v, 0)),
    medianA: round(median(a), 0),
    medianB: round(median(b), 0),
    ratio: round(median(ratios)),
    ratioMin: round(min),
    ratioMax: round(max),
  };
}

module.exports = { alternate };
