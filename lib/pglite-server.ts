// A PostgreSQL wire-protocol server in front of one PGlite instance, for many client connections.
//
// PGlite is a single session. Clients (node-postgres, Prisma's pg adapter, BullMQ) send the
// extended protocol: Parse/Bind/Describe/Execute ... Sync. If two connections' messages interleave
// inside such a batch, one connection's Bind replaces the other's unnamed portal, and queries fail
// or return another query's rows. So this server runs each connection's messages a whole batch at a
// time (up to Sync, a simple Query, or Terminate), and while a transaction is open it runs only the
// batches of the connection that opened it. (The pglite-socket package queues single messages,
// which interleaves batches; measured: 349 of 400 concurrent parameterised queries went wrong.)
//
// COPY ... FROM STDIN (the snapshot import's bulk path, lib/import/copy-writer.ts) needs one more
// step. PGlite runs a batch to its end in one call and cannot wait for input: handed the COPY query
// alone, it reads past the end of the batch and fails ("unexpected EOF on client connection"). It
// does read CopyData that follows the query in the same batch, so the server answers the query
// with a CopyInResponse of its own, collects the client's CopyData up to CopyDone (or CopyFail), and
// runs query and data as one batch, leaving out PGlite's own CopyInResponse. What PGlite answers
// after it (CommandComplete, or an ErrorResponse naming the line at fault) goes to the client as is.
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

interface Batch {
  connection: number;
  bytes: Uint8Array;
  socket: Socket;
  done: () => void;
  /** A COPY FROM STDIN with its data: the client has had a CopyInResponse already. */
  copyIn?: boolean;
}

interface Listener {
  socket: Socket;
  channels: Set<string>;
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
  /** Connections that ran LISTEN, by id, with their channels. */
  private readonly listeners = new Map<number, Listener>();

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
    const submit = (bytes: Buffer, copyIn = false) => {
      chain = chain.then(() => new Promise<void>((done) => this.enqueue({ connection: id, bytes, socket, done, copyIn })));
    };
    // The messages of a COPY FROM STDIN being collected: the query, then the client's CopyData.
    let copying: Buffer[] | undefined;
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
        const message = Buffer.from(buffer.subarray(0, length + 1));
        buffer = buffer.subarray(length + 1);
        if (copying) {
          // Until CopyDone or CopyFail everything belongs to the COPY (PostgreSQL itself ignores a
          // Flush or Sync sent meanwhile, and fails the COPY on anything else).
          copying.push(message);
          if (type === "c" || type === "f") {
            submit(Buffer.concat(copying), true);
            copying = undefined;
          }
          continue;
        }
        const queryText = type === "Q" ? message.toString("utf8", 5, message.length - 1) : undefined;
        if (queryText !== undefined && copyFromStdin(queryText)) {
          const response = copyInResponse(queryText);
          // In turn: after the output of this connection's earlier batches.
          chain = chain.then(() => {
            if (!socket.destroyed) socket.write(response);
          });
          copying = [...pending, message];
          pending = [];
          continue;
        }
        if (type === "Q" || type === "P") this.trackListen(id, socket, type, message.subarray(5));
        pending.push(message);
        if (BATCH_END.has(type)) {
          submit(Buffer.concat(pending));
          pending = [];
        }
      }
    });
    const closed = () => {
      this.sockets.delete(socket);
      this.listeners.delete(id);
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
    const output = new OutputRouter(
      (bytes) => {
        if (!batch.socket.destroyed) batch.socket.write(bytes);
      },
      (message) => this.notify(message),
      batch.copyIn === true,
    );
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(batch.bytes, { onRawData: (data: Uint8Array) => output.push(data) }),
      );
      output.end();
    } catch {
      batch.socket.destroy();
    }
    this.owner = this.db.isInTransaction() ? batch.connection : undefined;
  }

  /** Records the channels a connection starts or stops listening to, from a Query or Parse message. */
  private trackListen(id: number, socket: Socket, type: "Q" | "P", body: Buffer): void {
    // Query: the SQL text. Parse: a statement name, then the SQL text, both NUL-terminated.
    const start = type === "P" ? body.indexOf(0) + 1 : 0;
    const end = body.indexOf(0, start);
    const sql = body.toString("utf8", start, end < 0 ? body.length : end);
    for (const change of listenStatements(sql)) {
      let listener = this.listeners.get(id);
      if (change.listen) {
        if (!listener) this.listeners.set(id, (listener = { socket, channels: new Set() }));
        listener.channels.add(change.channel);
      } else if (change.channel === "*") listener?.channels.clear();
      else listener?.channels.delete(change.channel);
    }
  }

  /** Sends a NotificationResponse to every connection listening on its channel. */
  private notify(message: Buffer): void {
    // Int32 length, Int32 sender pid, then the channel as a NUL-terminated string.
    const end = message.indexOf(0, 9);
    const channel = message.toString("utf8", 9, end < 0 ? message.length : end);
    for (const { socket, channels } of this.listeners.values()) {
      if (channels.has(channel) && !socket.destroyed) socket.write(message);
    }
  }
}

