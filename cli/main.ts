import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { registerBackfill } from './commands/backfill';
import { registerDoctor } from './commands/doctor';
import { registerList } from './commands/list';
import { registerLocal } from './commands/local';
import { registerRepair } from './commands/repair';
import { registerRetry } from './commands/retry';
import { registerStatus } from './commands/status';
import { registerWatch } from './commands/watch';
import { type Act, type GlobalOptions, RunContext } from './context';
import { EXIT, type ExitCode, ProblemError, UsageError } from './exit';
import { type CliIo, processIo } from './io';

/** The program: global options, the verbs, and how their help reads. */
export function buildProgram(io: CliIo, act: Act): Command {
  const program = new Command('vl-ingest')
    .description(
      'See and steer a vl-ingest deployment from a terminal: what each folder became, what is in flight, what failed and why; retry, repair and backfill; check a deployment; run the pipeline on your own images locally.',
    )
    .version(version, '-v, --version')
    .option('--stack-name <name>', 'the deployment: its CloudFormation stack (default VlIngest)')
    .option('--outputs-file <file>', 'the deployment: the file `cdk deploy --outputs-file` wrote')
    .option('--profile <name>', 'AWS profile, as the AWS CLI takes it')
    .option('--region <region>', "AWS region (default: AWS_REGION, the profile's, or the deployment's)")
    .option('--no-color', 'no colours (also NO_COLOR)')
    .showHelpAfterError('(vl-ingest --help lists the verbs; vl-ingest <verb> --help explains one)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    })
    .addHelpText(
      'after',
      `
Deployment: --outputs-file, else the stack --stack-name (default VlIngest) read from CloudFormation
in --region (or AWS_REGION). AWS credentials as the AWS CLI finds them (--profile, AWS_PROFILE,
environment, SSO); AWS_ENDPOINT_URL(_<SERVICE>) are honoured.
Exit status: 0 all is well, 1 a problem was found (each verb's help says which), 2 usage error.

Examples:
  vl-ingest status
  vl-ingest list --status failed --since 7d
  vl-ingest retry "s3://acme-vision-drops/Line 3 cameras/"
  vl-ingest doctor --stack-name VlIngestCams --region eu-west-1
  vl-ingest local ./frames`,
    );
  for (const register of [
    registerStatus,
    registerList,
    registerWatch,
    registerRetry,
    registerRepair,
    registerBackfill,
    registerDoctor,
    registerLocal,
  ]) {
    // Each verb inherits the program's exit override and output, set above.
    register(program, act);
  }
  return program;
}

/**
 * Runs the command line `argv` (the words after `vl-ingest`) and returns its exit status; nothing here
 * exits the process, so tests run it in process.
 */
export async function run(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  let status: ExitCode = EXIT.ok;
  const act: Act = async (command, verb) => {
    const ctx = new RunContext(io, command.optsWithGlobals<GlobalOptions>());
    status = await verb(ctx);
  };
  try {
    await buildProgram(io, act).parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    return failed(error, io);
  }
}

/** The exit status of a run that threw, after saying why on stderr. */
function failed(error: unknown, io: CliIo): ExitCode {
  if (error instanceof CommanderError) {
    // Commander has printed the help, the version or the usage error already.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`vl-ingest: ${error.message}\n`);
    return EXIT.usage;
  }
  const message = error instanceof ProblemError ? error.message : describe(error);
  io.stderr.write(`vl-ingest: ${message}\n`);
  return EXIT.problem;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message ? `${error.name}: ${error.message}` : error.name;
}

/** The command's entry point: runs `process.argv` and sets the process's exit status. */
export async function main(): Promise<void> {
  // The SDK's notice about future Node.js versions is for developers, not for every command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Output piped into a reader that stopped (`| head`): the rest is not wanted.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await run(process.argv.slice(2));
}
