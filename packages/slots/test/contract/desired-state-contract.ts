import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type {
  DesiredSlots,
  DesiredStateSource,
  ServiceCatalogue,
  ServiceSlots,
} from '../../src/desired-state/desired-state.ts';
import { DesiredStateError } from '../../src/slots-errors.ts';

/** A fresh, empty store of desired state with one source on it. */
export interface DesiredStateFixture {
  readonly source: DesiredStateSource;
  /** Another source on the same store, as a second operator's process would open it. */
  another(): Promise<DesiredStateSource>;
  /** Puts a state straight into the store, as the release work (a commit) or a hand edit would. */
  seed(state: DesiredSlots): Promise<void>;
  dispose(): Promise<void>;
}

/** What a fixture is made with. */
export interface DesiredStateFixtureOptions {
  readonly catalogue?: ServiceCatalogue;
}

const catalogue: ServiceCatalogue = {
  services: {
    billing: [{ name: 'billing', queueType: 'quorum' }],
    orders: [{ name: 'orders', queueType: 'quorum' }],
  },
};

const seeded: DesiredSlots = {
  slots: ['green', 'blue', 'amber'],
  services: {
    billing: {
      live: 'blue',
      canary: { slot: 'green', percent: 10 },
      versions: { blue: '2026.12.1', green: '2026.12.2' },
    },
    orders: { live: 'green' },
  },
};

/**
 * The behaviour every desired-state source must show. `createFixture` must give a fresh, isolated,
 * empty store (a new file in a new folder, a fresh schema) each time.
 */
