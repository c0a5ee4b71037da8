/**
 * `yard`, Switchyard's command line: run an app's modules, migrate its database, plan and apply its
 * broker topology, look into and retry its error queues, follow a saga, switch its services between
 * blue/green slots. The `yard` binary calls `runCli`; tools and tests call it the same way, with their
 * own streams, environment and folder, and branch on the documented exit codes.
 *
 * ```ts
 * import { Writable } from 'node:stream';
 * import { exitCodes, runCli } from '@switchyard/cli';
 *
 * const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
 * const code = await runCli(['no-such-command'], { stdout: quiet, stderr: quiet, env: {}, cwd: process.cwd() });
 * console.log(code === exitCodes.usage ? 'exit 2: the command line is wrong' : `exit ${code}`);
 * ```
 */
export { type CliIo, runCli } from './cli.ts';
export { CliError, exitCodes } from './exit-codes.ts';
