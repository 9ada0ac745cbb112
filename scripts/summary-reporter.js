// Jest reporter for one plain closing line CI can read: "tests: N passed, N failed, N skipped".
// Under `npm test` it hands the counts to scripts/test.js, which prints the line last of all.
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const counts = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests,
    };
    if (process.env.TASKGATE_TEST_SUMMARY) writeFileSync(process.env.TASKGATE_TEST_SUMMARY, JSON.stringify(counts));
    else console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
module.exports = SummaryReporter;
