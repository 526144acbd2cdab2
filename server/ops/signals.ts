/**
 * SIGTERM and SIGINT stop the server gracefully (boot.ts `close`: not ready, drain, flush, snapshot, close, exit 0);
 * the same signal again exits at once, for an operator who will not wait.
 */
const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function stopOnSignals(server: { close(): Promise<void> }, say: (line: string) => void = (line) => console.log(line)): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      say(`${signal} again: exiting now, without waiting for requests in flight`);
      process.exit(codes[signal] ?? 1);
    }
    stopping = true;
    say(`${signal}: shutting down (send it again to exit at once)`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
