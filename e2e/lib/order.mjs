// The order the tests of a file run in: written order by default, or as JAGA_E2E_ORDER says
// (`reverse`, or `shuffle` / `shuffle:SEED`). Every test sets up its own state, so any order
// and any single test (`--test-name-pattern`) must pass; the other orders are there to prove it.
import { test as nodeTest } from 'node:test';

const queued = [];

/** Queues a test; `register()` hands the queue to node:test in the chosen order. */
export function test(name, fn) {
  queued.push([name, fn]);
}

/** A small seeded generator (mulberry32), so a shuffled order can be replayed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Registers the queued tests with node:test, in the order JAGA_E2E_ORDER asks for. */
export function register() {
  const order = process.env.JAGA_E2E_ORDER || 'file';
  const list = [...queued];
  if (order === 'reverse') {
    list.reverse();
  } else if (order === 'shuffle' || order.startsWith('shuffle:')) {
    const seed = order.includes(':') ? Number(order.split(':')[1]) : Date.now() % 1000000;
    if (!Number.isInteger(seed)) throw new Error(`JAGA_E2E_ORDER=${order}: the seed must be an integer`);
    const next = random(seed);
    for (let i = list.length - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    // On stdout, so a failing order can be replayed with JAGA_E2E_ORDER=shuffle:SEED.
    process.stdout.write(`# JAGA_E2E_ORDER=shuffle:${seed}\n`);
  } else if (order !== 'file') {
    throw new Error(`JAGA_E2E_ORDER=${order}: expected file, reverse, shuffle or shuffle:SEED`);
  }
  for (const [name, fn] of list) nodeTest(name, fn);
}
