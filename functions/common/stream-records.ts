/** What every consumer of a DynamoDB stream reads from its records (the aggregator, the events). */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

export type StreamImage = Record<string, unknown>;

/** `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` → `<name>`. */
export function tableOfStreamArn(arn: string | undefined): string | undefined {
  return /:table\/([^/]+)\/stream\//.exec(arn ?? '')?.[1];
}

/** A record's old or new image as plain values (the Lambda event's attribute values have the wire shape). */
export function imageOf(image: unknown): StreamImage | undefined {
  return image ? (unmarshall(image as Record<string, AttributeValue>) as StreamImage) : undefined;
}
