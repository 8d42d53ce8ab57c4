import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, type LocalExecution, LocalPipeline } from '../../local/pipeline';
import { objectCreated } from '../support/events';
import { findLeaks, observe } from '../support/leaks';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ quietSeconds: '1' });
const started: LocalPipeline[] = [];
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
});

describe('secrets stay secret', () => {
  it('no API secret or token appears in state data, errors, logs, records, dead letters or events', async () => {
    const seen: string[] = [];
    const secrets: string[] = [LOCAL_CREDENTIALS.apiSecret];

    // API key and secret: success, refused credentials, refused request, failed indexing, failing checks.
    const keys = await LocalPipeline.start({ app: app() });
    started.push(keys);
    const runs: LocalExecution[] = [];
    runs.push(await keys.run(objectCreated('acme-vision-drops', 'ok/a.jpg')));
    keys.deliver(objectCreated('acme-vision-drops', 'queued/a.jpg'));
    await keys.settled();
    // A late object whose append is refused with words that echo the secret.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const echo = `not allowed for ${LOCAL_CREDENTIALS.apiSecret}`;
    keys.simulator.inject({ method: 'POST', path: /\/add_media$/, status: 403, body: { detail: echo } });
    keys.deliver(objectCreated('acme-vision-drops', 'queued/late.jpg'));
    await keys.settled();
    expect(await keys.record('s3://acme-vision-drops/queued/')).toMatchObject({
      append: { status: 'FAILED', error: { code: 'FORBIDDEN' } },
    });
    keys.simulator.inject({ method: 'POST', status: 400, body: { detail: 'nope' } });
    runs.push(await keys.run(objectCreated('acme-vision-drops', 'bad/a.jpg')));
    keys.simulator.inject({ method: 'GET', path: /^\/api\/v1\/dataset\//, status: 500, times: 3 });
    runs.push(await keys.run(objectCreated('acme-vision-drops', 'flaky/a.jpg')));
    keys.simulator.lifecycle = { outcome: 'ERROR' };
    runs.push(await keys.run(objectCreated('acme-vision-drops', 'error/a.jpg')));
    keys.simulator.auth = {
      mode: 'jwt',
      apiKey: LOCAL_CREDENTIALS.apiKey,
      apiSecret: 'another-secret-xxxxxxxx',
    };
    runs.push(await keys.run(objectCreated('acme-vision-drops', 'auth/a.jpg')));
    seen.push(...(await observe(keys, runs)));
    secrets.push(...keys.simulator.authorizations.map((h) => h.replace(/^Bearer /, '')));

    // A ready-made token: success, then refused.
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrIn0.dG9rZW4tc2lnbmF0dXJl';
    const token = await LocalPipeline.start({
      app: app(),
      simulator: { auth: { mode: 'static', token: jwt } },
      secretValue: JSON.stringify({ jwt }),
    });
    started.push(token);
    const tokenRuns = [await token.run(objectCreated('acme-vision-drops', 'tok/a.jpg'))];
    token.simulator.auth = { mode: 'static', token: 'something.else.entirely' };
    tokenRuns.push(await token.run(objectCreated('acme-vision-drops', 'tok2/a.jpg')));
    seen.push(...(await observe(token, tokenRuns)));
    secrets.push(jwt);

    // The scenarios ran as intended, so the scan had something to look at.
    const statuses = (await keys.records()).map((r) => r.status).sort();
    expect(statuses).toEqual(['ERROR', 'FAILED', 'FAILED', 'READY', 'READY', 'READY']);
    expect(new Set(secrets).size).toBeGreaterThanOrEqual(3);
    expect(seen.join('\n').length).toBeGreaterThan(10_000);
    expect(keys.published.length).toBeGreaterThanOrEqual(6);
    // The scan itself works: a planted secret is found.
    expect(
      findLeaks([...seen, `x${LOCAL_CREDENTIALS.apiSecret}x`], [LOCAL_CREDENTIALS.apiSecret]),
    ).toHaveLength(1);

    expect(findLeaks(seen, secrets)).toEqual([]);
  });
});
