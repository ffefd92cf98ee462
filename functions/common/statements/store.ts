/**
 * Where payout statements are kept: an encrypted, private S3 bucket in AWS (STATEMENTS_BUCKET), a
 * directory locally (STATEMENTS_DIR, under DATA_DIR), which is the one thing the SQS/DynamoDB
 * stand-ins do not cover. The choice is configuration; the code that writes and reads is the same.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { s3 } from '../clients/aws';
import { optionalEnv } from '../config/env';

export interface StatementStore {
  put(key: string, csv: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
}

export const statementKey = (period: string, influencerId: string) =>
  `statements/${period}/${influencerId}.csv`;

export function statementStoreFromEnv(): StatementStore {
  const bucket = optionalEnv('STATEMENTS_BUCKET');
  if (bucket) return s3Store(bucket);
  const dir = optionalEnv('STATEMENTS_DIR');
  if (dir) return directoryStore(dir);
  throw new Error('Configuration error: set STATEMENTS_BUCKET (AWS) or STATEMENTS_DIR (local).');
}

function s3Store(bucket: string): StatementStore {
  return {
    async put(key, csv) {
      const { sdk, client } = await s3();
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: csv,
          ContentType: 'text/csv; charset=utf-8',
        }),
      );
    },
    async get(key) {
      const { sdk, client } = await s3();
      try {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToString('utf8');
      } catch (err) {
        if (err instanceof sdk.NoSuchKey) return undefined;
        throw err;
      }
    },
  };
}

function directoryStore(dir: string): StatementStore {
  const root = resolve(dir);
  const path = (key: string) => {
    const full = resolve(join(root, key));
    if (!full.startsWith(`${root}/`)) throw new Error('Statement key escapes the statements directory.');
    return full;
  };
  return {
    async put(key, csv) {
      await mkdir(dirname(path(key)), { recursive: true, mode: 0o700 });
      await writeFile(path(key), csv, { mode: 0o600 });
    },
    async get(key) {
      try {
        return await readFile(path(key), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}
