import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { PGlite } from '@electric-sql/pglite';

// PostgreSQL wire protocol front for PGlite. PGlite has one backend session, so everything every
// client sends is run through it one batch at a time:
// - A batch ends at a message after which the backend answers with ReadyForQuery (Sync, Query) or
//   must answer now (Flush, the startup packet, copy messages). Parse/Bind/Describe/Execute are held
//   back until their Sync arrives, so two clients' extended-protocol messages never interleave on the
//   shared unnamed statement and portal, and a whole pipeline costs one call into PGlite instead of
//   one per message.
// - While the session is inside a transaction only the client that opened it is served; the others'
//   batches wait. A client that goes away inside its transaction has it rolled back.

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** Message types after which PGlite must be run without waiting for more input. */
const BATCH_END = new Set(['S', 'Q', 'H', 'X', 'd', 'c', 'f']);

interface Batch {
  client: WireClient;
  bytes: Uint8Array;
}

class WireClient {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private started = false;
  closed = false;

  constructor(
    private readonly front: PGliteWire,
    readonly stream: Duplex,
  ) {
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.on('error', () => this.close());
    stream.on('end', () => this.close());
    stream.on('close', () => this.close());
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    let buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLength);
    let offset = 0;
    let batchEnd = 0;
    while (offset < buf.length) {
      if (!this.started) {
        if (buf.length - offset < 8) break;
        const len = buf.readInt32BE(offset);
        const code = buf.readInt32BE(offset + 4);
        if (buf.length - offset < len) break;
        if (code === SSL_REQUEST) {
          this.stream.write('N');
          offset += len;
          batchEnd = offset;
          continue;
        }
        if (code === CANCEL_REQUEST) {
          // cancellation is not supported by PGlite: the request is dropped, as a server may do
          offset += len;
          batchEnd = offset;
          this.stream.end();
          continue;
        }
        if (code !== PROTOCOL_3) {
          this.stream.destroy();
          return;
        }
        offset += len;
        this.started = true;
        this.front.enqueue({ client: this, bytes: buf.subarray(batchEnd, offset) });
        batchEnd = offset;
        continue;
      }
      if (buf.length - offset < 5) break;
      const len = 1 + buf.readInt32BE(offset + 1);
      if (buf.length - offset < len) break;
      const type = String.fromCharCode(buf[offset]);
      offset += len;
      if (BATCH_END.has(type)) {
        this.front.enqueue({ client: this, bytes: buf.subarray(batchEnd, offset) });
        batchEnd = offset;
      }
    }
    if (batchEnd === buf.length) {
      this.pending = [];
      this.pendingLength = 0;
    } else {
      buf = buf.subarray(batchEnd);
      this.pending = [buf];
      this.pendingLength = buf.length;
    }
  }

  write(data: Uint8Array): void {
    if (!this.closed && this.stream.writable) this.stream.write(data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.front.disconnected(this);
    if (!this.stream.destroyed) this.stream.destroy();
  }
}

export class PGliteWire {
  private queue: Batch[] = [];
  private running = false;
  /** The client whose transaction is open in the session. */
  private owner: WireClient | null = null;
  private readonly clients = new Set<WireClient>();
  private server: Server | null = null;

  constructor(private readonly db: PGlite) {}

  /** Serves one client over any byte stream (a socket, or an in-process duplex). */
  attach(stream: Duplex): void {
    const client = new WireClient(this, stream);
    this.clients.add(client);
  }

  /** A client end for a `pg` client in this process (`pg`'s `stream` option). */
  connectInProcess(): Duplex {
    const { client, server } = streamPair();
    this.attach(server);
    return client;
  }

  /** Listens on a Unix socket path (or a TCP port) for other processes. */
  async listen(path: string): Promise<void> {
    const server = createServer((socket: Socket) => {
      socket.setNoDelay(true);
      this.attach(socket);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  enqueue(batch: Batch): void {
    this.queue.push(batch);
    if (!this.running) void this.drain();
  }

  disconnected(client: WireClient): void {
    this.clients.delete(client);
    this.queue = this.queue.filter((b) => b.client !== client);
    if (this.owner === client) {
      this.owner = null;
      this.queue.unshift({ client, bytes: new Uint8Array(0) }); // marker: roll back its transaction
    }
    if (!this.running) void this.drain();
  }

  private next(): Batch | undefined {
    if (!this.owner) return this.queue.shift();
    const i = this.queue.findIndex((b) => b.client === this.owner);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let batch = this.next(); batch; batch = this.next()) {
        const { client, bytes } = batch;
        if (client.closed) {
          if (bytes.length === 0 && this.db.isInTransaction()) await this.db.exec('ROLLBACK').catch(() => {});
          continue;
        }
        try {
          const out: Uint8Array[] = [];
          let size = 0;
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(bytes, {
              onRawData: (d) => {
                out.push(d.slice());
                size += d.length;
              },
            }),
          );
          if (size > 0) client.write(out.length === 1 ? out[0] : Buffer.concat(out, size));
        } catch {
          client.close();
          continue;
        }
        this.owner = this.db.isInTransaction() && !client.closed ? client : null;
        if (client.closed && this.db.isInTransaction()) await this.db.exec('ROLLBACK').catch(() => {});
      }
    } finally {
      this.running = false;
    }
  }

  async close(): Promise<void> {
    for (const c of [...this.clients]) c.close();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * A connected pair of in-process byte streams, the client end shaped enough like a `net.Socket`
 * for `pg` (connect/setNoDelay/setKeepAlive), so an in-process `pg` client reaches PGlite without
 * the kernel round trip of a socket.
 */
export function streamPair(): { client: Duplex & { connect(): void }; server: Duplex } {
  let clientEnd!: Duplex;
  let serverEnd!: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
      destroy(err, cb) {
        const p = peer();
        if (!p.destroyed) p.destroy();
        cb(err);
      },
    });
  clientEnd = make(() => serverEnd);
  serverEnd = make(() => clientEnd);
  const client = clientEnd as Duplex & Record<'connect' | 'setNoDelay' | 'setKeepAlive' | 'ref' | 'unref', () => void>;
  client.connect = () => process.nextTick(() => client.emit('connect'));
  client.setNoDelay = client.setKeepAlive = client.ref = client.unref = () => {};
  return { client, server: serverEnd };
}
