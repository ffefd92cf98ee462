/**
 * SDK clients, built once per execution environment and reused by every invocation. Endpoints come
 * from the SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS), which the local
 * runtime points at its emulators: handlers never know where they run.
 *
 * DynamoDB and SQS serve most invocations and are built at first use of the module's getters. S3
 * (a statement now and then) and Secrets Manager (one read per secret every few minutes) are
 * imported only when first called: a function's module init then never evaluates their clients,
 * which are most of the SDK code a function loads beyond DynamoDB's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;
let s3Client: Promise<{ sdk: typeof import('@aws-sdk/client-s3'); client: S3Client }> | undefined;
let secretsClient:
  | Promise<{ sdk: typeof import('@aws-sdk/client-secrets-manager'); client: SecretsManagerClient }>
  | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

/** The S3 client with its module (for the commands and the error classes). */
export function s3() {
  s3Client ??= import('@aws-sdk/client-s3').then((sdk) => ({ sdk, client: new sdk.S3Client({}) }));
  return s3Client;
}

/** The Secrets Manager client with its module (for the commands). */
export function secretsManager() {
  secretsClient ??= import('@aws-sdk/client-secrets-manager').then((sdk) => ({
    sdk,
    client: new sdk.SecretsManagerClient({}),
  }));
  return secretsClient;
}

export function sqs(): SQSClient {
  // Address the service endpoint (regional, or AWS_ENDPOINT_URL_SQS), not the host inside the queue
  // URL: in AWS they are the same, and an emulator's queue URLs may name a host that does not resolve.
  sqsClient ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return sqsClient;
}
