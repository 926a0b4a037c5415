// Lowers the scheduling priority (raises the nice value) of this process. On Linux a nice value
// belongs to each thread, and threads inherit it from the thread that starts them, so every thread
// running now (the main thread, libuv's pool, V8's helpers) is lowered; threads started later
// (onnxruntime's pool) inherit it. Lowering never needs privileges; raising does, and is not tried.
import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** Sets nice `value` on every thread of this process; returns how many threads were changed. */
export function lowerPriority(value: number): number {
  let threads: number[];
  try {
    threads = readdirSync("/proc/self/task").map(Number);
  } catch {
    threads = [0]; // no /proc: this thread only (macOS applies it to the process)
  }
  let changed = 0;
  for (const tid of threads) {
    try {
      if (getPriority(tid) >= value) continue;
      setPriority(tid, value);
      changed += 1;
    } catch {
      // a thread that has just ended
    }
  }
  return changed;
}
