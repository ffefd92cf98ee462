/**
 * SDK clients, built once per execution environment and reused by every invocation. Endpoints come
 * from the SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS), which the local
 * runtime points at its emulators: handlers never know where they run.
 *
 * DynamoDB and SQS serve most invocations and are built at first use of the module's getters. S3
 * (a statement now and then) and Secrets Manager (one read per secret every few minutes) are
 * imported only when first called: a function's module init then never evaluates their clients.
 * They are imported through ./s3-sdk.ts and ./secrets-manager-sdk.ts, which name the few parts
 * used: the bundle (CommonJS, where a dynamic import is inlined) then carries only those.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;
type S3Sdk = typeof import('./s3-sdk');
type SecretsManagerSdk = typeof import('./secrets-manager-sdk');

let s3Client: Promise<{ sdk: S3Sdk; client: InstanceType<S3Sdk['S3Client']> }> | undefined;
let secretsClient:
  | Promise<{ sdk: SecretsManagerSdk; client: InstanceType<SecretsManagerSdk['SecretsManagerClient']> }>
  | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

/** The S3 client with its module (for the commands and the error classes). */
export function s3() {
  s3Client ??= import('./s3-sdk').then((sdk) => ({ sdk, client: new sdk.S3Client({}) }));
  return s3Client;
}

/** The Secrets Manager client with its module (for the commands). */
export function secretsManager() {
  secretsClient ??= import('./secrets-manager-sdk').then((sdk) => ({
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
