// A PostgreSQL wire-protocol server in front of one PGlite instance, for many client connections.
//
// PGlite is a single session. Clients (node-postgres, Prisma's pg adapter, BullMQ) send the
// extended protocol: Parse/Bind/Describe/Execute ... Sync. If two connections' messages interleave
// inside such a batch, one connection's Bind replaces the other's unnamed portal, and queries fail
// or return another query's rows. So this server runs each connection's messages a whole batch at a
// time (up to Sync, a simple Query, or Terminate), and while a transaction is open it runs only the
// batches of the connection that opened it. (The pglite-socket package queues single messages,
// which interleaves batches; measured: 349 of 400 concurrent parameterised queries went wrong.)
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

interface Batch {
  connection: number;
  bytes: Uint8Array;
  socket: Socket;
  done: () => void;
}

/** Message types that end a batch: Sync, simple Query, Terminate, Flush, CopyDone, CopyFail. */
const BATCH_END = new Set(["S", "Q", "X", "H", "c", "f"]);

export class PgliteServer {
  private server: Server | undefined;
  private readonly queue: Batch[] = [];
  private running = false;
  /** The connection whose transaction is open, if any. */
  private owner: number | undefined;
  private nextId = 1;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly db: PGlite) {}

  async listen(port: number, host: string): Promise<{ host: string; port: number }> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as { port: number };
    return { host, port: address.port };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    const id = this.nextId++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    let pending: Buffer[] = [];
    let started = false;
    // A connection's batches run in order: the next is handed over when the previous has run.
    let chain = Promise.resolve();
    const submit = (bytes: Buffer) => {
      chain = chain.then(() => new Promise<void>((done) => this.enqueue({ connection: id, bytes, socket, done })));
    };
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (!started) {
          // Startup packet (or SSLRequest): length (4 bytes, self-inclusive) + payload, no type byte.
          if (buffer.length < 8) break;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) break;
          const code = buffer.readInt32BE(4);
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === 80877103) {
            socket.write("N"); // SSLRequest: no TLS on the loopback; the client goes on in plain text
            continue;
          }
          started = true;
          submit(Buffer.from(message));
          continue;
        }
        if (buffer.length < 5) break;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) break;
        const type = String.fromCharCode(buffer[0]!);
        pending.push(Buffer.from(buffer.subarray(0, length + 1)));
        buffer = buffer.subarray(length + 1);
        if (BATCH_END.has(type)) {
          submit(Buffer.concat(pending));
          pending = [];
        }
      }
    });
    const closed = () => {
      this.sockets.delete(socket);
      // A connection gone in the middle of a transaction must not keep the database to itself.
      chain = chain.then(async () => {
        if (this.owner === id) {
          // exec takes PGlite's lock itself (runExclusive around it would deadlock); nothing else
          // runs meanwhile, since this connection still owns the session.
          await this.db.exec("ROLLBACK").catch(() => {});
          this.owner = undefined;
          this.pump();
        }
      });
    };
    socket.on("close", closed);
    socket.on("error", () => socket.destroy());
  }

  private enqueue(batch: Batch): void {
    this.queue.push(batch);
    this.pump();
  }

  private pump(): void {
    if (this.running) return;
    const index = this.owner === undefined ? 0 : this.queue.findIndex((b) => b.connection === this.owner);
    if (index < 0 || this.queue.length === 0) return;
    const [batch] = this.queue.splice(index, 1) as [Batch];
    this.running = true;
    void this.run(batch).finally(() => {
      this.running = false;
      batch.done();
      this.pump();
    });
  }

  private async run(batch: Batch): Promise<void> {
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(batch.bytes, {
          onRawData: (data: Uint8Array) => {
            if (data.length && !batch.socket.destroyed) batch.socket.write(Buffer.from(data));
          },
        }),
      );
    } catch {
      batch.socket.destroy();
    }
    this.owner = this.db.isInTransaction() ? batch.connection : undefined;
  }
}
