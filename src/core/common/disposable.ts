/** Something that holds a resource (timer, listener, process, controller) until disposed. */
export interface IDisposable {
  dispose(): void;
}

/**
 * Base for long-lived objects: children registered with `register()` are
 * disposed once, in reverse order, however many times `dispose()` is called.
 */
export class Disposable implements IDisposable {
  private readonly owned: IDisposable[] = [];
  private disposedFlag = false;

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  protected register<T extends IDisposable>(child: T): T {
    if (this.disposedFlag) {
      child.dispose();
    } else {
      this.owned.push(child);
    }
    return child;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    for (const child of this.owned.splice(0).reverse()) {
      try {
        child.dispose();
      } catch {
        // One failing child must not keep the others alive.
      }
    }
  }
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}
