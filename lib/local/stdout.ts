/**
 * Every function of `npm start` logs to this one process's stdout, and on Linux a write to a pipe
 * or a terminal is a blocking system call of its own: under load the per-invocation log lines
 * (Powertools' EMF metrics, structured logs) cost more CPU than the code that wrote them. In
 * Lambda the runtime ships them off the function's path. Locally the lines written within one turn
 * of the event loop are gathered (`cork`) and written together at its end, in one `writev`, in the
 * order they were written; the process's exit writes out whatever is still held.
 */
const gathered = new WeakSet<NodeJS.WritableStream>();

export function gatherWritesPerTurn(stream: NodeJS.WriteStream): void {
  if (gathered.has(stream)) return;
  gathered.add(stream);
  let held = false;
  const release = () => {
    if (!held) return;
    held = false;
    stream.uncork();
  };
  const write = stream.write;
  stream.write = function gatheredWrite(this: NodeJS.WriteStream, ...args: Parameters<typeof write>) {
    if (!held) {
      held = true;
      stream.cork();
      setImmediate(release);
    }
    return write.apply(this, args);
  } as typeof write;
  process.on('exit', release);
}
