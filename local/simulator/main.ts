import { parseArgs } from 'node:util';
import { type SimulatorAuth, VisualLayerSimulator } from './visual-layer-simulator';

/**
 * `npm run simulator -- [--port 2080] [--api-key K --api-secret S | --token T | --no-auth]
 * [--outcome READY|ERROR|NEVER] [--indexing-reads N]`: the Visual Layer simulator as a standalone
 * server on 127.0.0.1, for trying clients and the pipeline's functions without an account.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '2080' },
      'api-key': { type: 'string', default: 'local-api-key' },
      'api-secret': { type: 'string', default: 'local-api-secret-0123456789abcdef' },
      token: { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
      outcome: { type: 'string', default: 'READY' },
      'indexing-reads': { type: 'string', default: '2' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run simulator -- [--port 2080] [--api-key K --api-secret S | --token T | --no-auth]\n' +
        '                            [--outcome READY|ERROR|NEVER] [--indexing-reads N]\n',
    );
    return;
  }
  const port = Number(values.port);
  const indexingReads = Number(values['indexing-reads']);
  const outcome = String(values.outcome).toUpperCase();
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port "${values.port}" is not a port number`);
  if (!Number.isInteger(indexingReads) || indexingReads < 0)
    throw new Error('--indexing-reads must be a whole number');
  if (outcome !== 'READY' && outcome !== 'ERROR' && outcome !== 'NEVER')
    throw new Error('--outcome must be READY, ERROR or NEVER');
  const auth: SimulatorAuth = values['no-auth']
    ? { mode: 'none' }
    : values.token
      ? { mode: 'static', token: values.token }
      : { mode: 'jwt', apiKey: String(values['api-key']), apiSecret: String(values['api-secret']) };
  const simulator = new VisualLayerSimulator({ auth, lifecycle: { outcome, indexingReads } });
  const url = await simulator.start(port);
  const how =
    auth.mode === 'jwt'
      ? `JWTs signed with --api-secret (apiKey "${auth.apiKey}")`
      : auth.mode === 'static'
        ? 'the bearer token given with --token'
        : 'no authentication';
  process.stdout.write(
    `Visual Layer simulator on ${url} (accepts ${how}); datasets end ${outcome}. Ctrl-C stops it.\n`,
  );
  const stop = () => void simulator.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
