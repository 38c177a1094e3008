// A bare Fastify POST route taking and returning JSON of given sizes: the yardstick
// the licensing routes are measured against. Prints "Listening on <url>".
import Fastify from 'fastify';

const responseBytes = Number(process.env.BARE_RESPONSE_BYTES ?? 1000);
const app = Fastify({ logger: false });
app.post('/echo', async (request) => {
  const body = request.body;
  // Same shape as a heartbeat answer: a few fields and one long string.
  return { sessionId: body.sessionId ?? null, ok: true, padding: 'x'.repeat(Math.max(0, responseBytes - 60)) };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.server.address();
console.log(`Listening on http://127.0.0.1:${port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
