/**
 * What a failed call attempt means for the retry policy. The agent reports SIP final responses as text
 * ("486 Busy Here", RFC 3261 §21) or transport errors ("Connection refused", "Request Timeout").
 * Busy and no answer are worth another try (the bridge may be full or slow); a wrong number, a refused
 * identity or a codec mismatch is not: retrying those only delays the report to the operator.
 */
export type CallOutcome = "busy" | "no-answer" | "unreachable" | "rejected";

export function classifyCloseReason(reason: string): CallOutcome {
  const code = /\b([3-6]\d\d)\b/.exec(reason)?.[1];
  if (code !== undefined) {
    const n = Number(code);
    if (n === 486 || n === 600 || n === 503 || n === 480) return "busy";
    if (n === 408 || n === 487) return "no-answer";
    if (n >= 500 && n < 600) return "unreachable";
    return "rejected";
  }
  if (/busy/i.test(reason)) return "busy";
  if (/timeout|timed out|no answer/i.test(reason)) return "no-answer";
  return "unreachable";
}

/** Outcomes that the join retries (with backoff, bounded). */
export function isRetryable(o: CallOutcome): boolean {
  return o !== "rejected";
}
