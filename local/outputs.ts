import { writeFileSync } from 'node:fs';
import { OUTPUTS } from '../infra/outputs';
import { LOCAL_ACCOUNT, resolveIntrinsics } from './aws/intrinsics';
import type { LocalPipeline } from './pipeline';

/** The stack name a local deployment's outputs are filed under, as `cdk deploy` names the stack. */
export const LOCAL_STACK_NAME = 'VlIngest';

/**
 * The stack's outputs as a deployment of the local runtime gives them: each `CfnOutput` of the
 * synthesized template resolved to its local stand-in (table names, state machine ARN, secret), with
 * Visual Layer at the simulator and the dead-letter queue at the local SQS stand-in.
 */
export function localOutputs(pipeline: LocalPipeline): Record<string, string> {
  const { template } = pipeline.app;
  const outputs: Record<string, string> = {};
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    outputs[key] = String(resolveIntrinsics(output.Value, template));
  }
  if (outputs[OUTPUTS.visualLayerBaseUrl] !== undefined) {
    outputs[OUTPUTS.visualLayerBaseUrl] = pipeline.endpoints.visualLayer;
  }
  const deadLetters = outputs[OUTPUTS.deadLetterQueue];
  if (deadLetters !== undefined) {
    // A queue's Ref is its URL: the local SQS stand-in's, ending in the queue's logical id.
    const queue = deadLetters.split(':').at(-1) ?? deadLetters;
    outputs[OUTPUTS.deadLetterQueue] = `${pipeline.endpoints.sqs}/${LOCAL_ACCOUNT}/${queue}`;
  }
  return outputs;
}

/**
 * Writes the file `cdk deploy --outputs-file <file>` would write for this local deployment —
 * `{"VlIngest": {"BucketName": …, …}}` — so tools find it as they would a real one.
 */
export function writeOutputsFile(
  pipeline: LocalPipeline,
  file: string,
  stackName = LOCAL_STACK_NAME,
): string {
  writeFileSync(file, `${JSON.stringify({ [stackName]: localOutputs(pipeline) }, null, 2)}\n`);
  return file;
}
