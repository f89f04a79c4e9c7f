import type { WebviewToHostMessage } from "../src/core/protocol/messages";
import { restoreViewState, type ViewState } from "./model/viewState";

/** The page's only channel to the host: typed messages out, persisted UI state. */
export interface HostChannel {
  post(message: WebviewToHostMessage): void;
  loadState(): ViewState;
  saveState(state: ViewState): void;
}

export function connectToHost(): HostChannel {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    loadState: () => restoreViewState(api.getState()),
    saveState: (state) => api.setState(state),
  };
}
