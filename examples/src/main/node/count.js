// count.js: the counting demo in Node.js (V8 and libuv).
//
// Why: V8 keeps its heap and compiled code in memory it marks MADV_DONTFORK, and libuv runs
// an event loop (epoll, eventfd) with a thread pool; a restored node must get all of it back.
// The program keeps a 100,000-entry Map it verifies every step, so a heap that came back
// wrong shows as "MAP CORRUPTED" instead of a wrong number.
//
// Usage: node count.js [N]   -- stop after printing N; default: forever.
// Output: the counter, one per line, every 100 ms (a setInterval timer); on corruption
// "MAP CORRUPTED ..." and exit status 3.
'use strict';

const ENTRIES = 100000;
const BASE = (ENTRIES * (ENTRIES - 1)) / 2;
const limit = process.argv.length > 2 ? Number(process.argv[2]) : 0;
const m = new Map();
for (let i = 0; i < ENTRIES; i++) m.set(i, i);

let n = 0;
const timer = setInterval(() => {
  n++;
  const k = n % ENTRIES;
  m.set(k, m.get(k) + 1); // write one entry, then put it back
  m.set(k, m.get(k) - 1);
  let sum = 0;
  for (const v of m.values()) sum += v;
  if (m.size !== ENTRIES || sum !== BASE) {
    console.log(`MAP CORRUPTED at ${n}: size ${m.size}, sum ${sum}`);
    process.exit(3);
  }
  console.log(n);
  if (limit && n >= limit) clearInterval(timer);
}, 100);
