/**
 * cdk-nag (AwsSolutionsChecks, registered as in bin/app.ts): the stack synthesizes with zero
 * unacknowledged findings, every acknowledgement matches a finding that really occurs and carries a
 * reason, and a new finding does fail synthesis.
 */
import { Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp, removeSynthOutput } from './synth';

interface Finding {
  rule: string;
  path: string;
}

function findingsOf(scope: IConstruct): Finding[] {
  return new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })),
    );
}

/** Every acknowledgement recorded in the construct tree: where, which rule, and why. */
function acknowledgementsOf(scope: IConstruct): Array<{ path: string; rule: string; reason: string }> {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          // aws-cdk-lib records plain ids as annotation ids; cdk-nag strips the prefix the same way.
          rule: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const isUnder = (path: string, ancestor: string) => path === ancestor || path.startsWith(`${ancestor}/`);

afterAll(removeSynthOutput);

describe('cdk-nag AwsSolutionsChecks', () => {
  test('the stack has no unacknowledged finding, and synthesis (which runs the checks) succeeds', () => {
    const { app } = buildApp();
    expect(findingsOf(app)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  describe('acknowledgements', () => {
    const { app } = buildApp();
    const acknowledgements = acknowledgementsOf(app);

    // The same app built with every acknowledgement dropped shows what the checks really find.
    const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    const raw = findingsOf(buildApp().app);
    spy.mockRestore();

    test('there are some, and the unacknowledged app does have findings', () => {
      expect(acknowledgements.length).toBeGreaterThan(0);
      expect(raw.length).toBeGreaterThan(0);
    });

    test('each one carries a real reason', () => {
      for (const a of acknowledgements) expect(a.reason.length).toBeGreaterThanOrEqual(60);
    });

    test('each one names an exact finding id that occurs on or below its construct (none is stale)', () => {
      for (const a of acknowledgements) {
        expect({
          ...a,
          matched: raw.some((f) => f.rule === a.rule && isUnder(f.path, a.path)),
        }).toMatchObject({
          matched: true,
        });
      }
    });

    test('each finding is acknowledged on its own resource or an ancestor, not stack-wide', () => {
      for (const f of raw) {
        const by = acknowledgements.filter((a) => a.rule === f.rule && isUnder(f.path, a.path));
        expect({ ...f, acknowledged: by.length > 0 }).toMatchObject({ acknowledged: true });
        for (const a of by) expect(a.path).not.toBe('Creditlink');
      }
    });

    test('only the expected kinds of finding are acknowledged', () => {
      const kinds = new Set(acknowledgements.map((a) => a.rule.replace(/\[.*$/, '')));
      expect([...kinds].sort()).toEqual([
        'AwsSolutions-APIG4',
        'AwsSolutions-IAM5',
        'AwsSolutions-SMG4',
        'AwsSolutions-SQS3',
      ]);
    });
  });

  test('a table without point-in-time recovery fails synthesis', () => {
    const { app } = buildApp({
      beforeSynth: (stack) => {
        new Table(stack, 'Unprotected', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
      },
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });

  test('a bucket that accepts plain HTTP fails synthesis', () => {
    const { app } = buildApp({
      beforeSynth: (stack) => {
        new Bucket(stack, 'PlainHttp', {
          blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
          serverAccessLogsBucket: stack.buckets.accessLogs,
        });
      },
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });

  test('a bucket without server access logs fails synthesis', () => {
    const { app } = buildApp({
      beforeSynth: (stack) => {
        new Bucket(stack, 'Unlogged', { blockPublicAccess: BlockPublicAccess.BLOCK_ALL, enforceSSL: true });
      },
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-S1\b/);
  });

  test('acknowledgements are per finding: a new wildcard action on an acknowledged role still fails', () => {
    const { app } = buildApp({
      beforeSynth: (stack) => {
        stack.function('redirect').addToRolePolicy(
          new PolicyStatement({
            actions: ['dynamodb:*'],
            resources: [stack.tables.get('config').table.tableArn],
          }),
        );
      },
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Action::dynamodb:\*\]/);
  });
});
