import { Writable } from 'node:stream';
import { gatherWritesPerTurn } from '../../lib/local/stdout';

/** A stream that records each write it is asked to make: one entry per system call it would be. */
function recordingStream() {
  const calls: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      calls.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, calls };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('the lines written in one turn of the event loop go out together, in order, at its end', async () => {
  const { stream, calls } = recordingStream();
  gatherWritesPerTurn(stream);
  stream.write('a\n');
  stream.write('b\n');
  stream.write('c\n');
  expect(calls).toEqual([]);
  await nextTurn();
  expect(calls).toEqual([['a\n', 'b\n', 'c\n']]);
  stream.write('d\n');
  await nextTurn();
  expect(calls).toEqual([['a\n', 'b\n', 'c\n'], ['d\n']]);
});
