/**
 * The parts of the S3 SDK that the statement store uses, imported by ./aws.ts at the first statement
 * read or write. Named imports let the bundler keep only these and what they need; a dynamic
 * import of the package itself would keep all of it (152 KiB that every cold start parses).
 */
export { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
