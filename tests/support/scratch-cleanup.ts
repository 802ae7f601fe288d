import { afterAll } from 'vitest';
import { removeScratchFolder } from '../../framework/io/scratch-files.js';

// NOTE: the runner's workers end without an `exit` event, which is when a process removes its
// scratch folder; each test file removes the one its steps used.
afterAll(() => removeScratchFolder());
