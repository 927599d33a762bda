import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USERS, startTestGateway, type TestGateway } from "./helpers/test-gateway.js";

/**
 * A subscriber that subscribes while a retained state topic is changing ends with the newest value.
 *
 * aedes adds the subscription, then reads the retained store and sends what it found, while newer live
 * publishes on the topic already reach the new subscriber: a stored value read before a newer publish
 * could arrive after it, and a dashboard would show a link as `degraded` after it became `ready`, until
 * the next change (the race reported on aedes PR #53). The broker drops a retained copy that is no longer
 * the stored value; the newer value reaches the subscriber live.
 */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ limits: { publishRatePerSecond: 0 } });
}, 20_000);
afterAll(async () => t?.stop());

const opts = (id: string) => ({ host: "127.0.0.1", port: t.port, username: "flooder", password: USERS["flooder"]!, clientId: id, reconnectPeriod: 0 });

describe("retained state and a subscribe during changes", () => {
  it("every subscriber ends with the last value of each topic, over 30 wildcard subscribes during a stream of changes", async () => {
    const pub = await connectAsync(opts("retained-order-pub"));
    const stale: string[] = [];
    const TOPICS = 60;
    try {
      for (let round = 0; round < 30; round++) {
        const base = `flood/state/${round}`;
        const latest = new Map<string, string>();
        const put = (topic: string, value: string) => {
          latest.set(topic, value);
          return pub.publishAsync(topic, value, { qos: 1, retain: true });
        };
        await Promise.all(Array.from({ length: TOPICS }, (_, i) => put(`${base}/${i}`, "0")));
        // Changes keep coming, to every topic in turn, while the subscriber connects and subscribes.
        let stop = false;
        let n = 0;
        const changes = (async () => {
          while (!stop) {
            await Promise.all(Array.from({ length: 10 }, () => {
              n++;
              return put(`${base}/${n % TOPICS}`, String(n));
            }));
          }
        })();
        const sub: MqttClient = await connectAsync(opts(`retained-order-sub-${round}`));
        const seen = new Map<string, string>();
        sub.on("message", (topic, p) => seen.set(topic, p.toString()));
        await sub.subscribeAsync(`${base}/#`, { qos: 1 });
        await new Promise((r) => setTimeout(r, 20 + (round % 5) * 10));
        stop = true;
        await changes;
        // Give the last deliveries time to arrive; then the subscriber's latest of each topic must be the final value.
        const wrong = () => [...latest].filter(([topic, v]) => seen.get(topic) !== v);
        const deadline = Date.now() + 5000;
        while (wrong().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const [topic, v] of wrong()) stale.push(`${topic}: subscriber has ${seen.get(topic)}, latest ${v}`);
        await sub.endAsync();
      }
    } finally {
      await pub.endAsync();
    }
    expect(stale).toEqual([]);
  }, 120_000);
});
