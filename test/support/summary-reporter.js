/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after Jest's own summary,
 * so that tools reading only the last lines of a run see what it counted. Skipped tests are named
 * just above it (a layer skipped for want of a browser says why in its test's name), so a skip is
 * never silent.
 */
class SummaryReporter {
  onRunStart() {
    // Workers and test children run on this same binary (process.execPath): it should be the
    // Node.js major of package.json's config.nodeMajor, which the unit layer checks.
    process.stdout.write(`Node.js ${process.version} (${process.execPath})\n`);
  }
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const names = results.testResults.flatMap((file) =>
      file.testResults.filter((t) => t.status === 'pending' || t.status === 'todo').map((t) => t.fullName),
    );
    const list = names.map((name) => `skipped: ${name}\n`).join('');
    process.stdout.write(
      `\n${list}tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
