import type { Randomizer } from '@faker-js/faker';

const N = 624;
const M = 397;
const MATRIX_A = 2567483615;
const UPPER = 2 ** 31;
const LOWER = 2 ** 31 - 1;

/** The MT19937 state after seeding with a number (`init_genrand`), then one twist. */
function seedState(state: Int32Array, seed: number): void {
  state[0] = seed;
  for (let i = 1; i < N; i++) {
    const previous = state[i - 1]!;
    state[i] = (Math.imul(1812433253, previous ^ (previous >>> 30)) + i) | 0;
  }
  twist(state);
}

function twist(state: Int32Array): void {
  for (let i = 0; i < N - M; i++) {
    const y = (state[i]! & UPPER) + (state[i + 1]! & LOWER);
    state[i] = state[i + M]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
  for (let i = N - M; i < N - 1; i++) {
    const y = (state[i]! & UPPER) + (state[i + 1]! & LOWER);
    state[i] = state[i + M - N]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
  const y = (state[N - 1]! & UPPER) + (state[0]! & LOWER);
  state[N - 1] = state[M - 1]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
}

/**
 * Faker's default randomizer (MT19937, 53-bit floats: `generateMersenne53Randomizer`), number for
 * number, on one reused typed array. The simulator reseeds Faker for every customer and product it
 * names; Faker's own seeding allocates and fills a generic array each time, which was a third of
 * the simulator's time. Seeds are numbers (`seedFrom`); the output is the same bytes (pinned in
 * tests/unit/simulator/pinned-output.test.ts).
 *
 * @example
 * const faker = new Faker({ locale: [en], randomizer: mersenneRandomizer() });
 */
export function mersenneRandomizer(seed = 0): Randomizer {
  const state = new Int32Array(N);
  let index = 0;
  seedState(state, seed);
  const nextU32 = () => {
    let y = state[index]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 2636928640;
    y ^= (y << 15) & 4022730752;
    y ^= y >>> 18;
    if (++index >= N) {
      twist(state);
      index = 0;
    }
    return y >>> 0;
  };
  return {
    next: () => ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) * 11102230246251565e-32,
    seed(value: number | number[]) {
      if (typeof value !== 'number') throw new TypeError('the simulator seeds Faker with numbers only');
      seedState(state, value);
      index = 0;
    },
  };
}
