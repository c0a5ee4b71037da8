import { createHash } from 'node:crypto';
import { column, qualified, type SqlClient } from '@switchyard/postgres';
import type { CapturedMessage, CaptureEnvironment } from '../captured-message.ts';
import {
  type AppendReport,
  type CapturedPage,
  type CaptureStore,
  defaultGroupKey,
  type GroupKeyOf,
  type GroupMessages,
  type MalformedCapture,
  type MessageTypeLatency,
  type ResultPage,
  type RunSummary,
  type SettledGroup,
  type SettledReason,
  type SettleRule,
  type SideLatency,
  type StoredMalformedCapture,
} from './capture-store.ts';
import { capturedMessageOf, comparisonResultOf, malformedCaptureOf, outcomeKindOf } from './captured-rows.ts';
import { defaultRegressionSchema } from './regression-migrations.ts';
import { maxMalformedBodyChars, storableJson, storableText } from './store-text.ts';

/** Options for the PostgreSQL capture store. */
export interface PostgresCaptureStoreOptions {
  /** The schema `regressionMigrations` were applied to (default `switchyard_regression`). */
  readonly schema?: string;
}

/**
 * The capture store on PostgreSQL or PGlite. A batch of messages is one statement: the messages go in
 * (a duplicate is skipped by its unique key) and only the ones new to the store move their group's
 * counts and last-seen times, in the same statement, so a redelivery never makes a group look busier.
 */
export class PostgresCaptureStore implements CaptureStore {
  readonly #client: SqlClient;
  readonly #messages: string;
  readonly #malformed: string;
  readonly #groups: string;
  readonly #results: string;

  constructor(client: SqlClient, options: PostgresCaptureStoreOptions = {}) {
    const schema = options.schema ?? defaultRegressionSchema;
    this.#client = client;
    this.#messages = qualified(schema, 'captured_messages');
    this.#malformed = qualified(schema, 'malformed_captures');
    this.#groups = qualified(schema, 'capture_groups');
    this.#results = qualified(schema, 'comparison_results');
  }