/**
 * Splits a batch's output into backend messages as it streams: NotificationResponse ('A') messages
 * go to `notification`, everything else to `forward` unchanged and in order. A message cut between
 * two chunks is held until its end arrives.
 */
class OutputRouter {
  private held: Buffer = Buffer.alloc(0);

  constructor(
    private readonly forward: (bytes: Buffer) => void,
    private readonly notification: (message: Buffer) => void,
    /** Leave out the first CopyInResponse ('G'): the client was sent one when the COPY began. */
    private dropCopyInResponse = false,
  ) {}

  push(data: Uint8Array): void {
    if (!data.length) return;
    const bytes = this.held.length ? Buffer.concat([this.held, data]) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let from = 0; // start of the run of messages not yet forwarded
    let at = 0;
    while (at + 5 <= bytes.length) {
      const size = bytes.readInt32BE(at + 1) + 1;
      if (at + size > bytes.length) break;
      const type = bytes[at];
      if (type === 0x41 /* 'A' */ || (type === 0x47 /* 'G' */ && this.dropCopyInResponse)) {
        if (at > from) this.forward(Buffer.from(bytes.subarray(from, at)));
        if (type === 0x41) this.notification(Buffer.from(bytes.subarray(at, at + size)));
        else this.dropCopyInResponse = false;
        from = at + size;
      } else if (type === 0x5a /* 'Z' */) {
        // ReadyForQuery: the COPY is over (or never began, when PGlite refused the query).
        this.dropCopyInResponse = false;
      }
      at += size;
    }
    if (at > from) this.forward(Buffer.from(bytes.subarray(from, at)));
    this.held = Buffer.from(bytes.subarray(at));
  }

  /** Forwards whatever is left (a batch's output ends on a whole message; this is a safeguard). */
  end(): void {
    if (this.held.length) this.forward(this.held);
    this.held = Buffer.alloc(0);
  }
}

/** SQL without its comments and quoted strings, for recognising statements. */
function bareSql(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""');
}

/**
 * True for a simple Query that is one COPY ... FROM STDIN statement (what postgres.js, pg-copy-streams
 * and psql send). Several statements in one Query, or a COPY through the extended protocol, are
 * run as before: PGlite then fails them for want of data.
 */
export function copyFromStdin(sql: string): boolean {
  if (!/copy/i.test(sql)) return false;
  const text = bareSql(sql).replace(/[\s;]+$/, "");
  return /^\s*copy\s/i.test(text) && /\sfrom\s+stdin\b/i.test(text) && !text.includes(";");
}

/**
 * The CopyInResponse the server sends for PGlite: text or binary as the statement says, with no
 * column formats (PGlite's own response, which names them, comes only once the data is there; the
 * clients above read the overall format alone).
 */
function copyInResponse(sql: string): Buffer {
  const response = Buffer.alloc(8);
  response.write("G", 0);
  response.writeInt32BE(7, 1);
  response.writeInt8(/\bbinary\b/i.test(bareSql(sql)) ? 1 : 0, 5);
  response.writeInt16BE(0, 6);
  return response;
}

/**
 * The LISTEN and UNLISTEN statements in a piece of SQL, with their channel names as PostgreSQL
 * reads them (unquoted names folded to lower case). Other statements are ignored.
 */
export function listenStatements(sql: string): { listen: boolean; channel: string }[] {
  if (!/listen/i.test(sql)) return [];
  const text = sql.replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ");
  const found: { listen: boolean; channel: string }[] = [];
  for (const statement of text.split(";")) {
    const match = /^\s*(UN)?LISTEN\s+(\*|"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*$/i.exec(statement);
    if (!match) continue;
    const name = match[2]!;
    const channel = name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name === "*" ? "*" : name.toLowerCase();
    if (channel === "*" && !match[1]) continue; // LISTEN * is not SQL
    found.push({ listen: !match[1], channel });
  }
  return found;
}
