/** An SQS record as Lambda hands it to a consumer, for calling queue handlers directly. */
import type { SQSRecord } from 'aws-lambda';

export function sqsRecord(
  messageId: string,
  body: string,
  { receiveCount = 1, arn = 'arn:aws:sqs:us-east-1:000000000000:test' } = {},
): SQSRecord {
  return {
    messageId,
    receiptHandle: messageId,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'us-east-1',
  };
}
