// Runs a slow child process without leaving the user staring at a silent terminal: one line when it starts (what it
// does and how long it usually takes), a heartbeat with the elapsed time while it runs, and its duration at the end.
// Plain Node with no dependency: it runs before `npm ci` has installed anything.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

/** "45 s", "3 min", "2 min 05 s". */
export function formatDuration(seconds) {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${String(rest).padStart(2, '0')} s`;
}

/** The heartbeat line: elapsed time against the usual duration, and what the child is doing now when known. */
export function heartbeatLine({ what, elapsedSeconds, estimateSeconds, phase }) {
  const doing = phase ? `${what}: ${phase}` : what;
  const elapsed = formatDuration(elapsedSeconds);
  if (!estimateSeconds) return `${doing}… ${elapsed} so far`;
  if (elapsedSeconds <= estimateSeconds) return `${doing}… ${elapsed} of about ${formatDuration(estimateSeconds)}`;
  return `${doing}… ${elapsed}, longer than the usual ${formatDuration(estimateSeconds)} (a busy or slow machine; still working)`;
}

function readTail(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Spawns `command args` and resolves with its exit code and duration once it ends. `what` describes the step in
 * the first line; the heartbeat lines use the shorter `name`. Output goes to `logFile` when
 * given (the heartbeat then reads it to name the phase through `phaseOf`), or to this process's terminal otherwise.
 * Progress lines go to stderr, so callers that capture stdout still show them live.
 */
export function runWithProgress({
  command,
  args,
  cwd,
  env,
  what,
  name = what,
  estimateSeconds,
  logFile,
  phaseOf,
  prefix = '',
  heartbeatSeconds = 20,
  print = (line) => process.stderr.write(`${prefix}${line}\n`),
}) {
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  print(estimateSeconds ? `${what}, usually about ${formatDuration(estimateSeconds)}…` : `${what}…`);
  return new Promise((resolve) => {
    const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', log ? 'pipe' : 'inherit', log ? 'pipe' : 'inherit'] });
    if (log) {
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
    }
    const timer = setInterval(() => {
      const phase = logFile && phaseOf ? phaseOf(readTail(logFile)) : undefined;
      print(heartbeatLine({ what: name, elapsedSeconds: elapsed(), estimateSeconds, phase }));
    }, heartbeatSeconds * 1000);
    let finished = false;
    const finish = (code, error) => {
      if (finished) return; // 'error' can be followed by 'close'
      finished = true;
      clearInterval(timer);
      const seconds = elapsed();
      const done = () => resolve({ code, seconds, error });
      if (log) log.end(done);
      else done();
    };
    child.on('error', (error) => finish(127, error));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}
