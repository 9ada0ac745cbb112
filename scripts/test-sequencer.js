// Jest test order: the unit tier (test/unit) before everything else, so a broken rule shows in
// seconds; within each tier jest's own order (failed last time first, then slowest first).
const Sequencer = require('@jest/test-sequencer').default;
const { sep } = require('node:path');

const unitDir = `${sep}test${sep}unit${sep}`;

class UnitFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    return [...sorted.filter((t) => t.path.includes(unitDir)), ...sorted.filter((t) => !t.path.includes(unitDir))];
  }
}

module.exports = UnitFirstSequencer;
