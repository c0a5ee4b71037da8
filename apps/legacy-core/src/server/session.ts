import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  formatReply,
  parseRequest,
  RecordFormatError,
  type Reply,
  type Request,
  recordEnd,
  splitRecords,
  status,
} from '../protocol/records.ts';
import { inBatchWindow } from './batch-window.ts';
import { businessDateOf, type CoreState } from './core-state.ts';
import { type Fault, forcibleFaults } from './fault-plan.ts';
import { rejectionOf } from './posting-rules.ts';
import { lognormalMs } from './seeded-random.ts';

/**
 * One client connection. Records are handled strictly one after another, as the old core's
 * single-threaded terminal handler did: a client that pipelines waits for each answer in turn.
 */
export function serveConnection(socket: Socket, state: CoreState): void {
  let buffered = '';
  let loggedOn = false;
  let queue: Promise<void> = Promise.resolve();
  const log = state.logger.child({ remote: `${socket.remoteAddress}:${socket.remotePort}` });

  const send = (...replies: Reply[]): void => {
    if (socket.destroyed || !socket.writable) return;
    socket.write(replies.map((reply) => formatReply(reply) + recordEnd).join(''), 'latin1');
  };
  const latency = async (): Promise<void> => {
    const { medianMs, sigma, maxMs } = state.config.latency;
    const ms = lognormalMs(state.latencyRandom, medianMs, sigma, maxMs);
    if (ms > 0) await sleep(ms, undefined, { ref: false });
  };

  socket.setNoDelay(true);
  socket.on('error', (error) => log.debug({ err: error }, 'connection error'));
  socket.on('close', () => {
    if (loggedOn) state.loggedOnSessions--;
    loggedOn = false;
  });

  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    const { records, rest, overflow } = splitRecords(buffered);
    buffered = rest;
    for (const line of records) queue = queue.then(() => handle(line)).catch((error) => fail(error));
    if (overflow) {
      // A peer that never sends CRLF is not speaking the protocol: say so once and hang up.
      queue = queue.then(() => {
        send({ type: 'ERRR', status: status.formatError, text: 'RECORD TOO LONG' });
        socket.end();
      });
      buffered = '';
    }
  });

  function fail(error: unknown): void {
    log.error({ err: error }, 'record handling failed; closing the connection');
    socket.destroy();
  }

  async function handle(line: string): Promise<void> {
    if (socket.destroyed) return;
    let request: Request;
    try {
      request = parseRequest(line);
    } catch (error) {
      if (!(error instanceof RecordFormatError)) throw error;
      send({ type: 'ERRR', status: status.formatError, text: error.message });
      return;
    }
    if (request.type === 'CTRL') return control(request.command);
    if (request.type === 'LGON') return logon();
    if (!loggedOn) {
      send({ type: 'ERRR', status: status.notLoggedOn, text: 'NOT LOGGED ON' });
      return;
    }
    switch (request.type) {
      case 'LGOF':
        send({ type: 'LGBY' });
        socket.end();
        return;
      case 'POST':
        return post(request);
      case 'ENQR': {
        await latency();
        const found = state.ledger.postingsFor(request.clientReference);
        const no = request.messageNo;
        send(
          { type: 'ENHD', messageNo: no, count: found.length },
          ...found.map((booked) => ({ type: 'ENLN' as const, messageNo: no, ...booked })),
        );
        return;
      }
      case 'AUDT': {
        const audit = state.ledger.audit();
        const no = request.messageNo;
        send(
          { type: 'AUHD', messageNo: no, postings: audit.postings.length, currencies: audit.totals.length },
          ...audit.totals.map((total) => ({ type: 'AUCY' as const, messageNo: no, ...total })),
          ...state.ledger
            .allPostings()
            .map((booked) => ({ type: 'AULN' as const, messageNo: no, ...booked })),
        );
        return;
      }
    }
  }

  function logon(): void {
    if (loggedOn) {
      send({ type: 'ERRR', status: status.formatError, text: 'ALREADY LOGGED ON' });
      return;
    }
    if (state.loggedOnSessions >= state.config.maxSessions) {
      log.warn({ maxSessions: state.config.maxSessions }, 'logon refused: session limit');
      send({
        type: 'LGRJ',
        status: status.sessionLimit,
        text: `SESSION LIMIT ${state.config.maxSessions} REACHED`,
      });
      socket.end();
      return;
    }
    loggedOn = true;
    state.loggedOnSessions++;
    state.sessionsEverOpened++;
    send({
      type: 'LGOK',
      sessionNo: state.sessionsEverOpened,
      businessDate: businessDateOf(state, new Date()),
    });
  }

  async function post(request: Extract<Request, { type: 'POST' }>): Promise<void> {
    const fault: Fault = state.faults.next();
    const no = request.messageNo;
    if (fault === 'drop-before-booking') {
      log.info({ clientReference: request.clientReference, fault }, 'fault: connection dropped, not booked');
      socket.destroy();
      return;
    }
    const now = new Date();
    const rejection = rejectionOf(request, state.config);
    if (rejection) {
      await latency();
      send({ type: 'PSRJ', messageNo: no, status: status.rejected, ...rejection });
      return;
    }
    if (inBatchWindow(state.batchMode, state.config.batchWindow, now)) {
      await latency();
      send({ type: 'PSRJ', messageNo: no, status: status.batchWindow, reason: 'BW', text: 'BATCH WINDOW' });
      return;
    }
    // Booked the moment it is read, before any latency: once a POST has reached the core, an
    // enquiry on any session finds it, however late (or never) its own reply comes.
    const booked = state.ledger.book(request, businessDateOf(state, now), now);
    log.debug({ clientReference: booked.clientReference, sequence: booked.sequence, fault }, 'booked');
    if (fault === 'lost-reply') {
      log.info(
        { clientReference: booked.clientReference, sequence: booked.sequence, fault },
        'fault: reply lost',
      );
      socket.destroy();
      return;
    }
    if (fault === 'stall') await sleep(state.config.faults.stallMs, undefined, { ref: false });
    else await latency();
    send({ type: 'PSOK', messageNo: no, sequence: booked.sequence, businessDate: booked.businessDate });
  }

  function control(command: readonly string[]): void {
    const answer = controlAnswer(command);
    if (answer) send({ type: 'CTOK', text: answer });
    else
      send({
        type: 'ERRR',
        status: status.formatError,
        text: state.config.controlEnabled ? 'UNKNOWN CONTROL COMMAND' : 'CONTROL DISABLED',
      });
  }

  /** Carries out a control command; undefined when it is not one the core knows (or control is off). */
  function controlAnswer(command: readonly string[]): string | undefined {
    if (!state.config.controlEnabled) return undefined;
    const [verb, first = '', second = ''] = command;
    if (verb === 'BATCH' && (first === 'ON' || first === 'OFF' || first === 'AUTO')) {
      state.batchMode = first === 'ON' ? 'on' : first === 'OFF' ? 'off' : 'auto';
      log.info({ batchMode: state.batchMode }, 'batch mode set by control record');
      return `BATCH ${first}`;
    }
    const fault = forcibleFaults.find((name) => name.toUpperCase() === first);
    if (verb === 'FAULT' && fault && /^\d{1,4}$/.test(second)) {
      state.faults.force(fault, Number(second));
      return `FAULT ${first} ${Number(second)}`;
    }
    if (verb === 'DATE' && /^\d{8}$/.test(first)) {
      state.businessDateOverride = first;
      return `DATE ${first}`;
    }
    return undefined;
  }
}
