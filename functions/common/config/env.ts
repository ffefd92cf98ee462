/**
 * Configuration read once, when a function's module loads, failing fast with a clear message:
 * a function that is missing a variable should not start, rather than fail on its first request.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Configuration error: the environment variable ${name} is not set.`);
  }
  return value;
}

export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function intEnv(name: string, fallback: number): number {
  const raw = optionalEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value))
    throw new Error(`Configuration error: ${name} must be an integer, got "${raw}".`);
  return value;
}

/** `local` for `npm start` and tests; anything else is a deployed stage. */
export const stage = () => optionalEnv('CREDITLINK_STAGE') ?? 'aws';
