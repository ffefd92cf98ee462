/**
 * The local runtime calls every function's handler in one process, concurrently. Each invocation
 * must log under its own function's service name and see only its own appended keys and
 * correlation id, although Powertools' Logger is one module-wide instance. The handlers run in a
 * process of their own (test/support/local-invocations.ts says why); this reads what they wrote.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

type Line = Record<string, unknown>;

const repoRoot = join(__dirname, '..', '..');

function run(scenario: string): Line[] {
  const out = execFileSync(
    join(repoRoot, 'node_modules', '.bin', 'tsx'),
    [join(repoRoot, 'test', 'support', 'local-invocations.ts'), scenario],
    // Powertools writes errors to stderr: the failing records' lines stay out of the test output.
    {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' },
    },
  );
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

jest.setTimeout(60_000);

describe('local invocations', () => {
  test('concurrent invocations keep their own correlation id, keys and service name', () => {
    const lines = run('interleaved').filter((l) => l.message === 'started' || l.message === 'finished');
    expect(lines.map((l) => `${l.message} ${l.which}`)).toEqual([
      'started first',
      'started second',
      'finished first',
      'finished second',
    ]);
    for (const line of lines) {
      const which = line.which as string;
      expect(line).toMatchObject({
        correlation_id: `req-${which}`,
        caller: which,
        service: which === 'first' ? 'creditlink-redirect' : 'creditlink-ingest',
        function_name: which === 'first' ? 'redirect' : 'ingest',
      });
    }
  });

  test('a record failing its last allowed receive is counted as dead-lettered, for its consumer', () => {
    const lines = run('failingBatch');
    expect(lines).toContainEqual({
      batchResponse: { batchItemFailures: [{ itemIdentifier: 'm-4' }, { itemIdentifier: 'm-5' }] },
    });
    // The orders queue allows 5 receives (lib/wiring.ts): only the fifth failure was the last.
    const emf = lines.filter((l) => '_aws' in l);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ service: 'creditlink-attribution', MessagesDeadLettered: 1 });
    expect(JSON.stringify(emf[0]?._aws)).toContain('"Namespace":"Creditlink"');
  });
});
