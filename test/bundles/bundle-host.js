/**
 * A plain `node` process (no test transform, no tsx) that loads deployed bundles with Node's own
 * require and invokes their exported handler, as the Lambda runtime does. Its parent sends
 * `{ id, bundle, event, context }` over IPC and gets `{ id, result }` or `{ id, error }` back
 * (`{ id, bundle, load: true }` only loads it and answers with the type of its `handler`).
 * The environment it was started with is the function's configuration.
 */
process.on('message', async ({ id, bundle, load, event, context }) => {
  try {
    const { handler } = require(bundle);
    if (load) {
      process.send({ id, result: typeof handler });
      return;
    }
    const deadline = Date.now() + 10_000;
    const result = await handler(event, {
      ...context,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    });
    process.send({ id, result });
  } catch (err) {
    process.send({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
process.send({ ready: true, version: process.version });
