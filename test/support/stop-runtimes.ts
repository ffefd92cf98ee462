// After each e2e and browser test file: stop any `npm start` it left running or still starting (a
// test that failed or timed out before its runtime was handed back), so no Java outlives the file.
import { stopEveryRuntime } from './e2e-runtime';

afterAll(() => stopEveryRuntime(), 60_000);
