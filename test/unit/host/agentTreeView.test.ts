import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as vscode from "vscode";
import { Emitter } from "../../../src/core/common/emitter";
import type { HostToWebviewMessage } from "../../../src/core/protocol/messages";
import { SecretRedactor } from "../../../src/core/keys/redact";
import { AgentTreeViewProvider } from "../../../src/host/agentTreeView";
import { ShimUri } from "../../fakes/vscodeShimClasses";
import { makeAgent, mixedTree } from "../../webview/fixtures";
import { treeTestRig } from "./agentTreeFakes";

/** Just the parts of a WebviewView that the provider touches. */
class FakeView {
  readonly received = new Emitter<unknown>();
  readonly visibility = new Emitter<void>();
  readonly disposal = new Emitter<void>();
  readonly posted: HostToWebviewMessage[] = [];
  visible = true;
  readonly webview = {
    options: {} as vscode.WebviewOptions,
    html: "",
    cspSource: "vscode-webview-resource:",
    asWebviewUri: (uri: vscode.Uri) => uri,
    postMessage: (message: HostToWebviewMessage) => {
      this.posted.push(message);
      return Promise.resolve(true);
    },
    onDidReceiveMessage: this.received.event,
  };
  readonly onDidChangeVisibility = this.visibility.event;
  readonly onDidDispose = this.disposal.event;

  asView(): vscode.WebviewView {
    return this as unknown as vscode.WebviewView;
  }
}

const extensionUri = ShimUri.file("/ext");
const nonceOf = (html: string): string => /script-src 'nonce-([^']+)'/.exec(html)?.[1] ?? "";

describe("AgentTreeViewProvider", () => {
  it("serves a strict page: bundles only, a fresh nonce per load, no eval or inline code", () => {
    const rig = treeTestRig();
    const provider = new AgentTreeViewProvider(extensionUri, rig.deps);
    const view = new FakeView();
    provider.resolveWebviewView(view.asView());
    assert.equal(view.webview.options.enableScripts, true);
    assert.deepEqual(view.webview.options.localResourceRoots?.map((u) => u.path), ["/ext/dist"]);
    const html = view.webview.html;
    assert.match(html, /default-src 'none'/);
    assert.doesNotMatch(html, /unsafe-eval|unsafe-inline|\son[a-z]+=/);
    assert.match(html, /<script nonce="[^"]+" src="[^"]*\/ext\/dist\/webview\.js">/);
    const first = nonceOf(html);
    assert.ok(first.length >= 24);
    const again = new FakeView();
    provider.resolveWebviewView(again.asView());
    assert.notEqual(nonceOf(again.webview.html), first);
    provider.dispose();
  });

  it("streams after ready, pauses while hidden, and lets go when the view is disposed", async () => {
    const rig = treeTestRig(mixedTree());
    const provider = new AgentTreeViewProvider(extensionUri, rig.deps);
    const view = new FakeView();
    provider.resolveWebviewView(view.asView());
    assert.equal(view.posted.length, 0);
    view.received.fire({ type: "ready" });
    assert.equal(view.posted[0]?.type, "snapshot");

    view.visible = false;
    view.visibility.fire();
    rig.service.update(makeAgent({ id: "while-hidden" }));
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(view.posted.length, 1);

    view.visible = true;
    view.visibility.fire();
    view.received.fire({ type: "ready" });
    const last = view.posted.at(-1);
    assert.ok(last?.type === "snapshot" && last.agents.some((a) => a.id === "while-hidden"));

    view.received.fire({ type: "interrupt", agentId: "edit", sneaky: true });
    assert.deepEqual(rig.service.calls, []);
    assert.ok(rig.logger.lines.some((l) => l.includes("dropped a malformed message")));

    view.disposal.fire();
    assert.equal(rig.service.changes.listenerCount, 0);
    assert.equal(view.received.listenerCount, 0);
    provider.dispose();
  });

  it("posts nothing of a key to the page: every message passes the redactor", () => {
    const key = `sk-tree-${"w".repeat(20)}4321`;
    const redactor = new SecretRedactor(() => [key]);
    const rig = treeTestRig([makeAgent({ id: "leaky", result: `OPENAI_API_KEY=${key}`, task: `use ${key.toUpperCase()}` })]);
    const provider = new AgentTreeViewProvider(extensionUri, rig.deps, (message) => redactor.redactDeep(message));
    const view = new FakeView();
    provider.resolveWebviewView(view.asView());
    view.received.fire({ type: "ready" });
    const text = JSON.stringify(view.posted);
    assert.ok(view.posted.length > 0);
    assert.ok(!text.toLowerCase().includes(key.slice(3, 11).toLowerCase()), text);
    assert.match(text, /\[redacted key …4321\]/);
    provider.dispose();
  });
});
