// Progress lines for command-line work: a bar with percent, rate and ETA, redrawn in place on a
// terminal and printed as plain lines (at most every few seconds) when output goes to a file or CI.

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

export function bar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}]`;
}

export interface ProgressLine {
  /** Redraws (TTY) or prints (no TTY, throttled) the line for `fraction` done, with `detail` after it. */
  update(fraction: number, detail: string): void;
  /** Ends the line (TTY) and prints `summary`. */
  done(summary: string): void;
}

export function progressLine(stream: NodeJS.WriteStream = process.stderr, plainEveryMs = 5_000): ProgressLine {
  const tty = Boolean(stream.isTTY);
  let lastDraw = 0;
  let drawn = false;
  return {
    update(fraction, detail) {
      const now = Date.now();
      const line = `${bar(fraction)} ${String(Math.floor(Math.min(1, Math.max(0, fraction)) * 100)).padStart(3)}%  ${detail}`;
      if (tty) {
        if (now - lastDraw < 200 && fraction < 1) return;
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else {
        if (now - lastDraw < plainEveryMs && fraction < 1) return;
        stream.write(`${line}\n`);
      }
      lastDraw = now;
    },
    done(summary) {
      if (tty && drawn) stream.write("\n");
      stream.write(`${summary}\n`);
    },
  };
}