  async append(
    messages: readonly CapturedMessage[],
    keyOf: GroupKeyOf = defaultGroupKey,
  ): Promise<AppendReport> {
    if (messages.length === 0) return { stored: 0, duplicates: 0 };
    const columns: (string | null)[][] = Array.from({ length: 11 }, () => []);
    for (const each of messages) {
      const values = [
        each.run,
        each.environment,
        each.messageId,
        keyOf(each),
        each.correlationId ?? null,
        each.conversationId ?? null,
        each.messageType,
        each.sentTime,
        each.capturedAt,
        storableJson(each.message),
        storableJson(each.headers) ?? '{}',
      ];
      values.forEach((value, index) => {
        columns[index]?.push(value === null || index >= 9 ? value : storableText(value));
      });
    }
    const { rows } = await this.#client.query(
      `with incoming as (
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
           as i (run, environment, message_id, group_key, correlation_id, conversation_id,
                 message_type, sent_time, captured_at, message, headers)
       ),
       inserted as (
         insert into ${this.#messages} (run, environment, message_id, group_key, correlation_id,
           conversation_id, message_type, sent_time, captured_at, message, headers)
         select run, environment, message_id, group_key, correlation_id, conversation_id, message_type,
           sent_time::timestamptz, captured_at::timestamptz, message::jsonb, headers::jsonb
         from incoming
         on conflict (run, environment, message_id) do nothing
         returning run, group_key, environment, captured_at
       ),
       seen as (
         select run, group_key, min(captured_at) as first_at, max(captured_at) as last_at,
           count(*) filter (where environment = 'baseline') as b_count,
           min(captured_at) filter (where environment = 'baseline') as b_first,
           max(captured_at) filter (where environment = 'baseline') as b_last,
           count(*) filter (where environment = 'candidate') as c_count,
           min(captured_at) filter (where environment = 'candidate') as c_first,
           max(captured_at) filter (where environment = 'candidate') as c_last,
           count(*) filter (where environment = 'baseline-2') as b2_count,
           min(captured_at) filter (where environment = 'baseline-2') as b2_first,
           max(captured_at) filter (where environment = 'baseline-2') as b2_last
         from inserted group by run, group_key
       ),
       grouped as (
         insert into ${this.#groups} as g (run, group_key, first_seen_at, last_seen_at,
           baseline_count, baseline_first_at, baseline_last_at,
           candidate_count, candidate_first_at, candidate_last_at,
           baseline2_count, baseline2_first_at, baseline2_last_at)
         -- One order for every writer, so two taps updating the same groups queue rather than deadlock.
         select run, group_key, first_at, last_at, b_count, b_first, b_last, c_count, c_first, c_last,
           b2_count, b2_first, b2_last
         from seen order by run, group_key
         on conflict (run, group_key) do update set
           first_seen_at = least(g.first_seen_at, excluded.first_seen_at),
           last_seen_at = greatest(g.last_seen_at, excluded.last_seen_at),
           baseline_count = g.baseline_count + excluded.baseline_count,
           baseline_first_at = least(g.baseline_first_at, excluded.baseline_first_at),
           baseline_last_at = greatest(g.baseline_last_at, excluded.baseline_last_at),
           candidate_count = g.candidate_count + excluded.candidate_count,
           candidate_first_at = least(g.candidate_first_at, excluded.candidate_first_at),
           candidate_last_at = greatest(g.candidate_last_at, excluded.candidate_last_at),
           baseline2_count = g.baseline2_count + excluded.baseline2_count,
           baseline2_first_at = least(g.baseline2_first_at, excluded.baseline2_first_at),
           baseline2_last_at = greatest(g.baseline2_last_at, excluded.baseline2_last_at)
         returning 1
       )
       select (select count(*) from inserted) as stored`,
      columns,
    );
    const stored = column.integer(rows[0] ?? {}, 'stored');
    return { stored, duplicates: messages.length - stored };
  }

  async appendMalformed(captures: readonly MalformedCapture[]): Promise<void> {
    if (captures.length === 0) return;
    const columns: (string | number | null)[][] = Array.from({ length: 8 }, () => []);
    for (const each of captures) {
      const bytes = Buffer.from(each.body.buffer, each.body.byteOffset, each.body.byteLength);
      const fingerprint = createHash('sha256')
        .update(each.transportMessageId ?? '')
        .update('\u0000')
        .update(bytes)
        .digest('hex');
      const values = [
        each.run,
        each.environment,
        fingerprint,
        each.transportMessageId === undefined ? null : storableText(each.transportMessageId),
        storableText(
          bytes
            .toString('utf8', 0, Math.min(bytes.length, maxMalformedBodyChars * 4))
            .slice(0, maxMalformedBodyChars),
        ),
        bytes.length,
        storableText(each.reason).slice(0, maxMalformedBodyChars),
        each.capturedAt,
      ];
      values.forEach((value, index) => {
        columns[index]?.push(value);
      });
    }
    await this.#client.query(
      `insert into ${this.#malformed} (run, environment, fingerprint, transport_message_id, body, body_bytes,
         reason, captured_at)
       select run, environment, fingerprint, transport_message_id, body, body_bytes, reason, captured_at::timestamptz
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[])
         as m (run, environment, fingerprint, transport_message_id, body, body_bytes, reason, captured_at)
       on conflict (run, environment, fingerprint) do nothing`,
      columns,
    );
  }

  async claimSettled(run: string, rule: SettleRule): Promise<SettledGroup[]> {
    const now = (rule.now ?? new Date()).toISOString();
    const completionTypes = [...(rule.completionTypes ?? [])];
    const completeOn = (environment: string) =>
      `exists (select 1 from ${this.#messages} m where m.run = g.run and m.group_key = g.group_key
         and m.environment = '${environment}' and m.message_type = any($5::text[]))`;
    const complete = `(cardinality($5::text[]) > 0 and ${completeOn('baseline')} and ${completeOn('candidate')})`;
    const quiet = `g.last_seen_at <= $2::timestamptz - $3 * interval '1 millisecond'`;
    const waited = `g.first_seen_at <= $2::timestamptz - $4 * interval '1 millisecond'`;
    // SKIP LOCKED lets claimers work side by side; the update's own `claimed_at is null` is checked
    // again against a row another claimer committed meanwhile, so no group is claimed twice.
    const { rows } = await this.#client.query(
      `with candidates as (
         select g.run, g.group_key,
           case when ${complete} then 'complete' when ${quiet} then 'quiet' else 'max-wait' end as reason
         from ${this.#groups} g
         where g.run = $1 and g.claimed_at is null and (${quiet} or ${waited} or ${complete})
         order by g.first_seen_at
         limit $6
         for update of g skip locked
       )
       update ${this.#groups} g set claimed_at = $2::timestamptz, settled_reason = c.reason
       from candidates c
       where g.run = c.run and g.group_key = c.group_key and g.claimed_at is null
       returning g.group_key, c.reason, g.baseline_count, g.candidate_count, g.baseline2_count`,
      [run, now, rule.quietMs, rule.maxWaitMs, completionTypes, rule.limit],
    );
    return rows.map((row) => ({
      groupKey: column.text(row, 'group_key'),
      reason: column.text(row, 'reason') as SettledReason,
      counts: {
        baseline: column.integer(row, 'baseline_count'),
        candidate: column.integer(row, 'candidate_count'),
        'baseline-2': column.integer(row, 'baseline2_count'),
      },
    }));
  }

  async releaseClaims(run: string, groupKeys: readonly string[]): Promise<void> {
    await this.#client.query(
      `update ${this.#groups} set claimed_at = null, settled_reason = null
       where run = $1 and group_key = any($2::text[])`,
      [run, [...groupKeys]],
    );
  }

  async resetComparisons(run: string): Promise<number> {
    return this.#client.transaction(async (tx) => {
      const { rowCount } = await tx.query(`delete from ${this.#results} where run = $1`, [run]);
      await tx.query(
        `update ${this.#groups} set claimed_at = null, settled_reason = null where run = $1 and claimed_at is not null`,
        [run],
      );
      return rowCount;
    });
  }

  async messagesOf(run: string, groupKey: string): Promise<GroupMessages> {
    const { rows } = await this.#client.query(
      `select run, environment, message_id, correlation_id, conversation_id, message_type, sent_time,
         captured_at, message, headers
       from ${this.#messages} where run = $1 and group_key = $2
       order by environment, sent_time, message_id`,
      [run, groupKey],
    );
    const byEnvironment: Record<CaptureEnvironment, CapturedMessage[]> = {
      baseline: [],
      candidate: [],
      'baseline-2': [],
    };
    for (const row of rows) {
      const message = capturedMessageOf(row);
      byEnvironment[message.environment].push(message);
    }
    return byEnvironment;
  }

  async capturedInOrder(
    run: string,
    environment: CaptureEnvironment,
    page: { readonly after?: number; readonly limit?: number } = {},
  ): Promise<CapturedPage> {
    const limit = page.limit ?? 500;
    const { rows } = await this.#client.query(
      `select id, run, environment, message_id, correlation_id, conversation_id, message_type, sent_time,
         captured_at, message, headers
       from ${this.#messages} where run = $1 and environment = $2 and id > $3
       order by id limit $4`,
      [run, environment, page.after ?? 0, limit],
    );
    const last = rows.at(-1);
    return {
      messages: rows.map(capturedMessageOf),
      next: rows.length === limit && last ? Number(last.id) : undefined,
    };
  }

  async recordResult(
    run: string,
    groupKey: string,
    reconciler: string,
    outcome: unknown,
  ): Promise<'recorded' | 'already'> {
    const { rowCount } = await this.#client.query(
      `insert into ${this.#results} (run, group_key, reconciler, outcome, outcome_kind)
       values ($1, $2, $3, $4::jsonb, $5)
       on conflict (run, group_key, reconciler) do nothing`,
      [run, groupKey, reconciler, storableJson(outcome) ?? 'null', outcomeKindOf(outcome)],
    );
    return rowCount > 0 ? 'recorded' : 'already';
  }

  async results(
    run: string,
    page: { readonly after?: number; readonly limit?: number } = {},
  ): Promise<ResultPage> {
    const limit = page.limit ?? 500;
    const { rows } = await this.#client.query(
      `select seq, group_key, reconciler, outcome, compared_at from ${this.#results}
       where run = $1 and seq > $2 order by seq limit $3`,
      [run, page.after ?? 0, limit + 1],
    );
    const results = rows.slice(0, limit).map(comparisonResultOf);
    return { results, next: rows.length > limit ? results.at(-1)?.seq : undefined };
  }

  async latencyByType(run: string): Promise<MessageTypeLatency[]> {
    // One pass over the run's messages, grouped twice; the answer is one row per type and side.
    const { rows } = await this.#client.query(
      `with firsts as (
         select environment, group_key, message_type, min(sent_time) as first_sent
         from ${this.#messages}
         where run = $1 and environment in ('baseline', 'candidate')
         group by environment, group_key, message_type
       ), delays as (
         select environment, message_type,
           extract(epoch from first_sent - min(first_sent) over (partition by environment, group_key)) * 1000 as delay_ms
         from firsts
       )
       select message_type, environment, count(*) as groups,
         percentile_cont(0.5) within group (order by delay_ms) as p50,
         percentile_cont(0.95) within group (order by delay_ms) as p95
       from delays group by message_type, environment order by message_type, environment`,
      [run],
    );
    const byType = new Map<string, { baseline?: SideLatency; candidate?: SideLatency }>();
    for (const row of rows) {
      const side = column.text(row, 'environment') as 'baseline' | 'candidate';
      const latency: SideLatency = {
        groups: Number(row.groups),
        p50Ms: Math.round(Number(row.p50)),
        p95Ms: Math.round(Number(row.p95)),
      };
      const type = column.text(row, 'message_type');
      byType.set(type, { ...byType.get(type), [side]: latency });
    }
    return [...byType].map(([messageType, sides]) => ({ messageType, ...sides }));
  }

  async summary(run: string): Promise<RunSummary> {
    const [groups, results, malformed] = await Promise.all([
      this.#client.query(
        `select count(*) as groups, count(claimed_at) as settled,
           count(*) filter (where claimed_at is not null and last_seen_at > claimed_at) as late,
           coalesce(sum(baseline_count), 0) as baseline, coalesce(sum(candidate_count), 0) as candidate,
           coalesce(sum(baseline2_count), 0) as baseline2
         from ${this.#groups} where run = $1`,
        [run],
      ),
      this.#client.query(
        `select coalesce(outcome_kind, 'unknown') as kind, count(*) as results, count(distinct group_key) as groups
         from ${this.#results} where run = $1 group by rollup (coalesce(outcome_kind, 'unknown'))`,
        [run],
      ),
      this.#client.query(`select count(*) as malformed from ${this.#malformed} where run = $1`, [run]),
    ]);
    const totals = groups.rows[0] ?? {};
    const byOutcome: Record<string, number> = {};
    let compared = 0;
    for (const row of results.rows) {
      // The rollup's total row has no kind: it carries the distinct groups over all kinds.
      if (row.kind === null) compared = column.integer(row, 'groups');
      else byOutcome[column.text(row, 'kind')] = column.integer(row, 'results');
    }
    return {
      groups: column.integer(totals, 'groups'),
      settled: column.integer(totals, 'settled'),
      compared,
      lateMessages: column.integer(totals, 'late'),
      messages: {
        baseline: column.integer(totals, 'baseline'),
        candidate: column.integer(totals, 'candidate'),
        'baseline-2': column.integer(totals, 'baseline2'),
      },
      malformed: column.integer(malformed.rows[0] ?? {}, 'malformed'),
      byOutcome,
    };
  }

  async malformed(run: string): Promise<StoredMalformedCapture[]> {
    const { rows } = await this.#client.query(
      `select environment, transport_message_id, body, body_bytes, reason, captured_at
       from ${this.#malformed} where run = $1 order by id`,
      [run],
    );
    return rows.map(malformedCaptureOf);
  }
}
