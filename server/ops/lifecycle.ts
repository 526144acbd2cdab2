/**
 * Where the process is in its life (starting → ready → stopping) and the HTTP requests it is answering, so a stop
 * can wait for them: SIGTERM reports not ready, stops accepting connections, lets the requests in flight (and the
 * commits they wait for) finish within SHUTDOWN_TIMEOUT_SECONDS, and only then closes the stores (boot.ts).
 */
import type http from 'node:http';

export type Phase = 'starting' | 'ready' | 'stopping';

export class Lifecycle {
  phase: Phase = 'starting';
  /** While starting: how much of the event log the projections have replayed. */
  readonly replay = { replayed: 0, total: 0 };
  readonly #responses = new Set<http.ServerResponse>();
  #idle: Array<() => void> = [];

  /**
   * Counts the server's requests from arrival to the end of their response. Registered before Socket.io attaches,
   * so the socket's own long polls (which last until the socket closes) are not counted.
   */
  track(httpServer: http.Server): void {
    httpServer.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      this.#responses.add(res);
      // A keep-alive connection gets no further request once the process is stopping.
      if (this.phase === 'stopping') res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.#responses.delete(res);
        if (this.#responses.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    });
  }

  get inFlight(): number {
    return this.#responses.size;
  }

  /**
   * Stops accepting connections (idle keep-alive ones are closed), then waits until every request in flight has
   * been answered or `timeoutMs` has passed; the connections of those still unanswered then are cut. Resolves with
   * how many were cut.
   */
  async drain(httpServer: http.Server, timeoutMs: number): Promise<number> {
    this.phase = 'stopping';
    for (const res of this.#responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (httpServer.listening) httpServer.close();
    httpServer.closeIdleConnections();
    if (this.#responses.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#idle.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    const cut = this.#responses.size;
    // Past the deadline: the rest are cut, or closing the server would wait for them.
    for (const res of this.#responses) res.socket?.destroy();
    return cut;
  }
}
