import { column, type Row, RowShapeError, type SqlExecutor } from '@switchyard/postgres';
import { Region } from './contracts.ts';
import type { EndedReason, Member, MemberStatus, Plan } from './member.ts';

const memberColumns = `customer_id, membership_id, name, region, postcode, plan, discount_percent, status,
  joined_at, period_ends_at, grace_ends_at, ended_at, ended_reason`;

/** The members and plans tables of the module's schema. */
export class MemberRepository {
  readonly #members: string;
  readonly #plans: string;

  constructor(schema: string) {
    this.#members = `${schema}.members`;
    this.#plans = `${schema}.plans`;
  }

  async plans(db: SqlExecutor): Promise<Plan[]> {
    const { rows } = await db.query(
      `select plan, description, discount_percent from ${this.#plans} order by discount_percent, plan`,
    );
    return rows.map(planOf);
  }

  /** The customer's membership; `lock` holds the row until the transaction ends (one change at a time). */
  async find(db: SqlExecutor, customerId: string, lock = false): Promise<Member | undefined> {
    const { rows } = await db.query(
      `select ${memberColumns} from ${this.#members} where customer_id = $1${lock ? ' for update' : ''}`,
      [customerId],
    );
    return rows[0] ? memberOf(rows[0]) : undefined;
  }

  async findByMembership(db: SqlExecutor, membershipId: string): Promise<Member | undefined> {
    const { rows } = await db.query(
      `select ${memberColumns} from ${this.#members} where membership_id = $1 for update`,
      [membershipId],
    );
    return rows[0] ? memberOf(rows[0]) : undefined;
  }

  /**
   * Stores a new membership. A customer whose last membership ended is replaced; one who is a member
   * already is not, and false comes back (two joins racing: the second loses here).
   */
  async insertJoined(db: SqlExecutor, member: Member, now: Date): Promise<boolean> {
    const { rowCount } = await db.query(
      `insert into ${this.#members} (${memberColumns}, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       on conflict (customer_id) do update set
         membership_id = excluded.membership_id, name = excluded.name, region = excluded.region,
         postcode = excluded.postcode, plan = excluded.plan, discount_percent = excluded.discount_percent,
         status = excluded.status, joined_at = excluded.joined_at, period_ends_at = excluded.period_ends_at,
         grace_ends_at = excluded.grace_ends_at, ended_at = excluded.ended_at,
         ended_reason = excluded.ended_reason, updated_at = excluded.updated_at
       where ${this.#members}.status = 'ended'`,
      [...valuesOf(member), now],
    );
    return rowCount === 1;
  }

  /** Writes a changed membership back (the row was read with a lock in this transaction). */
  async update(db: SqlExecutor, member: Member, now: Date): Promise<void> {
    await db.query(
      `update ${this.#members} set status = $2, period_ends_at = $3, grace_ends_at = $4, ended_at = $5,
         ended_reason = $6, updated_at = $7
       where membership_id = $1`,
      [
        member.membershipId,
        member.status,
        member.periodEndsAt,
        member.graceEndsAt ?? null,
        member.endedAt ?? null,
        member.endedReason ?? null,
        now,
      ],
    );
  }
}

function valuesOf(member: Member): unknown[] {
  return [
    member.customerId,
    member.membershipId,
    member.name,
    member.region,
    member.postcode,
    member.plan,
    member.discountPercent,
    member.status,
    member.joinedAt,
    member.periodEndsAt,
    member.graceEndsAt ?? null,
    member.endedAt ?? null,
    member.endedReason ?? null,
  ];
}

function planOf(row: Row): Plan {
  return {
    plan: column.text(row, 'plan'),
    description: column.text(row, 'description'),
    discountPercent: column.integer(row, 'discount_percent'),
  };
}

const statuses: readonly MemberStatus[] = ['active', 'paused', 'ended'];
const endedReasons: readonly EndedReason[] = ['cancelled', 'lapsed'];

function memberOf(row: Row): Member {
  const region = Region.safeParse(column.text(row, 'region'));
  if (!region.success) throw new RowShapeError('region', 'UK or US', row.region);
  const endedReason = column.optionalText(row, 'ended_reason');
  return {
    customerId: column.text(row, 'customer_id'),
    membershipId: column.text(row, 'membership_id'),
    name: column.text(row, 'name'),
    region: region.data,
    postcode: column.text(row, 'postcode'),
    plan: column.text(row, 'plan'),
    discountPercent: column.integer(row, 'discount_percent'),
    status: oneOf(row, 'status', statuses),
    joinedAt: column.timestamp(row, 'joined_at'),
    periodEndsAt: column.timestamp(row, 'period_ends_at'),
    graceEndsAt: column.optionalTimestamp(row, 'grace_ends_at'),
    endedAt: column.optionalTimestamp(row, 'ended_at'),
    endedReason: endedReason === undefined ? undefined : oneOf(row, 'ended_reason', endedReasons),
  };
}

function oneOf<T extends string>(row: Row, name: string, allowed: readonly T[]): T {
  const value = column.text(row, name);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RowShapeError(name, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}
