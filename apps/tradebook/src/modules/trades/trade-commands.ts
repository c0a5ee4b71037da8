import type { AppCommand, AppCommandTable } from '@switchyard/host';
import type { TradeView } from './trade-view.ts';

interface Summary {
  readonly booked: number;
  readonly cancelled: number;
  readonly openExceptions: number;
  readonly firstDecidedAt: string | null;
  readonly lastDecidedAt: string | null;
}

interface Exceptions {
  readonly total: number;
  readonly exceptions: readonly { tradeId: string; kind: string; detail: string; raisedAt: string }[];
}

const tradePath = (tradeId: string) => `/trades/${encodeURIComponent(tradeId)}`;

/** Who asks, for the trade's timeline and the log: `--by`, else the person at the terminal. */
const requester = (by: string | boolean | undefined): string =>
  typeof by === 'string' ? by : (process.env.USER ?? 'yard');

/** A trade as a person reads it in a terminal: its terms, allocations, postings and timeline. */
function tradeTables(trade: TradeView): AppCommandTable[] {
  return [
    {
      title: 'Allocations',
      head: ['allocation', 'account', 'quantity', 'settles'],
      rows: trade.allocations.map((each) => [
        each.allocationId,
        each.account,
        each.quantity,
        each.settles ?? '—',
      ]),
    },
    {
      title: 'Postings in the core',
      head: [
        'client ref',
        'allocation',
        'debit',
        'credit',
        'amount (minor)',
        'status',
        'sequence',
        'reverses',
      ],
      rows: trade.postings.map((each) => [
        each.clientRef,
        each.allocationId,
        each.debitAccount,
        each.creditAccount,
        `${each.amountMinor} ${each.currency}`,
        each.rejection ? `${each.status}: ${each.rejection}` : each.status,
        each.sequence ?? '—',
        each.reverses ?? '',
      ]),
    },
    {
      title: 'Timeline',
      head: ['at', 'event', 'from', 'to'],
      rows: trade.timeline.map((each) => [each.at, each.event, each.from ?? '—', each.to]),
    },
  ];
}

function headline(trade: TradeView): string[] {
  const execution = trade.execution;
  const terms = execution
    ? `${execution.side} ${execution.quantity} ${execution.instrument} at ${execution.priceMinor} ${execution.currency} (minor units), traded ${execution.tradeDate}`
    : 'no execution yet';
  return [
    `${trade.tradeId}: ${trade.state}, version ${trade.version}; ${terms}`,
    ...(trade.missing.length > 0 ? [`waiting for: ${trade.missing.join(', ')}`] : []),
    ...(trade.cancelled ? [`cancelled: ${trade.cancelled.reason}`] : []),
    ...(trade.exception ? [`exception (${trade.exception.kind}): ${trade.exception.detail}`] : []),
  ];
}

/**
 * `yard trades …`: the operations routes from the command line, against the running tradebook (its
 * HTTP API: the same rules, embedded or on servers).
 */
