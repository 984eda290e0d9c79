/**
 * The simulator in its own process, so that serving 25k requests does not compete with the extractor for the same
 * event loop (on a real tenant the server is elsewhere). Started by startSimulatorProcess() with fork(): generates
 * the tenant (scale, seed), starts the simulator with the given latency, and answers IPC messages.
 */
import { startSimulator } from '../../src/simulator/index.js';
import { generateTenant, type Scale } from '../../src/tenant/generate/index.js';

type Request = { id: number; type: 'counters' | 'reset' | 'close' | 'latency'; latencyMs?: number };

const [scale, seedText, latencyText, identityPort, pcloudPort] = process.argv.slice(2);
const tenant = generateTenant(scale as Scale, Number(seedText));
const latencyMs = Number(latencyText ?? 0);
const sim = await startSimulator({
  tenant,
  ...(latencyMs > 0 ? { latency: { fixedMs: latencyMs } } : {}),
  // Fixed ports keep the Privilege Cloud tenant id (host:port) the same from one sync to the next.
  ...(identityPort ? { identityPort: Number(identityPort), pcloudPort: Number(pcloudPort) } : {}),
});
const client = tenant.identity.oauthClients[0]!;
process.send!({
  type: 'ready',
  identityUrl: sim.identityUrl,
  pcloudUrl: sim.pcloudUrl,
  clientId: client.clientId,
  clientSecret: client.clientSecret,
});
process.on('message', async (m: Request) => {
  if (m.type === 'counters') {
    process.send!({ id: m.id, total: sim.counters.total(), byRoute: sim.counters.snapshot() });
  } else if (m.type === 'reset') {
    sim.counters.reset();
    process.send!({ id: m.id });
  } else if (m.type === 'latency') {
    sim.faults.setLatency(m.latencyMs ? { fixedMs: m.latencyMs } : null);
    process.send!({ id: m.id });
  } else if (m.type === 'close') {
    await sim.close();
    process.send!({ id: m.id });
    process.disconnect();
  }
});
// The parent went away: stop serving.
process.on('disconnect', () => {
  void sim.close().then(() => process.exit(0));
});
