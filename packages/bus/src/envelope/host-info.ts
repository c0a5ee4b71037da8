import { hostname, release } from 'node:os';
import { basename } from 'node:path';
import type { HostInfo } from './envelope.ts';

let current: HostInfo | undefined;

/** This process as the envelope's `host` block describes it; computed once. */
export function currentHost(): HostInfo {
  current ??= Object.freeze({
    machineName: hostname(),
    processName: basename(process.argv[1] ?? process.argv0),
    processId: process.pid,
    assembly: 'switchyard',
    assemblyVersion: '0.1.0',
    frameworkVersion: `node ${process.version}`,
    operatingSystemVersion: `${process.platform} ${release()}`,
  });
  return current;
}
