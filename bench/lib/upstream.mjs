// The fake upstream: answers every request with a small OpenAI chat completion (the
// bytes a real one sends), after reading the body. Prints its port on stdout.
import { once } from "node:events";
import { createServer } from "node:http";

const answer = Buffer.from(
  JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content: "Echo: hello" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  }),
);
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1");
await once(server, "listening");
process.stdout.write(`${JSON.stringify({ benchReady: { port: server.address().port } })}\n`);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
