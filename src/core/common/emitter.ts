import type { IDisposable } from "./disposable";

export type Listener<T> = (event: T) => void;
/** Subscribe function in the shape of `vscode.Event<T>`, without importing vscode. */
export type Event<T> = (listener: Listener<T>) => IDisposable;

/** A typed event source. A throwing listener never stops the others. */
export class Emitter<T> implements IDisposable {
  private listeners = new Set<Listener<T>>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  get listenerCount(): number {
    return this.listeners.size;
  }

  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // Listener faults belong to the listener.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
