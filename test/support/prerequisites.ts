/**
 * What the test layers need from the machine beyond `npm ci`, checked before anything starts so
 * that a machine without it fails in one line that says what to install, instead of a test file
 * after another timing out on a stand-in that never came up.
 */
import { JAVA_MISSING, javaAvailable } from '../../lib/local/dynamodb-local';

/** An error that Jest prints as its message alone, without a stack: the line says it all. */
export function oneLineError(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** DynamoDB Local (integration, e2e and browser layers) runs on Java. */
export function requireJava(): void {
  if (!javaAvailable()) throw oneLineError(JAVA_MISSING);
}

/** Jest global setup of the layers that run `npm start`: it needs Java, so say so up front. */
export default async function checkRuntimePrerequisites(): Promise<void> {
  requireJava();
}
