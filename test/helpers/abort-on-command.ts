/** A simulator that reports each command line it reads (SimTerminal, SimModem). */
export interface CommandSource {
  on(event: "command", listener: (line: string) => void): () => void;
}

/**
 * Aborts `controller` when the simulator reads a command starting with `prefix` (say `AT+CMGS`): a
 * withdrawal or a link loss timed to the moment a send is on the wire. Returns the function that stops
 * listening.
 */
export function abortOnCommand(sim: CommandSource, prefix: string, controller: AbortController): () => void {
  return sim.on("command", (line) => {
    if (line.startsWith(prefix)) controller.abort();
  });
}
