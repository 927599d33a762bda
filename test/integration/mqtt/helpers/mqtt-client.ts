import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";

/**
 * mqtt.js' connectAsync never settles when the server closes the socket before CONNACK and reconnects are
 * off (it waits for 'connect', 'end' or 'error'; a plain close is none of them). Tests that talk to a
 * broker which may be crashing use this instead: resolves with a client or undefined within `ms`.
 */
export async function connectWithin(port: number, opts: IClientOptions, ms: number): Promise<MqttClient | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = connectAsync(`mqtt://127.0.0.1:${port}`, { ...opts, reconnectPeriod: 0, connectTimeout: ms }, false);
  const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms + 100)));
  const c = await Promise.race([attempt.catch(() => undefined), timeout]);
  clearTimeout(timer);
  if (!c) void attempt.then((late) => late.end(true), () => undefined);
  return c;
}
