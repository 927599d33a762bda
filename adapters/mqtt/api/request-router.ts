import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { VERB_CHECKS, VERB_SCHEMAS, type KnownVerb, type TransactionId, type VerbHandler } from "../../../src/ports/message-bus.js";
import { isGatewayError, type ErrorCode } from "../../../src/shared/errors.js";
import type { Unsubscribe } from "../../../src/shared/typed-emitter.js";
import type { ResponsePayload } from "./payloads.js";

/**
 * Turns one request payload into one response, and never throws: size → JSON → object → verb → schema →
 * cross-field check → concurrency → handler. Every refusal happens before the handler runs, so a bad
 * request can never start a partial action (docs/reliability.md #22), and a handler's own failure is
 * reported with its `GatewayError` code.
 */
export interface RouterOptions {
  /** Largest request payload in bytes. Default 16 KiB (an alert with its recipients fits in ~4 KiB). */
  maxRequestBytes?: number;
  /** Requests handled at once; more are answered `MQTT_BUSY`. Default 32. */
  maxConcurrent?: number;
}

interface Entry {
  check: TypeCheck<TSchema>;
  rule: ((p: never) => string | undefined) | undefined;
  handler: VerbHandler<unknown>;
}

/** A response and, when the handler ran, how long it took. */
export interface RouteOutcome {
  response: ResponsePayload;
  /** For the log line: how long the handler took, or undefined when it did not run. */
  handlerMs?: number;
}

/** Verb registry and the validation pipeline described above. */
export class RequestRouter {
  private readonly verbs = new Map<string, Entry>();
  private inFlight = 0;
  private readonly maxBytes: number;
  private readonly maxConcurrent: number;

  constructor(opts: RouterOptions = {}) {
    this.maxBytes = opts.maxRequestBytes ?? 16 * 1024;
    this.maxConcurrent = opts.maxConcurrent ?? 32;
  }

  registerVerb<V extends KnownVerb>(verb: V, handler: VerbHandler<Static<(typeof VERB_SCHEMAS)[V]>>): Unsubscribe {
    return this.add(verb, VERB_SCHEMAS[verb], VERB_CHECKS[verb], handler as VerbHandler<unknown>);
  }

  registerCustomVerb<S extends TSchema>(verb: string, schema: S, handler: VerbHandler<Static<S>>): Unsubscribe {
    return this.add(verb, schema, undefined, handler);
  }

  has(verb: string): boolean {
    return this.verbs.has(verb);
  }

  async handle(verb: string, raw: Buffer): Promise<RouteOutcome> {
    if (raw.length > this.maxBytes) return refuse(undefined, "MQTT_PAYLOAD_TOO_LARGE", `payload is ${raw.length} bytes; the limit is ${this.maxBytes}`);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return refuse(undefined, "MQTT_BAD_JSON", "payload is not valid JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return refuse(undefined, "MQTT_BAD_PAYLOAD", "/: payload must be a JSON object");
    const transaction = transactionOf(body);
    const entry = this.verbs.get(verb);
    if (!entry) return refuse(transaction, "MQTT_UNKNOWN_VERB", `no such verb "${verb}"`);
    if (!entry.check.Check(body)) {
      const problems = [...entry.check.Errors(body)].slice(0, 5).map((e) => `${e.path || "/"}: ${e.message}`);
      return refuse(transaction, "MQTT_BAD_PAYLOAD", problems.join("; "));
    }
    const problem = entry.rule?.(body as never);
    if (problem !== undefined) return refuse(transaction, "MQTT_BAD_PAYLOAD", problem);
    if (this.inFlight >= this.maxConcurrent) return refuse(transaction, "MQTT_BUSY", `${this.inFlight} requests in progress; try again`);
    this.inFlight++;
    const t0 = performance.now();
    try {
      const data = await entry.handler(body, { verb, transaction });
      return { response: withTransaction(transaction, { status: "ok", data: data ?? null }), handlerMs: performance.now() - t0 };
    } catch (err) {
      const handlerMs = performance.now() - t0;
      if (isGatewayError(err)) return { ...refuse(transaction, err.code, err.message, partialSend(err.context)), handlerMs };
      return { ...refuse(transaction, "MQTT_HANDLER_FAILED", err instanceof Error ? err.message : String(err)), handlerMs };
    } finally {
      this.inFlight--;
    }
  }

  private add(verb: string, schema: TSchema, rule: Entry["rule"], handler: VerbHandler<unknown>): Unsubscribe {
    const entry: Entry = { check: TypeCompiler.Compile(schema), rule, handler };
    this.verbs.set(verb, entry);
    return () => {
      if (this.verbs.get(verb) === entry) this.verbs.delete(verb);
    };
  }
}

/** Reads `transaction` only when it has an allowed type, so an echoed value is always safe and small. */
function transactionOf(body: object): TransactionId | undefined {
  const t = (body as Record<string, unknown>)["transaction"];
  if (typeof t === "string" && t.length <= 128) return t;
  if (typeof t === "number" && Number.isFinite(t)) return t;
  return undefined;
}

function withTransaction<T extends object>(transaction: TransactionId | undefined, body: T): T & { transaction?: TransactionId } {
  return transaction === undefined ? body : { transaction, ...body };
}

function refuse(transaction: TransactionId | undefined, code: ErrorCode, message: string, sent?: object): RouteOutcome {
  return { response: withTransaction(transaction, { status: "error" as const, error: sent ? { code, message, sent } : { code, message } }) };
}

/**
 * What a failed send had already put on the air (SMS parts, SDS parts): a requester that retries must
 * know the recipient may have the first part. Undefined for errors that are not partial sends.
 */
function partialSend(context: Record<string, unknown>): object | undefined {
  if (typeof context["sentParts"] !== "number") return undefined;
  const pick = (k: string): Record<string, unknown> => (context[k] === undefined ? {} : { [k]: context[k] });
  return { ...pick("id"), ...pick("parts"), sentParts: context["sentParts"], ...pick("references"), ...pick("messageReferences") };
}

