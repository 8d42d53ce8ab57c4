/**
 * The AWS account Visual Layer reads customer buckets from: the read role trusts it, and
 * `vl-ingest doctor` checks that it does. A module of its own, so the command reads it without the CDK.
 */
export const VISUAL_LAYER_ACCOUNT = '027730031917';
