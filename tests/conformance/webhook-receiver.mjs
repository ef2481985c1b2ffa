// A webhook receiver for Leakwatch's delivery tests, verifying each delivery with an independent Standard Webhooks
// implementation (npm standardwebhooks), not Leakwatch's own.
//   node webhook-receiver.mjs <whsec_secret>
// Listens on a free loopback port and prints {"listening": port} first, then one JSON line per request:
//   {"path", "id", "timestamp", "signature", "verified", "error"?, "status", "body"?}
// Paths: /ok answers 200; /gone answers 410; /flaky answers 503 to the first delivery of each webhook-id, 200 after;
// /hang never answers. A delivery whose signature does not verify gets 400 whatever the path.
import http from "node:http";
import { Webhook } from "standardwebhooks";

const secret = process.argv[2];
if (!secret) {
  console.error("usage: node webhook-receiver.mjs <whsec_secret>");
  process.exit(2);
}

const wh = new Webhook(secret);
const seen = new Set();

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const payload = Buffer.concat(chunks).toString("utf8");
    const line = {
      path: req.url,
      method: req.method,
      id: req.headers["webhook-id"] ?? null,
      timestamp: req.headers["webhook-timestamp"] ?? null,
      signature: req.headers["webhook-signature"] ?? null,
      contentType: req.headers["content-type"] ?? null,
    };
    try {
      line.body = wh.verify(payload, req.headers);
      line.verified = true;
    } catch (e) {
      line.verified = false;
      line.error = String(e?.message ?? e);
    }

    let status;
    if (!line.verified) status = 400;
    else if (req.url === "/hang") status = null;
    else if (req.url === "/gone") status = 410;
    else if (req.url === "/flaky") {
      status = seen.has(line.id) ? 200 : 503;
      seen.add(line.id);
    } else status = 200;
    line.status = status;
    process.stdout.write(`${JSON.stringify(line)}\n`);
    if (status !== null) {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(String(status));
    }
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