export const tradeCommands: readonly AppCommand[] = [
  {
    name: 'trades show',
    description: 'a trade: where it stands, its allocations, its postings in the core and its timeline',
    arguments: [{ name: 'tradeId', description: 'the trade' }],
    async run({ arguments: { tradeId = '' }, api }) {
      const trade = (await api.request('GET', tradePath(tradeId))) as TradeView;
      return { value: trade, notes: headline(trade), tables: tradeTables(trade) };
    },
  },
  {
    name: 'trades exceptions',
    description:
      'trades that need a person, oldest first: incomplete, inconsistent, refused by the core, booking overdue',
    options: [
      {
        name: 'kind',
        description: 'only one kind: incomplete, inconsistent, core-rejected or booking-overdue',
      },
      { name: 'limit', description: 'at most this many (default 100)' },
    ],
    async run({ options, api }) {
      const query = new URLSearchParams();
      if (typeof options.kind === 'string') query.set('kind', options.kind);
      if (typeof options.limit === 'string') query.set('limit', options.limit);
      const found = (await api.request(
        'GET',
        `/trades/exceptions${query.size > 0 ? `?${query}` : ''}`,
      )) as Exceptions;
      return {
        value: found,
        notes: [`${found.total} open exception${found.total === 1 ? '' : 's'}`],
        tables:
          found.exceptions.length === 0
            ? []
            : [
                {
                  head: ['trade', 'kind', 'raised at', 'detail'],
                  rows: found.exceptions.map((each) => [each.tradeId, each.kind, each.raisedAt, each.detail]),
                },
              ],
      };
    },
  },
  {
    name: 'trades summary',
    description: 'how many trades are booked, cancelled and in an exception',
    async run({ api }) {
      const summary = (await api.request('GET', '/trades/summary')) as Summary;
      return {
        value: summary,
        tables: [
          {
            head: ['booked', 'cancelled', 'open exceptions', 'first decided', 'last decided'],
            rows: [
              [
                summary.booked,
                summary.cancelled,
                summary.openExceptions,
                summary.firstDecidedAt ?? '—',
                summary.lastDecidedAt ?? '—',
              ],
            ],
          },
        ],
      };
    },
  },
  {
    name: 'trades retry',
    description:
      'ask booking again for the postings of a trade that are unanswered or were refused (after repairing what the core refused)',
    arguments: [{ name: 'tradeId', description: 'the trade' }],
    options: [{ name: 'by', description: 'who asks, for the trade’s timeline (default: $USER)' }],
    async run({ arguments: { tradeId = '' }, options, api }) {
      const requestedBy = requester(options.by);
      const accepted = await api.request('POST', `${tradePath(tradeId)}/retry`, { requestedBy });
      return {
        value: accepted,
        notes: [`Retry of ${tradeId} sent (by ${requestedBy}); follow it with: yard trades show ${tradeId}`],
      };
    },
  },
  {
    name: 'trades reallocate',
    description:
      "repair a trade's allocations on the desk's behalf (e.g. an account the core refused); what was booked under the old ones is reversed",
    arguments: [{ name: 'tradeId', description: 'the trade' }],
    options: [
      {
        name: 'allocations',
        description:
          'the new split: allocationId=account:quantity, comma-separated (T-1-A1=10000001:100,T-1-A2=10000002:200)',
      },
      { name: 'by', description: 'who repairs, for the log (default: $USER)' },
    ],
    async run({ arguments: { tradeId = '' }, options, api }) {
      const requestedBy = requester(options.by);
      // Parsed only into fields: the API validates them and names what is wrong.
      const allocations = String(options.allocations ?? '')
        .split(',')
        .filter((each) => each.trim() !== '')
        .map((each) => {
          const [allocationId, rest = ''] = each.trim().split('=');
          const [account, quantity] = rest.split(':');
          return { allocationId, account, quantity: quantity === undefined ? undefined : Number(quantity) };
        });
      const accepted = (await api.request('POST', `${tradePath(tradeId)}/allocations`, {
        allocations,
        requestedBy,
      })) as { instructionId: string };
      return {
        value: accepted,
        notes: [
          `New allocations for ${tradeId} sent as instruction ${accepted.instructionId}; follow it with: yard trades show ${tradeId}`,
        ],
      };
    },
  },
  {
    name: 'trades cancel',
    description: "cancel a trade on the desk's behalf: whatever was booked for it is reversed in the core",
    arguments: [{ name: 'tradeId', description: 'the trade' }],
    options: [
      { name: 'reason', description: 'why, for the trade and its reversal' },
      { name: 'by', description: 'who cancels (default: $USER)' },
    ],
    async run({ arguments: { tradeId = '' }, options, api }) {
      const requestedBy = requester(options.by);
      const accepted = await api.request('POST', `${tradePath(tradeId)}/cancel`, {
        reason: options.reason,
        requestedBy,
      });
      return {
        value: accepted,
        notes: [`Cancellation of ${tradeId} sent; follow it with: yard trades show ${tradeId}`],
      };
    },
  },
];
