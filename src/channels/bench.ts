// Delivery throughput of the channel layer alone: EX sends through the shared HttpClient to a fake
// provider on 127.0.0.1. Run: node --import tsx src/channels/bench.ts [messages] [concurrency]
// (bench/run.ts can import benchDelivery to print it next to the database figures).
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { HttpClient } from './http.ts';
import { channelTypes } from './index.ts';
import { makeChannel, startFakeProvider } from './testing.ts';

export interface DeliveryFigures {
  messages: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  providerReceived: number;
  /** CPU time of this process (sender + fake provider) per message, in microseconds: less sensitive to machine load. */
  cpuMicrosPerMessage: number;
}

export async function benchDelivery(messages = 10_000, concurrency = 32): Promise<DeliveryFigures> {
  const fake = await startFakeProvider({ status: 200, body: 'ok' });
  const http = new HttpClient();
  const channel = makeChannel({ type: 'EX', config: { send_url: `${fake.url}/send`, body: 'id={{id}}&to={{to}}&text={{text}}' } });
  let next = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < messages) {
        next++;
        const r = await channelTypes.EX.send({
          channel, http, callbackBaseUrl: 'https://rp.example.com',
          msg: { uuid: randomUUID(), urn: 'tel:+250788383383', text: 'Hello from the benchmark', attachments: [], quickReplies: [] },
        });
        if (r.status !== 'wired') throw new Error(`send ${r.status}: ${r.errorReason}`);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      messages, concurrency, seconds, perSecond: messages / seconds, providerReceived: fake.requests.length,
      cpuMicrosPerMessage: (cpu.user + cpu.system) / messages,
    };
  } finally {
    http.close();
    await fake.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 10_000);
  const c = Number(process.argv[3] ?? 32);
  const f = await benchDelivery(n, c);
  console.log(`EX delivery to a local fake: ${f.messages} msgs, concurrency ${f.concurrency}: ${f.seconds.toFixed(2)} s = ${f.perSecond.toFixed(0)} msgs/s (provider received ${f.providerReceived}; ${f.cpuMicrosPerMessage.toFixed(0)} µs CPU per message incl. the fake)`);
}
