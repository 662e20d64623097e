// Prints the run's totals as one plain closing line ("jest: N passed, N failed, N skipped"), which CI reads to
// know how many tests ran; jest's own summary is not in a form it reads.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    process.stdout.write(`\njest: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
module.exports = SummaryReporter;
