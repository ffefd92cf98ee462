/**
 * Read-only views of a synthesized CreditlinkStack template for the infra tests: resources by logical
 * id or type, a function's environment, and the IAM actions a role may perform on a resource.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { CreditlinkStack } from '../../lib/stack';
import type { FunctionKey } from '../../lib/wiring';
import { logicalId } from './synth';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy document property (none if it is missing). */
export const statementsIn = (document: unknown): Statement[] =>
  (document as { Statement?: Statement[] } | undefined)?.Statement ?? [];

export const asArray = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
/** Whether a policy resource (an ARN expression) points at the resource with this logical id. */
export const refersTo = (policyResource: unknown, id: string) =>
  (JSON.stringify(policyResource) ?? '').includes(`"${id}"`);

export function inspect(stack: CreditlinkStack, template: Template) {
  const cfn = template.toJSON() as {
    Resources: Record<string, CfnResource>;
    Outputs: Record<string, unknown>;
  };
  const resources = cfn.Resources;

  function resource(id: string): CfnResource {
    const found = resources[id];
    if (!found) throw new Error(`No resource ${id} in the template`);
    return found;
  }
  function props(id: string): Record<string, unknown> {
    return resource(id).Properties ?? {};
  }
  function ofType(type: string): Array<[string, CfnResource]> {
    return Object.entries(resources).filter(([, r]) => r.Type === type);
  }
  const functionId = (key: FunctionKey) => logicalId(stack, stack.function(key));

  function environment(key: FunctionKey): Record<string, unknown> {
    const env = props(functionId(key)).Environment as { Variables: Record<string, unknown> } | undefined;
    return env?.Variables ?? {};
  }

  /** Every IAM statement of the policies attached to the role with this logical id. */
  function statementsOfRole(roleId: string): Statement[] {
    return ofType('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(([, p]) => statementsIn(p.Properties?.PolicyDocument));
  }
  const roleOf = (key: FunctionKey) =>
    (props(functionId(key)).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

  /** Every IAM statement of the policies attached to a function's execution role. */
  const statementsOf = (key: FunctionKey) => statementsOfRole(roleOf(key));

  /** The actions these statements allow on the resource with this logical id (or its sub-ARNs). */
  function allowedOn(statements: Statement[], id: string): Set<string> {
    const actions = new Set<string>();
    for (const s of statements) {
      if (s.Effect !== 'Allow') continue;
      if (asArray(s.Resource).some((r) => refersTo(r, id))) for (const a of asArray(s.Action)) actions.add(a);
    }
    return actions;
  }
  /** The actions a function's role allows on the resource with this logical id (or its sub-ARNs). */
  const actionsOn = (key: FunctionKey, id: string) => allowedOn(statementsOf(key), id);

  /** The logical ids of the roles whose policies allow `action` on the resource with this logical id. */
  function rolesAllowedTo(action: string, id: string): string[] {
    return ofType('AWS::IAM::Policy')
      .filter(([, p]) => allowedOn(statementsIn(p.Properties?.PolicyDocument), id).has(action))
      .flatMap(([, p]) => ((p.Properties?.Roles ?? []) as Array<{ Ref: string }>).map((r) => r.Ref))
      .sort();
  }

  return {
    cfn,
    resources,
    resource,
    props,
    ofType,
    functionId,
    environment,
    roleOf,
    statementsOf,
    statementsOfRole,
    allowedOn,
    actionsOn,
    rolesAllowedTo,
  };
}
