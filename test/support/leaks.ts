import type { LocalExecution, LocalPipeline } from '../../local/pipeline';

/** Every place a secret could end up: state data and errors, logs, records, dead letters, events. */
export async function observe(p: LocalPipeline, executions: LocalExecution[]): Promise<string[]> {
  const all = [...executions, ...(await p.settled())];
  return [
    ...all.map((e) => JSON.stringify(e.events)),
    ...all.map((e) => `${e.error ?? ''} ${e.cause ?? ''} ${JSON.stringify(e.output ?? null)}`),
    ...p.functionLogs,
    JSON.stringify(await p.records()),
    JSON.stringify([...p.queues.values()].flatMap((q) => q.deadLetters)),
    JSON.stringify(p.published),
  ];
}

/** The secrets found in any of the haystacks. */
export function findLeaks(haystacks: string[], secrets: string[]): string[] {
  return secrets.filter((secret) => haystacks.some((h) => h.includes(secret)));
}
