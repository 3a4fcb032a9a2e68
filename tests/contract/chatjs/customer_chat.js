// Amazon Connect ChatJS as a chat customer, driven line by line so a Python test can judge our fake with it.
//
// Usage: node customer_chat.js '{"endpoint": "http://127.0.0.1:PORT", "region": "eu-west-2",
//                                "contactId": "...", "participantId": "...", "participantToken": "..."}'
// stdin:  one JSON command per line: {"do": "send", "text": "..."}, {"do": "typing"}, {"do": "transcript"},
//         {"do": "disconnect"}, {"do": "exit"}
// stdout: one JSON line per thing ChatJS reports: {"event": "connected" | "lost" | "broken" | "message" | "typing" |
//         "ended" | "deep-heartbeat" | "sent" | "typed" | "transcript" | "disconnected" | "failed" | "log", ...}
//
// ChatJS is a browser library; it gets the few browser globals it reads. Everything it talks to is the endpoint
// given (the fake Participant Service) and the websocket URL the fake returns: CSM (client-side metrics) is off,
// so is ChatJS's own logging to the console, and the network is reported online so nothing waits for a browser.
"use strict";

const readline = require("node:readline");
const WebSocket = require("ws");

globalThis.self = globalThis; // the bundled AWS SDK client is a UMD module that registers on `self`
globalThis.window = globalThis;
globalThis.WebSocket = WebSocket;
if (!globalThis.navigator) globalThis.navigator = { userAgent: "node", onLine: true };

require("amazon-connect-chatjs");

const config = JSON.parse(process.argv[2]);
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const text = (parts) => parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" ");
const quiet = () => {};

const ChatSession = globalThis.connect.ChatSession;
ChatSession.setGlobalConfig({
  region: config.region,
  endpoint: config.endpoint,
  loggerConfig: {
    customizedLogger: {
      debug: quiet,
      info: quiet,
      warn: (...parts) => emit({ event: "log", level: "warn", text: text(parts) }),
      error: (...parts) => emit({ event: "log", level: "error", text: text(parts) }),
    },
    level: ChatSession.LogLevel.WARN,
  },
  webSocketManagerConfig: { isNetworkOnline: () => true },
  features: { messageReceipts: { shouldSendMessageReceipts: false } },
});

const session = ChatSession.create({
  chatDetails: {
    contactId: config.contactId,
    participantId: config.participantId,
    participantToken: config.participantToken,
  },
  options: { region: config.region },
  type: ChatSession.SessionTypes.CUSTOMER,
  disableCSM: true,
});

session.onConnectionEstablished(() => emit({ event: "connected" }));
session.onConnectionLost(() => emit({ event: "lost" }));
session.onConnectionBroken(() => emit({ event: "broken" }));
session.onMessage((e) => emit({ event: "message", item: e.data }));
session.onTyping((e) => emit({ event: "typing", item: e.data }));
session.onEnded(() => emit({ event: "ended" }));
session.onDeepHeartbeatSuccess(() => emit({ event: "deep-heartbeat", ok: true }));
session.onDeepHeartbeatFailure(() => emit({ event: "deep-heartbeat", ok: false }));

const failed = (step) => (err) => emit({ event: "failed", step, error: text([err && (err.message || err.type) || err]) });

const commands = {
  send: (c) => session.sendMessage({ contentType: "text/plain", message: c.text })
    .then((r) => emit({ event: "sent", id: r.data.Id, at: r.data.AbsoluteTime }), failed("send")),
  typing: () => session.sendEvent({ contentType: "application/vnd.amazonaws.connect.event.typing" })
    .then(() => emit({ event: "typed" }), failed("typing")),
  transcript: () => session.getTranscript({ maxResults: 100, sortOrder: "ASCENDING", scanDirection: "BACKWARD" })
    .then((r) => emit({ event: "transcript", items: r.data.Transcript }), failed("transcript")),
  disconnect: () => session.disconnectParticipant().then(() => emit({ event: "disconnected" }), failed("disconnect")),
  exit: () => process.exit(0),
};

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  const run = commands[command.do];
  if (run) run(command);
  else emit({ event: "failed", step: command.do, error: "unknown command" });
});
process.stdin.on("end", () => process.exit(0));

session.connect().then(
  (r) => emit({ event: "connect-result", ok: Boolean(r && r.connectSuccess) }),
  failed("connect"),
);
