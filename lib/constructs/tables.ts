/**
 * The DynamoDB tables, one per `tables` entry of the wiring manifest (lib/wiring.ts). Adding a table
 * there adds it here; nothing in this file names a particular table.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type CfnTable,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type TableKey, type TableSpec, tables as tableSpecs } from '../wiring';

/** A table together with the variable through which functions learn its generated name. */
export interface EnvTable {
  readonly table: Table;
  readonly envVar: string;
  /** Whether grants on it also cover global secondary indexes ("<arn>/index/*"). */
  readonly hasIndexes: boolean;
}

const streamViews: Record<NonNullable<TableSpec['stream']>, StreamViewType> = {
  NEW_IMAGE: StreamViewType.NEW_IMAGE,
  NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES,
};

export class Tables extends Construct {
  private readonly byKey = new Map<TableKey, EnvTable>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const [key, spec] of Object.entries(tableSpecs) as Array<[TableKey, TableSpec]>) {
      this.byKey.set(key, {
        table: createTable(this, spec),
        envVar: spec.envVar,
        hasIndexes: spec.indexes.length > 0,
      });
    }
  }

  /** The table declared under `key` in the wiring manifest. */
  get(key: TableKey): EnvTable {
    const found = this.byKey.get(key);
    if (!found) throw new Error(`No table "${key}" in the wiring manifest.`);
    return found;
  }

  all(): Array<[TableKey, EnvTable]> {
    return [...this.byKey.entries()];
  }
}

function createTable(scope: Construct, spec: TableSpec): Table {
  // Every key attribute is a string: ids are ULIDs or prefixed composite keys (see the repos).
  const key = (name: string) => ({ name, type: AttributeType.STRING });
  const table = new Table(scope, spec.id, {
    // No tableName: CloudFormation generates one, so two stacks (or a replacement) never collide;
    // functions receive it through spec.envVar.
    partitionKey: key(spec.partitionKey),
    ...(spec.sortKey ? { sortKey: key(spec.sortKey) } : {}),
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.AWS_MANAGED,
    ...(spec.ttlAttribute ? { timeToLiveAttribute: spec.ttlAttribute } : {}),
    ...(spec.stream ? { stream: streamViews[spec.stream] } : {}),
    // The tables hold clicks, credits and payouts: deleting the stack must never delete them, and a
    // console slip must not either.
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
  });
  for (const index of spec.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: key(index.partitionKey),
      ...(index.sortKey ? { sortKey: key(index.sortKey) } : {}),
    });
  }
  // Pin the CloudFormation logical id to the manifest's id. A stateful resource whose logical id
  // changes is replaced, and a retained table would be orphaned with its data while an empty one
  // takes its place: moving this construct in the tree must not do that.
  (table.node.defaultChild as CfnTable).overrideLogicalId(spec.id);
  return table;
}
