import { describe, expect, it } from 'vitest';
import { isLaterWrite, ledgerSequencer } from '../../lambdas/shared/ledger/sequencer';

describe('S3 sequencers', () => {
  it('compare as numbers once padded to the same width, whatever their length or case', () => {
    expect(ledgerSequencer('F') > ledgerSequencer('0E')).toBe(true);
    expect(ledgerSequencer('10') > ledgerSequencer('F')).toBe(true);
    expect(ledgerSequencer('00000000000000000A')).toBe(ledgerSequencer('a'));
  });

  it('order writes by sequencer, and by event time only when one has none', () => {
    const at = (objectAt: string, sequencer?: string) => ({ objectAt, sequencer });
    expect(isLaterWrite(at('2026-01-01T00:00:00Z', '10'), at('2026-01-02T00:00:00Z', 'F'))).toBe(true);
    expect(isLaterWrite(at('2026-01-02T00:00:00Z', 'F'), at('2026-01-01T00:00:00Z', '10'))).toBe(false);
    expect(isLaterWrite(at('2026-01-02T00:00:00Z'), at('2026-01-01T00:00:00Z', '10'))).toBe(true);
  });
});
