/**
 * S3 sequencers: hexadecimal strings that order the events of one key (a later write of the key has a
 * greater one). They are compared after left-padding to the same length; ETags have no order.
 */

/** Width the ledger stores sequencers at, so that DynamoDB's string comparison orders them. */
export const SEQUENCER_WIDTH = 40;

/** A sequencer as the ledger stores it: upper case, left-padded with zeros. */
export function ledgerSequencer(sequencer: string): string {
  return sequencer.toUpperCase().padStart(SEQUENCER_WIDTH, '0');
}

/**
 * Whether `a` is a later write of the key than `b`: by sequencer when both have one, else by the
 * event time.
 */
export function isLaterWrite(
  a: { sequencer?: string; objectAt: string },
  b: { sequencer?: string; objectAt: string },
): boolean {
  if (a.sequencer && b.sequencer) return ledgerSequencer(a.sequencer) > ledgerSequencer(b.sequencer);
  return a.objectAt > b.objectAt;
}
