// Prints the published test vectors as JSON (npm run seal:vectors); docs/protocol.md holds the
// same text, and test-vectors.test.ts fails when the two differ.
import { generateTestVectors } from './test-vectors.js';

process.stdout.write(`${JSON.stringify(await generateTestVectors(), null, 2)}\n`);
