import { connect, type MqttClient } from "mqtt";
import { BASE, type Rig } from "./rig.js";

const USER = "proof";
const PASS = "proof-pass";

/** Local MQTT traffic: `clients` publishers at `ratePerS` QoS 0 messages per second in total. */
export class LocalTraffic {
  private readonly clients: MqttClient[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  sent = 0;

  constructor(private readonly rig: Rig) {}

  start(clients: number, ratePerS: number): void {
    for (let i = 0; i < clients; i++) {
      const c = connect({ host: "127.0.0.1", port: this.rig.port, username: USER, password: PASS, clientId: `proof-noise-${i}-${process.pid}`, reconnectPeriod: 500 });
      c.on("error", () => undefined);
      this.clients.push(c);
    }
    const tickMs = 50;
    const perTick = Math.max(1, Math.round((ratePerS * tickMs) / 1000));
    let n = 0;
    this.timer = setInterval(() => {
      for (let k = 0; k < perTick; k++) {
        const c = this.clients[n++ % this.clients.length];
        if (c?.connected) {
          c.publish(`${BASE}/noise/${n % 10}`, JSON.stringify({ n, t: Date.now(), pad: "x".repeat(64) }), { qos: 0 });
          this.sent++;
        }
      }
    }, tickMs);
  }

  /** A reconnect storm: `count` clients connect, subscribe, and drop their TCP connection at once. */
  async storm(count: number): Promise<number> {
    let connected = 0;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        new Promise<void>((res) => {
          const c = connect({ host: "127.0.0.1", port: this.rig.port, username: USER, password: PASS, clientId: `proof-storm-${i}-${process.pid}`, reconnectPeriod: 0, connectTimeout: 3000 });
          const done = (): void => {
            c.end(true);
            res();
          };
          c.once("connect", () => {
            connected++;
            c.subscribe(`${BASE}/links/#`, () => c.stream.destroy());
            setTimeout(done, 50);
          });
          c.once("error", done);
          setTimeout(done, 4000);
        }),
      ),
    );
    return connected;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.end(true);
  }
}
