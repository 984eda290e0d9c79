/**
 * A TCP proxy between the driver and a real Neo4j, for the store's failure tests. It stands in for what a test must
 * never do to the shared server (SIGSTOP it, kill it):
 *   freeze()  a frozen server: every socket stays open, nothing is forwarded either way (new connections are accepted
 *             and held the same way), until thaw();
 *   close()   a vanished server: the listener and every connection are gone (connection refused), until reopen();
 *   cutAt()   a crash at a chosen moment: close() just before the client sends the nth message carrying a marker
 *             (Bolt sends the query text in the clear, so a marker such as a statement's text finds the nth batch).
 */
import net from 'node:net';

export interface TcpProxy {
  /** bolt://127.0.0.1:<port> */
  readonly uri: string;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
  /** Listens again on the same port (nothing when it is listening). */
  reopen(): Promise<void>;
  /** Closes the proxy just before the `occurrence`th client message containing `marker`; resolves when it has. */
  cutAt(marker: string, occurrence: number): Promise<void>;
  /** Stops for good (afterAll). */
  stop(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  let server: net.Server | undefined;
  let port = 0;
  let cut: { marker: string; left: number; done: () => void } | undefined;

  /** Forwards a → b, unless frozen; `inspect` sees client-to-server chunks before they are forwarded. */
  const forward = (a: net.Socket, b: net.Socket, inspect?: (chunk: Buffer) => boolean) => {
    a.on('data', (chunk: Buffer) => {
      if (inspect && !inspect(chunk)) return;
      if (!b.write(chunk)) {
        a.pause();
        b.once('drain', () => {
          if (!frozen) a.resume();
        });
      }
    });
    a.on('end', () => b.end());
    a.on('error', () => b.destroy());
    a.on('close', () => b.destroy());
  };

  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      if (frozen) s.pause();
    }
    // The tail of what this connection sent before, so that a marker split across two chunks is still found.
    let tail = '';
    forward(client, upstream, (chunk) => {
      if (!cut) return true;
      const text = tail + chunk.toString('latin1');
      tail = text.slice(-(cut.marker.length - 1));
      let from = 0;
      for (;;) {
        const at = text.indexOf(cut.marker, from);
        if (at < 0) return true;
        from = at + 1;
        if (--cut.left === 0) {
          const done = cut.done;
          cut = undefined;
          void closeAll().then(done);
          return false;
        }
      }
    });
    forward(upstream, client);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      if (server) return resolve();
      const s = net.createServer(onConnection);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });

  const closeAll = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    uri: `bolt://127.0.0.1:${port}`,
    freeze() {
      frozen = true;
      for (const s of sockets) s.pause();
    },
    thaw() {
      frozen = false;
      for (const s of sockets) s.resume();
    },
    close: closeAll,
    reopen: listen,
    cutAt(marker, occurrence) {
      return new Promise<void>((done) => {
        cut = { marker, left: occurrence, done };
      });
    },
    async stop() {
      cut = undefined;
      frozen = false;
      await closeAll();
    },
  };
}
