/**
 * A one-way gate: work chained on `promise` waits until `open()` is called, then runs in the order it was
 * chained. The gateway holds incoming SDS and SMS behind one until every listener (alert dispatch) is in
 * place.
 */
export class Gate {
  readonly promise: Promise<void>;
  private release!: () => void;

  constructor() {
    this.promise = new Promise<void>((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }
}