export function desiredStateContract(
  name: string,
  createFixture: (options?: DesiredStateFixtureOptions) => Promise<DesiredStateFixture>,
): void {
  describe(`Desired state contract: ${name}`, () => {
    const fixtures: DesiredStateFixture[] = [];
    const fresh = async (options?: DesiredStateFixtureOptions) => {
      const fixture = await createFixture(options);
      fixtures.push(fixture);
      return fixture;
    };
    afterEach(async () => {
      for (const fixture of fixtures.splice(0)) await fixture.dispose();
    });

    it('reads back what was put in: slots in order, live slots, canaries and versions', async () => {
      const { source, seed } = await fresh();
      await seed(seeded);
      assert.deepEqual(await source.read(), seeded);
    });

    it('reads a state with no services, with the default slots', async () => {
      const { source, seed } = await fresh();
      await seed({ slots: ['blue', 'green'], services: {} });
      assert.deepEqual(await source.read(), { slots: ['blue', 'green'], services: {} });
    });

    it('creates an absent service on update, returns the new state, and leaves the others alone', async () => {
      const { source, seed } = await fresh();
      await seed(seeded);
      let seen: ServiceSlots | undefined | 'not called' = 'not called';
      const returned = await source.update('deliveries', (current) => {
        seen = current;
        return { live: 'amber' };
      });
      assert.equal(seen, undefined);
      const expected = { ...seeded, services: { ...seeded.services, deliveries: { live: 'amber' } } };
      assert.deepEqual(returned, expected);
      assert.deepEqual(await source.read(), expected);
    });

    it('gives the change the current entry, and writes what it returns: a switch that ends the canary', async () => {
      const { source, seed } = await fresh();
      await seed(seeded);
      await source.update('billing', (current) => {
        assert.deepEqual(current, seeded.services.billing);
        return { live: 'green', versions: { green: '2026.12.2' } };
      });
      const state = await source.read();
      assert.deepEqual(state.services.billing, { live: 'green', versions: { green: '2026.12.2' } });
      assert.deepEqual(state.services.orders, { live: 'green' });
    });

    it('refuses a change to a slot that is not in the list, naming the path and the rule, and writes nothing', async () => {
      const { source, seed } = await fresh();
      await seed(seeded);
      await assert.rejects(
        source.update('billing', (current) => ({ ...(current as ServiceSlots), live: 'purple' })),
        (error: unknown) => {
          assert.ok(error instanceof DesiredStateError);
          assert.equal(error.code, 'SLOTS_DESIRED_STATE_INVALID');
          assert.equal(error.source, source.description);
          assert.equal(error.path, 'services.billing.live');
          assert.match(error.message, /is "purple", not one of the slots \(green, blue, amber\)/);
          return true;
        },
      );
      assert.deepEqual(await source.read(), seeded);
    });

    it('refuses a canary on the live slot and a share outside 1–99, writing nothing', async () => {
      const { source, seed } = await fresh();
      await seed(seeded);
      await assert.rejects(
        source.update('orders', () => ({ live: 'green', canary: { slot: 'green', percent: 5 } })),
        { path: 'services.orders.canary.slot' },
      );
      await assert.rejects(
        source.update('orders', () => ({ live: 'green', canary: { slot: 'blue', percent: 100 } })),
        { path: 'services.orders.canary.percent' },
      );
      assert.deepEqual(await source.read(), seeded);
    });

    it('keeps the previous slot through a round trip: seeded, read, and written by a switch back', async () => {
      const { source, seed } = await fresh();
      const switched: DesiredSlots = {
        ...seeded,
        services: { ...seeded.services, orders: { live: 'green', previous: 'amber' } },
      };
      await seed(switched);
      assert.deepEqual(await source.read(), switched);
      // A rollback: the previous slot goes live, and the slot it leaves becomes the previous one.
      const returned = await source.update('orders', (current) => ({
        live: current?.previous as string,
        previous: current?.live,
      }));
      const rolledBack = {
        ...seeded,
        services: { ...seeded.services, orders: { live: 'amber', previous: 'green' } },
      };
      assert.deepEqual(returned, rolledBack);
      assert.deepEqual(await source.read(), rolledBack);
    });

    it('clears the previous slot when the change leaves it out', async () => {
      const { source, seed } = await fresh();
      await seed({
        ...seeded,
        services: { ...seeded.services, orders: { live: 'green', previous: 'amber' } },
      });
      const returned = await source.update('orders', (current) => ({ live: current?.live as string }));
      assert.deepEqual(returned, seeded);
      assert.deepEqual(await source.read(), seeded);
    });

    it('refuses a previous slot that is the live slot, writing nothing', async () => {
      const { source, seed } = await fresh();
      await seed(seeded);
      await assert.rejects(
        source.update('orders', () => ({ live: 'green', previous: 'green' })),
        {
          path: 'services.orders.previous',
          message: /is "green", the live slot; previous names the slot live before it/,
        },
      );
      assert.deepEqual(await source.read(), seeded);
    });

    it('lets a change that throws propagate, writing nothing', async () => {
      const { source, seed } = await fresh();
      await seed(seeded);
      await assert.rejects(
        source.update('orders', () => {
          throw new Error('operator changed their mind');
        }),
        /operator changed their mind/,
      );
      assert.deepEqual(await source.read(), seeded);
    });

    it('with a catalogue, refuses a service the application does not have, naming the ones it has', async () => {
      const { source, seed } = await fresh({ catalogue });
      await seed({ slots: ['blue', 'green'], services: { billing: { live: 'blue' } } });
      await assert.rejects(
        source.update('invoicing', () => ({ live: 'blue' })),
        (error: unknown) => {
          assert.ok(error instanceof DesiredStateError);
          assert.equal(error.path, 'services.invoicing');
          assert.match(error.message, /not a service of this application \(its services: billing, orders\)/);
          return true;
        },
      );
      assert.deepEqual(await source.read(), {
        slots: ['blue', 'green'],
        services: { billing: { live: 'blue' } },
      });
    });

    it('with a catalogue, refuses to read a state that names a service the application does not have', async () => {
      const { source, seed } = await fresh({ catalogue });
      await seed({ slots: ['blue', 'green'], services: { invoicing: { live: 'blue' } } });
      await assert.rejects(source.read(), { path: 'services.invoicing' });
    });

    it('loses no update when two processes change one service at the same time', async () => {
      const fixture = await fresh();
      await fixture.seed({
        slots: ['blue', 'green'],
        services: { billing: { live: 'blue', versions: { blue: '0' } } },
      });
      const other = await fixture.another();
      // Each update reads the counter and writes it plus one: a lost update shows as a smaller total.
      const increment = (current: ServiceSlots | undefined): ServiceSlots => ({
        live: 'blue',
        versions: { blue: String(Number(current?.versions?.blue ?? 0) + 1) },
      });
      const each = 8;
      await Promise.all(
        Array.from({ length: each * 2 }, (_, index) =>
          (index % 2 === 0 ? fixture.source : other).update('billing', increment),
        ),
      );
      assert.deepEqual((await fixture.source.read()).services.billing?.versions, { blue: String(each * 2) });
    });

    it('keeps both changes when two processes add different services at the same time', async () => {
      const fixture = await fresh();
      await fixture.seed({ slots: ['blue', 'green'], services: {} });
      const other = await fixture.another();
      await Promise.all([
        fixture.source.update('billing', () => ({ live: 'blue' })),
        other.update('orders', () => ({ live: 'green' })),
      ]);
      assert.deepEqual((await other.read()).services, {
        billing: { live: 'blue' },
        orders: { live: 'green' },
      });
    });
  });
}
