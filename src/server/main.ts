import { createConnection } from "vscode-languageserver/node";
import { startDefinitionServer } from "./definitionServer";

// Entry of dist/server.js. The transport comes from the command line the
// client starts us with (`--node-ipc` from the extension, `--stdio` by hand).
const connection = createConnection();
startDefinitionServer(connection);
connection.listen();
