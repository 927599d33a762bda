import { GatewayError } from "../../src/shared/errors.js";
import type { FinalResult } from "./at-command.js";
import type { FailureReason } from "./transaction-machine.js";

/** The typed error for a command that failed; callers test `code` (and `context.cme`/`cms`), never the text. */
export function commandError(name: string, timeoutMs: number, reason: FailureReason, final?: FinalResult): GatewayError {
  const context: Record<string, unknown> = { command: name };
  switch (reason) {
    case "timeout":
      return new GatewayError("AT_TIMEOUT", `${name}: no answer within ${timeoutMs} ms`, { context });
    case "no-prompt":
      return new GatewayError("AT_TIMEOUT", `${name}: no "> " prompt within ${timeoutMs} ms`, { context: { ...context, prompt: true } });
    case "error":
      return new GatewayError("AT_ERROR", `${name}: device answered ERROR`, { context });
    case "cme":
      return new GatewayError("AT_CME_ERROR", `${name}: +CME ERROR: ${final?.type === "cme" ? final.text : "?"}`, { context: { ...context, cme: final?.type === "cme" ? final.code : -1 } });
    case "cms":
      return new GatewayError("AT_CMS_ERROR", `${name}: +CMS ERROR: ${final?.type === "cms" ? final.text : "?"}`, { context: { ...context, cms: final?.type === "cms" ? final.code : -1 } });
    case "aborted":
      return new GatewayError("AT_ABORTED", `${name} aborted`, { context });
    case "link-lost":
      return new GatewayError("LINK_LOST", `${name}: link lost while the command was in flight`, { context });
    case "call-result":
      return new GatewayError("AT_ERROR", `${name}: ${final?.type ?? "call result"}`, { context: { ...context, result: final?.type } });
  }
}
